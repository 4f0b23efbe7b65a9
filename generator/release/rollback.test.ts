/**
 * `rollback` undoes an environment's newest image change: the images it ran
 * before, every other setting as it is now, rendered by today's generator.
 * In-process (the CLI's run()), in clones of one committed scratch
 * repository; cli.test.ts runs it once as a process, across a real change
 * of the generator.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { sealEnvironment } from "../secrets/seal-command.ts";
import { throwawaySealingKey } from "../secrets/test-support.ts";
import { generatorCli } from "../testing/cli.ts";
import {
  assertClean,
  cloneScratch,
  edit,
  filesChangedBy,
  fingerprint,
  gitIn,
  gitTemplate,
  head,
  releaseCli,
  removeScratch,
  short,
  trailer,
  tree,
} from "./test-repository.ts";

const template = gitTemplate("todo-rollback-");
after(() => removeScratch(template));

const STAGING = ["environments/staging.ts", "environments/staging.images.json", "environments/staging.sealed.json", "manifests/staging"];

async function succeeds(root: string, ...argv: string[]): Promise<string> {
  const result = await releaseCli(root, ...argv);
  assert.equal(result.status, 0, `${argv.join(" ")}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

async function assertCheckPasses(root: string): Promise<void> {
  const check = await generatorCli(root, "check");
  assert.equal(check.status, 0, `npm run check fails:\n${check.stderr}`);
}

/** A settings change as a user commits it: edited, rendered, added, committed. */
async function commitSettings(root: string, message: string, path: string, from: string, to: string): Promise<void> {
  edit(root, path, from, to);
  assert.equal((await generatorCli(root, "render")).status, 0);
  gitIn(root, "add", "-A", "environments", "manifests", "argocd");
  gitIn(root, "commit", "--quiet", "-m", message);
}

describe("release staging 7.7.7, then rollback staging", () => {
  let root = "";
  let beforeRelease = "";
  let released = "";
  let rolledBack = "";
  before(async () => {
    root = cloneScratch(template);
    beforeRelease = head(root);
    await succeeds(root, "release", "staging", "backend=7.7.7");
    released = head(root);
    await succeeds(root, "rollback", "staging");
    rolledBack = head(root);
  });
  after(() => removeScratch(root));

  it("restores manifests/staging/ and environments/staging.* byte for byte, in one new commit, with check passing", async () => {
    assert.equal(gitIn(root, "rev-parse", "HEAD~1").trim(), released, "one new commit; history is not rewritten");
    assert.equal(tree(root, "HEAD", ...STAGING), tree(root, beforeRelease, ...STAGING));
    assert.equal(tree(root, "HEAD", "argocd", "manifests"), tree(root, beforeRelease, "argocd", "manifests"));
    for (const file of filesChangedBy(root, "HEAD")) assert.ok(file === "environments/staging.images.json" || file.startsWith("manifests/staging/"), file);
    assertClean(root);
    await assertCheckPasses(root);
  });

  it("says what it undoes: subject, body and trailers", () => {
    const undone = short(root, released);
    assert.equal(gitIn(root, "log", "-1", "--format=%s").trim(), `rollback(staging): backend 7.7.7 → 1.0.0, undoing ${undone}`);
    const body = gitIn(root, "log", "-1", "--format=%b");
    assert.match(body, new RegExp(`^Undoes the image change of ${undone} "release\\(staging\\): backend 7\\.7\\.7": staging runs the images it ran before it again\\.$`, "m"));
    assert.match(body, new RegExp(`^Every other setting is as at ${undone}; the manifests are rendered by the current generator\\.$`, "m"));
    assert.equal(trailer(root, "HEAD", "Release-Action"), "rollback");
    assert.equal(trailer(root, "HEAD", "Release-Rollback-Of"), released);
    assert.equal(trailer(root, "HEAD", "Release-Rollback-To"), beforeRelease);
    assert.equal(trailer(root, "HEAD", "Release-Images"), "backend=1.0.0,frontend=1.0.0");
  });

  it("rolling back twice returns to where you started", async () => {
    await succeeds(root, "rollback", "staging");
    assert.equal(tree(root, "HEAD", ...STAGING), tree(root, released, ...STAGING));
    assert.equal(gitIn(root, "log", "-1", "--format=%s").trim(), `rollback(staging): backend 1.0.0 → 7.7.7, undoing ${short(root, rolledBack)}`);
    assertClean(root);
    await assertCheckPasses(root);
  });
});

