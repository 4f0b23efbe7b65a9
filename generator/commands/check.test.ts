/**
 * `npm run check` sees what a clone will see; `render` and `diff` of one
 * environment include the Argo CD objects it changes; `diff` exits 1 on a
 * difference; `check --staged` (the pre-commit hook) judges the index, never
 * the work tree. In-process (run(), as the npm scripts' bundle calls it), in
 * clones of one committed scratch repository.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { sealEnvironment } from "../secrets/seal-command.ts";
import { throwawaySealingKey } from "../secrets/test-support.ts";
import { generatorCli } from "../testing/cli.ts";
import { cloneScratch, edit, gitIn, gitTemplate, removeScratch } from "../testing/git-scratch.ts";

const template = gitTemplate("todo-check-");
after(() => removeScratch(template));

const STAGING_HPA = "manifests/staging/horizontalpodautoscaler-todo-backend.yaml";
const STAGING_APPLICATION = "argocd/apps/application-todo-staging.yaml";
const DEV_APPLICATION = "argocd/apps/application-todo-dev.yaml";
const autoscaledStaging = ["backend: { replicas: 2 }", "backend: { replicas: 2, autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4 } }"] as const;

function status(root: string): string {
  return gitIn(root, "status", "--porcelain", "--untracked-files=all");
}

describe("check sees what a clone will see", () => {
  let root = "";
  before(() => {
    root = cloneScratch(template);
  });
  after(() => removeScratch(root));

  it("passes on the committed tree", async () => {
    const result = await generatorCli(root, "check");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /manifests are up to date, and Git has them as they are/);
  });

  it("a new rendered file not added: fails naming it, with the git add to run; passes once added", async () => {
    edit(root, "environments/staging.ts", ...autoscaledStaging);
    assert.equal((await generatorCli(root, "render", "staging")).status, 0);
    // What the README once said: `git commit -am` leaves the new file untracked.
    gitIn(root, "commit", "--quiet", "-am", "staging: an HPA");
    const result = await generatorCli(root, "check");
    assert.equal(result.status, 1, result.stdout);
    assert.match(result.stderr, new RegExp(`^not in Git \\(untracked\\): ${STAGING_HPA}$`, "m"));
    assert.match(result.stderr, /run `git add -A -- manifests\/staging` and commit/);
    assert.doesNotMatch(result.stderr, /out of date/, "the files on disk are a fresh render");
    gitIn(root, "add", "-A", "--", "manifests/staging");
    assert.equal((await generatorCli(root, "check")).status, 0);
    gitIn(root, "commit", "--quiet", "-m", "staging: the HPA's file");
  });

  it("a settings file or a rendered file changed but not staged, or deleted without staging the deletion", async () => {
    const undo = edit(root, "environments/prod.ts", "frontend: { replicas: 2 }", "frontend: { replicas: 3 }");
    assert.equal((await generatorCli(root, "render")).status, 0);
    let result = await generatorCli(root, "check");
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^not staged: {3}environments\/prod\.ts$/m);
    assert.match(result.stderr, /^not staged: {3}manifests\/prod\/deployment-todo-frontend\.yaml$/m);
    assert.match(result.stderr, /git add -A -- environments\/prod\.ts manifests\/prod`/);
    undo();
    assert.equal((await generatorCli(root, "render")).status, 0);
    rmSync(join(root, "environments/prod.sealed.json"), { force: true });
    const file = "manifests/dev/service-todo-redis.yaml";
    const content = readFileSync(join(root, file), "utf8");
    const undoDapr = edit(root, "environments/dev.ts", "dapr: { enabled: true }", "dapr: { enabled: false }");
    assert.equal((await generatorCli(root, "render", "dev")).status, 0);
    result = await generatorCli(root, "check", "dev");
    assert.equal(result.status, 1);
    assert.match(result.stderr, new RegExp(`^deleted, not staged: ${file.replace(/\./g, "\\.")}$`, "m"));
    undoDapr();
    assert.equal((await generatorCli(root, "render", "dev")).status, 0);
    assert.equal(readFileSync(join(root, file), "utf8"), content);
    assert.equal(status(root), "");
  });

  it("accepts environment names, like render and diff, and refuses an unknown one: exit 2, which no difference gives", async () => {
    assert.equal((await generatorCli(root, "check", "staging", "prod")).status, 0);
    for (const command of ["check", "diff"]) {
      const unknown = await generatorCli(root, command, "no-such-env");
      assert.equal(unknown.status, 2, command);
      // They never write, so they never say they did not.
      assert.match(unknown.stderr, /environments\/no-such-env\.ts: unknown environment no-such-env \(there is no such file\): the environments are dev, prod, staging\n$/, command);
    }
    const render = await generatorCli(root, "render", "no-such-env");
    assert.equal(render.status, 1, "render: refused");
    assert.match(render.stderr, /the environments are dev, prod, staging\nNothing was written\.\n$/);
    for (const command of ["render", "check", "diff"]) {
      const usage = await generatorCli(root, command, "--frobnicate");
      assert.equal(usage.status, 2, `${command}: a usage error`);
      assert.match(usage.stderr, /^error: unknown option '--frobnicate'$/m);
    }
  });

  it("only compares the files on disk outside a Git work tree", async () => {
    const plain = mkdtempSync(join(tmpdir(), "todo-no-git-"));
    try {
      for (const entry of ["environments", "clusters", "manifests", "argocd"]) cpSync(join(root, entry), join(plain, entry), { recursive: true });
      for (const entry of ["generator", "node_modules"]) symlinkSync(realpathSync(join(root, entry)), join(plain, entry), "dir");
      const result = await generatorCli(plain, "check");
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /not a Git work tree: only the files on disk were compared/);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });
});

describe("render and diff of one environment include the Argo CD objects it changes", () => {
  let root = "";
  before(() => {
    root = cloneScratch(template);
  });
  after(() => removeScratch(root));

  it("diff exits 1 with a difference, 0 without; render -- staging writes staging's Application and leaves dev's alone", async () => {
    const clean = await generatorCli(root, "diff", "staging");
    assert.equal(clean.status, 0);
    assert.equal(clean.stderr, "no differences\n");
    edit(root, "environments/staging.ts", ...autoscaledStaging);
    // dev changes too, unrendered: its Application must not be written by a render of staging.
    const undoDev = edit(root, "environments/dev.ts", "  frontend: {\n", "  frontend: {\n    autoscaling: { enabled: true },\n");
    const diff = await generatorCli(root, "diff", "staging");
    assert.equal(diff.status, 1, "a difference is exit 1, like git diff --exit-code");
    assert.match(diff.stdout, new RegExp(`^\\+\\+\\+ b/${STAGING_HPA}$`, "m"));
    assert.match(diff.stdout, new RegExp(`^\\+\\+\\+ b/${STAGING_APPLICATION}$`, "m"), "the Application's ignoreDifferences for the HPA");
    assert.match(diff.stdout, /^\+\s+- \/spec\/replicas$/m);
    assert.doesNotMatch(diff.stdout, new RegExp(DEV_APPLICATION), "dev's own Argo CD objects are dev's render");
    const devApplication = readFileSync(join(root, DEV_APPLICATION), "utf8");

    const render = await generatorCli(root, "render", "staging");
    assert.equal(render.status, 0, render.stderr);
    assert.match(render.stdout, /into manifests\/staging, argocd\/apps, argocd\/bootstrap$/m);
    assert.equal(readFileSync(join(root, DEV_APPLICATION), "utf8"), devApplication, "dev's Application is left as it is");
    assert.match(readFileSync(join(root, STAGING_APPLICATION), "utf8"), /RespectIgnoreDifferences=true/);
    assert.equal((await generatorCli(root, "diff", "staging")).status, 0);
    assert.equal((await generatorCli(root, "check", "staging")).status, 1, "rendered, not added yet");
    gitIn(root, "add", "-A", "manifests", "argocd", "environments/staging.ts");
    assert.equal((await generatorCli(root, "check", "staging")).status, 0);
    const all = await generatorCli(root, "check");
    assert.equal(all.status, 1, "dev is still stale");
    assert.match(all.stderr, /changed: argocd\/apps\/application-todo-dev\.yaml/);
    undoDev();
    assert.equal((await generatorCli(root, "check")).status, 0);
  });

  it("seal -- dev, then render -- dev, then git add: check passes", async () => {
    const key = throwawaySealingKey();
    writeFileSync(join(root, "cert.pem"), key.certificatePem);
    const hex = (n: number) => "0123456789abcdef".repeat(8).slice(0, n);
    writeFileSync(
      join(root, ".secrets/dev.env"),
      [
        `todo-database-secret.POSTGRES_USER=todo${hex(4)}`,
        `todo-database-secret.POSTGRES_PASSWORD=${hex(48)}`,
        "todo-database-secret.POSTGRES_DB=todo",
        `todo-auth-secret.BETTER_AUTH_SECRET=${hex(64)}`,
        "todo-backend-secret.OPENAI_API_KEY=not-a-real-openai-key-for-tests",
        `todo-redis-secret.REDIS_PASSWORD=${hex(40)}`,
      ].join("\n") + "\n",
    );
    await sealEnvironment({ environment: "dev", root, certFile: join(root, "cert.pem") });
    rmSync(join(root, "cert.pem"));
    assert.equal((await generatorCli(root, "render", "dev")).status, 0);
    const check = await generatorCli(root, "check");
    assert.equal(check.status, 1, "the sealed file and the SealedSecrets are not in Git yet");
    assert.match(check.stderr, /^not in Git \(untracked\): environments\/dev\.sealed\.json$/m);
    assert.match(check.stderr, /^not in Git \(untracked\): manifests\/dev\/sealedsecret-todo-auth-secret\.yaml$/m);
    gitIn(root, "add", "-A", "environments", "manifests", "argocd");
    const passed = await generatorCli(root, "check");
    assert.equal(passed.status, 0, passed.stderr);
    gitIn(root, "commit", "--quiet", "-m", "dev: seal secrets");
    assert.equal(status(root), "");
  });

  it("git rm the sealed file: diff and render say which SealedSecrets go and what Argo CD does; the hook refuses the commit unless ALLOW_REMOVAL=1", async () => {
    gitIn(root, "rm", "--quiet", "environments/dev.sealed.json");
    const said = /^warning: this render removes what another commit cannot bring back:\n {2}- SealedSecret todo-dev\/todo-auth-secret \(manifests\/dev\/sealedsecret-todo-auth-secret\.yaml\): Argo CD prunes it/m;
    const diff = await generatorCli(root, "diff", "dev");
    assert.equal(diff.status, 1);
    assert.match(diff.stderr, said);
    const render = await generatorCli(root, "render");
    assert.equal(render.status, 0, render.stderr);
    assert.match(render.stderr, said);
    assert.match(render.stderr, /^The pre-commit hook refuses to commit it unless you say so: ALLOW_REMOVAL=1 git commit …$/m);
    assert.equal((await generatorCli(root, "render")).stderr, "", "said once: the next render removes nothing more");
    gitIn(root, "add", "-A", "environments", "manifests", "argocd");
    const hook = await generatorCli(root, "check", "--staged");
    assert.equal(hook.status, 1, "refused");
    assert.match(hook.stderr, /^The staged changes remove what another commit cannot bring back:\n(?: {2}- .*\n)* {2}- SealedSecret todo-dev\/todo-backend-secret \(manifests\/dev\/sealedsecret-todo-backend-secret\.yaml\): Argo CD prunes it/m);
    assert.match(hook.stderr, /commit with ALLOW_REMOVAL=1 \(ALLOW_REMOVAL=1 git commit …\)/);
    assert.doesNotMatch(hook.stderr, /PersistentVolumeClaim|Namespace /, "only what goes");
    process.env.ALLOW_REMOVAL = "1";
    try {
      const allowed = await generatorCli(root, "check", "--staged");
      assert.equal(allowed.status, 0, allowed.stderr);
    } finally {
      delete process.env.ALLOW_REMOVAL;
    }
    gitIn(root, "reset", "--quiet", "--hard");
  });
});

describe("check --staged judges the index, not the work tree (the pre-commit hook)", () => {
  let root = "";
  before(() => {
    root = cloneScratch(template);
  });
  after(() => removeScratch(root));

  it("passes on what is committed, whatever the work tree holds", async () => {
    edit(root, "manifests/prod/namespace-todo-prod.yaml", "name: todo-prod", "name: edited-by-hand");
    edit(root, "environments/staging.ts", "backend: { replicas: 2 }", "backend: { replicas: 3 }");
    const result = await generatorCli(root, "check", "--staged");
    assert.equal(result.status, 0, result.stderr);
    assert.equal((await generatorCli(root, "check")).status, 1, "the work tree is stale");
    gitIn(root, "checkout", "--", ".");
  });

  it("fails when staged settings were not rendered, or a rendered file was staged without its settings", async () => {
    edit(root, "environments/staging.ts", "backend: { replicas: 2 }", "backend: { replicas: 3 }");
    gitIn(root, "add", "environments/staging.ts");
    let result = await generatorCli(root, "check", "--staged");
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^not staged: {3}manifests\/staging\/deployment-todo-backend\.yaml$/m);
    assert.equal((await generatorCli(root, "render", "staging")).status, 0);
    gitIn(root, "add", "-A", "manifests");
    assert.equal((await generatorCli(root, "check", "--staged")).status, 0);
    gitIn(root, "reset", "--quiet", "--", "environments/staging.ts");
    result = await generatorCli(root, "check", "--staged");
    assert.equal(result.status, 1, "the staged manifests are not what the staged settings render");
    gitIn(root, "reset", "--quiet", "--hard");
  });

  it("refuses a local secret value, or a plaintext Secret, in a staged file, never printing it", async () => {
    const value = "correct-horse-battery-staple-42";
    writeFileSync(join(root, ".secrets/dev.env"), `todo-backend-secret.OPENAI_API_KEY=${value}\n`);
    writeFileSync(join(root, "NOTES.md"), `remember: ${value}\n`);
    writeFileSync(join(root, "secret.yaml"), "apiVersion: v1\nkind: Secret\nmetadata:\n  name: oops\nstringData:\n  password: hunter2\n");
    gitIn(root, "add", "NOTES.md", "secret.yaml");
    const result = await generatorCli(root, "check", "--staged");
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^ {2}- NOTES\.md:1: holds the value of \.secrets\/dev\.env: todo-backend-secret\.OPENAI_API_KEY$/m);
    assert.match(result.stderr, /^ {2}- secret\.yaml:1: Secret oops with stringData: a plaintext Secret/m);
    assert.ok(!result.stderr.includes(value));
    gitIn(root, "reset", "--quiet", "--hard");
    rmSync(join(root, "NOTES.md"), { force: true });
    rmSync(join(root, "secret.yaml"), { force: true });
    rmSync(join(root, ".secrets/dev.env"));
  });
});
