/**
 * The release commands' clean-tree check (preconditions.ts, render-inputs.ts)
 * in a scratch repository: a changed file the render neither reads nor
 * writes does not block a release, and the commit leaves it out; every file
 * it does read or write still blocks every command, changing nothing.
 */
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ReleaseRefusal } from "./preconditions.ts";
import { release } from "./release.ts";
import { rollback } from "./rollback.ts";
import { isFixedRenderInput } from "./render-inputs.ts";
import { edit, filesChangedBy, fingerprint, gitIn, gitTemplate, head, releaseCli, removeScratch } from "./test-repository.ts";

/** `git status` of the files the test left around, to compare before and after a command. */
const status = (root: string) => gitIn(root, "status", "--porcelain", "--untracked-files=all");

async function assertRefused(root: string, command: () => Promise<unknown>, listed: RegExp): Promise<void> {
  const before = fingerprint(root);
  await assert.rejects(command, (error: unknown) => {
    assert.ok(error instanceof ReleaseRefusal, `expected a refusal, got ${String(error)}`);
    assert.match(error.message, /files the render reads or writes have uncommitted changes:\n/);
    assert.match(error.message, listed);
    return true;
  });
  assert.equal(fingerprint(root), before, "the repository changed");
}

describe("the clean-tree check names only the files the render reads or writes", () => {
  let root = "";
  before(() => {
    root = gitTemplate("todo-clean-tree-");
  });
  after(() => removeScratch(root));

  it("a cluster script, a note, a scratch file beside argocd/install and an editor's swap file do not block a release or a rollback, and are not committed", async () => {
    appendFileSync(join(root, "clusters/minikube/diagnostics.sh"), "# note\n");
    writeFileSync(join(root, "environments/NOTES.md"), "why dev runs DEBUG\n");
    writeFileSync(join(root, "argocd/install/scratch.txt"), "scratch\n");
    // vim's swap file while dev.ts is open: an incident's rollback must not wait for the editor to close.
    writeFileSync(join(root, "environments/.dev.ts.swp"), "b0VIM 9.0\0\0binary\n");
    const unrelated = status(root);
    assert.equal(unrelated.split("\n").filter(Boolean).length, 4, unrelated);

    const dryRun = await releaseCli(root, "release", "dev", "backend=1.0.1", "--dry-run");
    assert.equal(dryRun.status, 0, dryRun.stderr);
    const released = await release({ root, environment: "dev", assignments: ["backend=1.0.1"], dryRun: false });
    assert.ok(released.commit);
    const rolledBack = await rollback({ root, environment: "dev", dryRun: false });
    assert.ok(rolledBack.commit);
    for (const commit of [released.commit, rolledBack.commit]) {
      const files = filesChangedBy(root, commit);
      assert.ok(files.includes("environments/dev.images.json"), files.join(", "));
      for (const file of files) assert.match(file, /^(environments\/dev\.images\.json|manifests\/dev\/)/, `${file} is not dev's release`);
    }
    assert.equal(status(root), unrelated, "the unrelated files are still there, uncommitted, as they were");
    gitIn(root, "checkout", "--quiet", "--", "clusters/minikube/diagnostics.sh");
    for (const file of ["environments/NOTES.md", "argocd/install/scratch.txt", "environments/.dev.ts.swp"]) rmSync(join(root, file));
  });

  it("what the render reads or writes still blocks: a cluster's facts, a new environment file, manifests (changed or stray), the Argo CD objects", async () => {
    const releaseProd = () => release({ root, environment: "prod", assignments: ["backend=1.2.0"], dryRun: true });
    const restoreCluster = edit(root, "clusters/minikube/cluster.ts", 'ingressClass: "nginx"', 'ingressClass: "nginx2"');
    await assertRefused(root, releaseProd, /^ {2} M clusters\/minikube\/cluster\.ts$/m);
    restoreCluster();
    // Untracked, and not yet loadable: the next load takes it as environment qa all the same.
    writeFileSync(join(root, "environments/qa.ts"), "export default {};\n");
    await assertRefused(root, releaseProd, /^ {2}\?\? environments\/qa\.ts$/m);
    rmSync(join(root, "environments/qa.ts"));
    writeFileSync(join(root, "environments/qa.sealed.json"), "{}\n");
    await assertRefused(root, releaseProd, /^ {2}\?\? environments\/qa\.sealed\.json$/m);
    rmSync(join(root, "environments/qa.sealed.json"));
    const restoreManifest = edit(root, "manifests/staging/namespace-todo-staging.yaml", "name: todo-staging", "name: todo-staging2");
    await assertRefused(root, releaseProd, /^ {2} M manifests\/staging\/namespace-todo-staging\.yaml$/m);
    restoreManifest();
    writeFileSync(join(root, "manifests/prod/notes.txt"), "a stray file is drift\n");
    await assertRefused(root, releaseProd, /^ {2}\?\? manifests\/prod\/notes\.txt$/m);
    rmSync(join(root, "manifests/prod/notes.txt"));
    appendFileSync(join(root, "argocd/bootstrap/appproject-todo-prod.yaml"), "# edited\n");
    await assertRefused(root, () => rollback({ root, environment: "dev", dryRun: false }), /^ {2} M argocd\/bootstrap\/appproject-todo-prod\.yaml$/m);
    gitIn(root, "checkout", "--quiet", "--", "argocd/bootstrap");
    assert.equal(status(root), "");
  });

  it("a helper an environment file imports counts; one nothing imports does not", async () => {
    mkdirSync(join(root, "environments/lib"));
    writeFileSync(join(root, "environments/lib/logging.ts"), 'export const LOG_LEVEL = "DEBUG" as const;\n');
    const devFile = join(root, "environments/dev.ts");
    const dev = readFileSync(devFile, "utf8");
    const withImport = `import { LOG_LEVEL } from "./lib/logging.ts";\n${dev.replace('config: { LOG_LEVEL: "DEBUG" }', "config: { LOG_LEVEL }")}`;
    assert.notEqual(withImport.replace(/^import .*\n/, ""), dev, "dev.ts no longer sets LOG_LEVEL to DEBUG: the test's edit does not apply");
    writeFileSync(devFile, withImport);
    gitIn(root, "add", "environments");
    gitIn(root, "commit", "--quiet", "-m", "dev: LOG_LEVEL from a helper (renders the same)");
    const committed = head(root);

    appendFileSync(join(root, "environments/lib/logging.ts"), "// edited\n");
    await assertRefused(root, () => release({ root, environment: "prod", assignments: ["backend=1.2.0"], dryRun: true }), /^ {2} M environments\/lib\/logging\.ts$/m);
    gitIn(root, "checkout", "--quiet", "--", "environments/lib");
    writeFileSync(join(root, "environments/lib/unused.ts"), "export const nothing = 0;\n");
    const outcome = await release({ root, environment: "prod", assignments: ["backend=1.2.0"], dryRun: true });
    assert.match(outcome.summary, /^dry run: would commit "release\(prod\): backend 1\.2\.0"/);
    rmSync(join(root, "environments/lib/unused.ts"));
    assert.equal(head(root), committed);
  });
});

describe("the files the render reads whatever the code imports", () => {
  it("include the launcher, which builds and starts the bundle but is no input esbuild lists; not its tests", () => {
    assert.equal(isFixedRenderInput("generator/launcher/build.mjs"), true);
    assert.equal(isFixedRenderInput("generator/launcher/require-node.mjs"), true);
    assert.equal(isFixedRenderInput("generator/launcher/launcher.test.ts"), false);
    assert.equal(isFixedRenderInput("tsconfig.json"), true);
    assert.equal(isFixedRenderInput("clusters/minikube/diagnostics.sh"), false);
  });
});