describe("rollback keeps every other setting as it is now", () => {
  let root = "";
  before(() => {
    root = cloneScratch(template);
  });
  after(() => removeScratch(root));

  it("a later replicas change in staging stays; only the images go back", async () => {
    const before = head(root);
    await succeeds(root, "release", "staging", "backend=7.7.7", "frontend=7.7.7");
    await commitSettings(root, "staging: four backend replicas", "environments/staging.ts", "backend: { replicas: 2 }", "backend: { replicas: 4 }");
    const settingsCommit = head(root);
    const out = await succeeds(root, "rollback", "staging");
    assert.match(out, /backend 7\.7\.7 → 1\.0\.0, frontend 7\.7\.7 → 1\.0\.0/);
    assert.equal(tree(root, "HEAD", "environments/staging.ts"), tree(root, settingsCommit, "environments/staging.ts"));
    assert.equal(tree(root, "HEAD", "environments/staging.images.json"), tree(root, before, "environments/staging.images.json"));
    assert.match(readFileSync(join(root, "manifests/staging/deployment-todo-backend.yaml"), "utf8"), /^ {2}replicas: 4$/m);
    assertClean(root);
    await assertCheckPasses(root);
  });

  it("works whatever the generator rendered then: the release's manifests are never read back", async () => {
    // The release commit as an older generator rendered it (another header on every file), then a
    // generator change re-rendered everything: the case the old byte-for-byte rollback refused.
    const before = head(root);
    await succeeds(root, "release", "staging", "backend=8.8.8");
    const released = head(root);
    for (const file of readdirSync(join(root, "manifests/staging"))) {
      const path = join(root, "manifests/staging", file);
      writeFileSync(path, readFileSync(path, "utf8").replace(/^# Rendered by .*\n/, "# Rendered by generator 0.0.1\n"));
    }
    gitIn(root, "commit", "--quiet", "--amend", "--no-edit", "-a");
    assert.equal((await generatorCli(root, "render")).status, 0);
    gitIn(root, "commit", "--quiet", "-am", "generator 0.2: a new header");
    const result = await releaseCli(root, "rollback", "staging");
    assert.equal(result.status, 0, result.stderr);
    assert.notEqual(released, head(root));
    assert.equal(tree(root, "HEAD", "environments/staging.images.json"), tree(root, before, "environments/staging.images.json"));
    assertClean(root);
    await assertCheckPasses(root);
  });

  it("rollback <commit>: the images the environment ran at that commit", async () => {
    const first = gitIn(root, "rev-list", "--max-parents=0", "HEAD").trim();
    await succeeds(root, "release", "staging", "backend=9.9.9");
    await succeeds(root, "release", "staging", "frontend=9.9.9");
    const out = await succeeds(root, "rollback", "staging", short(root, first));
    assert.match(out, new RegExp(`committed \\S+ rollback\\(staging\\): .*, the images of ${first.slice(0, 7)}`));
    assert.equal(tree(root, "HEAD", "environments/staging.images.json"), tree(root, first, "environments/staging.images.json"));
    assert.equal(trailer(root, "HEAD", "Release-Rollback-To"), first);
    assert.equal(trailer(root, "HEAD", "Release-Rollback-Of"), "");
    await assertCheckPasses(root);
  });
});

describe("seal dev, release dev, rollback dev", () => {
  let root = "";
  let sealedSecrets: string[] = [];
  before(async () => {
    root = cloneScratch(template);
    const key = throwawaySealingKey();
    writeFileSync(join(root, "cert.pem"), key.certificatePem);
    const hex = (n: number) => "0123456789abcdef".repeat(8).slice(0, n);
    writeFileSync(
      join(root, ".secrets/dev.env"),
      `todo-database-secret.POSTGRES_USER=todo\ntodo-database-secret.POSTGRES_PASSWORD=${hex(48)}\ntodo-database-secret.POSTGRES_DB=todo\n` +
        `todo-auth-secret.BETTER_AUTH_SECRET=${hex(64)}\ntodo-backend-secret.OPENAI_API_KEY=not-a-real-key-for-tests\ntodo-redis-secret.REDIS_PASSWORD=${hex(40)}\n`,
    );
    await sealEnvironment({ environment: "dev", root, certFile: join(root, "cert.pem") });
    rmSync(join(root, "cert.pem"));
    rmSync(join(root, ".secrets/dev.env"));
    assert.equal((await generatorCli(root, "render", "dev")).status, 0);
    gitIn(root, "add", "-A", "environments", "manifests", "argocd");
    gitIn(root, "commit", "--quiet", "-m", "dev: seal secrets");
    sealedSecrets = readdirSync(join(root, "manifests/dev")).filter((file) => file.startsWith("sealedsecret-"));
    assert.equal(sealedSecrets.length, 4);
  });
  after(() => removeScratch(root));

  it("keeps the SealedSecrets and the sealed file", async () => {
    // The SealedSecrets carry their reader's version label, so the release changes todo-backend-secret's: the rollback puts it back.
    const sealed = tree(root, "HEAD", "environments/dev.sealed.json", ...sealedSecrets.map((file) => `manifests/dev/${file}`));
    await succeeds(root, "release", "dev", "backend=1.1.0");
    assert.ok(existsSync(join(root, "manifests/dev/sealedsecret-todo-backend-secret.yaml")));
    await succeeds(root, "rollback", "dev");
    assert.equal(tree(root, "HEAD", "environments/dev.sealed.json", ...sealedSecrets.map((file) => `manifests/dev/${file}`)), sealed);
    assert.deepEqual(readdirSync(join(root, "manifests/dev")).filter((file) => file.startsWith("sealedsecret-")), sealedSecrets);
    await assertCheckPasses(root);
  });

  it("a rollback whose render would remove a SealedSecret or a PVC refuses without --allow-removal and changes nothing", async () => {
    // Committed by hand without rendering (the hook skipped): the settings no longer have what the manifests hold.
    gitIn(root, "rm", "--quiet", "environments/dev.sealed.json");
    edit(root, "environments/dev.ts", "dapr: { enabled: true }", 'dapr: { enabled: true },\n  database: { mode: "external", externalCidrs: ["192.0.2.0/24"] }');
    gitIn(root, "commit", "--quiet", "--no-verify", "-am", "dev: no sealed values, an external database (not rendered)");
    const before = fingerprint(root);
    for (const dryRun of [[], ["--dry-run"]]) {
      const result = await releaseCli(root, "rollback", "dev", ...dryRun);
      if (dryRun.length) {
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stderr, /^warning: without --allow-removal this would be refused/m);
      } else {
        assert.equal(result.status, 1, result.stdout);
        assert.match(result.stderr, /^refused: dev: this would remove what another commit cannot bring back:$/m);
        assert.match(result.stderr, /^ {2}- SealedSecret todo-dev\/todo-auth-secret \(manifests\/dev\/sealedsecret-todo-auth-secret\.yaml\): Argo CD prunes it/m);
        assert.match(result.stderr, /^ {2}- PersistentVolumeClaim todo-dev\/todo-database-pvc \(manifests\/dev\/persistentvolumeclaim-todo-database-pvc\.yaml\): its volume holds the database/m);
        assert.match(result.stderr, /Pass --allow-removal to commit it all the same/);
        assert.match(result.stderr, /\nNothing was changed\.\n$/);
      }
      assert.equal(fingerprint(root), before, "the repository changed");
    }
  });

  it("with --allow-removal it commits, and the output and the commit body list what goes", async () => {
    const result = await releaseCli(root, "rollback", "dev", "--allow-removal");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^ {2}removes SealedSecret todo-dev\/todo-redis-secret/m);
    assert.match(result.stderr, /^warning: removes PersistentVolumeClaim todo-dev\/todo-database-pvc/m);
    const body = gitIn(root, "log", "-1", "--format=%b");
    assert.match(body, /^Removes \(--allow-removal\):\n- Namespace|^Removes \(--allow-removal\):\n- PersistentVolumeClaim/m);
    assert.match(body, /^- SealedSecret todo-dev\/todo-backend-secret/m);
    assert.equal(existsSync(join(root, "manifests/dev/persistentvolumeclaim-todo-database-pvc.yaml")), false);
    assertClean(root);
    await assertCheckPasses(root);
  });
});
