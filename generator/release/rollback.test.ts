/**
 * Going back. `rollback` undoes an environment's newest image change: the
 * images it ran before, every other setting as it is now, rendered by
 * today's generator. `restore` puts an environment's settings and manifests
 * back exactly as at a commit (Argo CD's History rollback, as a commit),
 * listing every setting it changes besides the images; refused when the
 * generator has changed since (unless --rerender), when the commit predates
 * the delivery settings, or when it would remove a SealedSecret without
 * --allow-removal. In-process (the CLI's run()), in clones of one committed
 * scratch repository; cli.test.ts runs both as processes, across a real
 * change of the generator.
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
  await renderAndCommit(root, message);
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

  it("rolling back twice returns to where you started, and says plainly that it re-applies what the first rollback undid", async () => {
    const note = new RegExp(
      `^ {2}note: this re-applies backend 7\\.7\\.7, which rollback ${short(root, rolledBack)} undid \\(it rolled back ${short(root, released)} "release\\(staging\\): backend 7\\.7\\.7"\\); to go further back instead, name the commit: npm run rollback -- staging <commit>`,
      "m",
    );
    assert.match(await succeeds(root, "rollback", "staging", "--dry-run"), note, "the dry run says it too");
    assert.equal(head(root), rolledBack);
    assert.match(await succeeds(root, "rollback", "staging"), note);
    assert.match(gitIn(root, "log", "-1", "--format=%b"), new RegExp(note.source.replace("^ {2}", "^"), "m"));
    assert.equal(tree(root, "HEAD", ...STAGING), tree(root, released, ...STAGING));
    assert.equal(gitIn(root, "log", "-1", "--format=%s").trim(), `rollback(staging): backend 1.0.0 → 7.7.7, undoing ${short(root, rolledBack)}`);
    assertClean(root);
    await assertCheckPasses(root);
    // A rollback of a release says no such thing.
    assert.doesNotMatch(gitIn(root, "log", "-1", "--format=%b", rolledBack), /re-applies/);
  });

  it("dev given prod's host past the hook: a rule across environments, which no skip gets past: refused, naming the commit to revert", async () => {
    // A broken dev of its own (a duplicate key) is skipped instead: skip-broken.test.ts.
    edit(root, "environments/dev.ts", 'host: "todo.local"', 'host: "prod.todo.local"');
    gitIn(root, "commit", "--quiet", "--no-verify", "-am", "dev: prod's host");
    const broken = short(root, "HEAD");
    // A later commit of another environment's images (a release's kind of change) is not what the rules across environments read.
    edit(root, "environments/prod.images.json", '"tag": "1.0.0"', '"tag": "1.0.1"');
    gitIn(root, "commit", "--quiet", "--no-verify", "-am", "prod: an images change after it");
    const before = fingerprint(root);
    const result = await releaseCli(root, "rollback", "staging", "--dry-run");
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^refused: staging is not what fails: prod breaks the rules across environments:\n.*prod: environments\/prod\.ts: ingress\.host = "prod\.todo\.local": this host is already used by dev/s);
    assert.match(result.stderr, new RegExp(`In an incident: revert the commit that broke it, likely \`git revert ${broken}\` \\(${broken} dev: prod's host, the newest commit that changed another environment's settings file\\), then run this again\\.\nNothing was changed\\.\n$`));
    assert.doesNotMatch(result.stderr, /rejects staging/);
    assert.equal(fingerprint(root), before);
    // The recovery it names works.
    gitIn(root, "revert", "--no-edit", "--quiet", broken);
    assert.equal((await releaseCli(root, "rollback", "staging", "--dry-run")).status, 0);
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

/** Renders every environment and commits the settings with their render, as a user does; returns the commit. */
async function renderAndCommit(root: string, message: string): Promise<string> {
  assert.equal((await generatorCli(root, "render")).status, 0);
  gitIn(root, "add", "-A", "environments", "manifests", "argocd");
  gitIn(root, "commit", "--quiet", "-m", message);
  return head(root);
}

async function refused(root: string, pattern: RegExp, ...argv: string[]): Promise<string> {
  const before = fingerprint(root);
  const result = await releaseCli(root, ...argv);
  assert.equal(result.status, 1, `${argv.join(" ")} was not refused:\n${result.stdout}${result.stderr}`);
  assert.match(result.stderr, pattern);
  assert.match(result.stderr, /\nNothing was changed\.\n$/);
  assert.equal(fingerprint(root), before, "the repository changed");
  return result.stderr;
}

describe("restore <env> <commit>", () => {
  let root = "";
  let initial = "";
  before(async () => {
    root = cloneScratch(template);
    initial = head(root);
    edit(root, "environments/staging.ts", "backend: { replicas: 2 }", 'backend: { replicas: 3, config: { LOG_LEVEL: "DEBUG" } }');
    await renderAndCommit(root, "staging: three replicas, debug logs");
    assert.equal((await releaseCli(root, "release", "staging", "backend=2.0.0")).status, 0);
  });
  after(() => removeScratch(root));

  it("puts the settings and manifests back exactly, and lists every setting it changes besides the images", async () => {
    const result = await releaseCli(root, "restore", "staging", short(root, initial));
    assert.equal(result.status, 0, result.stderr);
    assert.equal(tree(root, "HEAD", ...STAGING), tree(root, initial, ...STAGING));
    assert.equal(tree(root, "HEAD", "argocd"), tree(root, initial, "argocd"));
    assert.match(result.stdout, new RegExp(`committed \\S+ restore\\(staging\\): as at ${initial.slice(0, 7)} \\(backend 1\\.0\\.0, frontend 1\\.0\\.0\\)`));
    assert.match(result.stdout, /Restores the settings and the manifests of \S+ exactly\./);
    assert.match(result.stdout, /^ {4}- backend\.replicas: 3 → 2$/m);
    assert.match(result.stdout, /^ {4}- backend\.config\.LOG_LEVEL: "DEBUG" → "INFO"$/m);
    assert.doesNotMatch(result.stdout, /- (frontend|backend)\.image/, "images are said apart, in the subject");
    const body = gitIn(root, "log", "-1", "--format=%b");
    assert.match(body, /^Settings it changes besides the images:\n {2}- backend\.config\.LOG_LEVEL: "DEBUG" → "INFO"\n {2}- backend\.replicas: 3 → 2$/m);
    assert.equal(trailer(root, "HEAD", "Release-Action"), "restore");
    assert.equal(trailer(root, "HEAD", "Release-Restored-From"), initial);
    assertClean(root);
    assert.equal((await generatorCli(root, "check")).status, 0);
  });

  it("says when it changes an AppProject, which only npm run cluster:up applies", async () => {
    edit(root, "environments/staging.ts", "backend: { replicas: 2 }", "backend: { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4 } }");
    await renderAndCommit(root, "staging: autoscaled backend");
    const result = await releaseCli(root, "restore", "staging", initial);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /argocd\/bootstrap\/appproject-todo-staging\.yaml changed: Argo CD applies argocd\/bootstrap\/ only through `npm run cluster:up`/);
    assert.equal(tree(root, "HEAD", "argocd"), tree(root, initial, "argocd"));
  });

  it("refuses what changes nothing, an unknown commit, and a commit where the environment did not exist", async () => {
    await refused(root, /changes? nothing/, "restore", "staging", initial);
    await refused(root, /target = "nope": not a commit in this repository/, "restore", "staging", "nope");
    const orphan = gitIn(root, "commit-tree", "-m", "empty", gitIn(root, "mktree").trim()).trim();
    await refused(root, /staging did not exist at \S+ \(no environments\/staging\.ts\)/, "restore", "staging", orphan);
  });
});

describe("restore when an exact restore is not possible", () => {
  let root = "";
  let oldRender = "";
  let preDelivery = "";
  before(async () => {
    root = cloneScratch(template);
    // staging as an older generator rendered it (another header), then re-rendered by today's.
    for (const file of readdirSync(join(root, "manifests/staging"))) {
      const path = join(root, "manifests/staging", file);
      writeFileSync(path, readFileSync(path, "utf8").replace(/^# Rendered by .*\n/, "# Rendered by generator 0.0.1\n"));
    }
    edit(root, "environments/staging.ts", "backend: { replicas: 2 }", "backend: { replicas: 3 }");
    gitIn(root, "commit", "--quiet", "--no-verify", "-am", "staging: three replicas (generator 0.0.1)");
    oldRender = head(root);
    // An environment file from before `delivery` was declared.
    const current = readFileSync(join(root, "environments/staging.ts"), "utf8");
    writeFileSync(join(root, "environments/staging.ts"), current.replace(/ {2}delivery: \{[^}]*\},\n/, ""));
    gitIn(root, "commit", "--quiet", "--no-verify", "-am", "staging before delivery");
    preDelivery = head(root);
    writeFileSync(join(root, "environments/staging.ts"), current.replace("backend: { replicas: 3 }", "backend: { replicas: 2 }"));
    await renderAndCommit(root, "generator 0.1: today's header; staging back to two replicas");
  });
  after(() => removeScratch(root));

  it("the generator has changed since: refused, naming the files and what to run instead", async () => {
    const stderr = await refused(root, /the generator has changed since \S+: it renders \S+'s settings differently from the manifests committed then/, "restore", "staging", oldRender);
    assert.match(stderr, /^ {2}changed: manifests\/staging\/deployment-todo-backend\.yaml$/m);
    assert.match(stderr, new RegExp(`^To restore \\S+'s settings rendered by today's generator: npm run restore -- staging ${oldRender.slice(0, 7)} --rerender$`, "m"));
    assert.match(stderr, new RegExp(`^To run only the images it ran: npm run rollback -- staging ${oldRender.slice(0, 7)}$`, "m"));
    // What it suggests works (here after a release, so that there is an image to go back to).
    assert.equal((await releaseCli(root, "release", "staging", "backend=3.0.0")).status, 0);
    const suggested = /^To run only the images it ran: npm run rollback -- (.+)$/m.exec(stderr)![1]!.split(" ");
    const rolledBack = await releaseCli(root, "rollback", ...suggested);
    assert.equal(rolledBack.status, 0, rolledBack.stderr);
    assert.equal(tree(root, "HEAD", "environments/staging.images.json"), tree(root, oldRender, "environments/staging.images.json"));
    assert.equal((await generatorCli(root, "check")).status, 0);
  });

  it("--rerender restores the settings, rendered by today's generator", async () => {
    const result = await releaseCli(root, "restore", "staging", oldRender, "--rerender");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /the manifests are today's render of them \(the generator has changed since\)/);
    assert.match(result.stdout, /- backend\.replicas: 2 → 3/);
    assert.equal(tree(root, "HEAD", "environments/staging.ts"), tree(root, oldRender, "environments/staging.ts"));
    assert.match(readFileSync(join(root, "manifests/staging/deployment-todo-backend.yaml"), "utf8"), /^# Rendered by `npm run render`/);
    assert.equal((await generatorCli(root, "check")).status, 0);
  });

  it("a commit from before the delivery settings: explained, with what to run instead, not a crash", async () => {
    const stderr = await refused(root, /predates the delivery settings: it has no `delivery` block \(cluster, sync, tags, promotedFrom\)/, "restore", "staging", preDelivery);
    assert.match(stderr, new RegExp(`^To run the images it ran: npm run rollback -- staging ${preDelivery.slice(0, 7)}$`, "m"));
    assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace");
  });
});

describe("restore of a commit before sealing", () => {
  let root = "";
  let beforeSealing = "";
  before(async () => {
    root = cloneScratch(template);
    beforeSealing = head(root);
    const key = throwawaySealingKey();
    writeFileSync(join(root, "cert.pem"), key.certificatePem);
    writeFileSync(
      join(root, ".secrets/staging.env"),
      `todo-database-secret.POSTGRES_USER=todo\ntodo-database-secret.POSTGRES_PASSWORD=${"ab12".repeat(12)}\ntodo-database-secret.POSTGRES_DB=todo\n` +
        `todo-auth-secret.BETTER_AUTH_SECRET=${"cd34".repeat(16)}\ntodo-backend-secret.OPENAI_API_KEY=not-a-real-key-for-tests\n`,
    );
    await sealEnvironment({ environment: "staging", root, certFile: join(root, "cert.pem") });
    rmSync(join(root, "cert.pem"));
    rmSync(join(root, ".secrets/staging.env"));
    await renderAndCommit(root, "staging: seal secrets");
  });
  after(() => removeScratch(root));

  it("refuses to remove the SealedSecrets without --allow-removal, and lists them when allowed", async () => {
    const stderr = await refused(root, /staging: this would remove what another commit cannot bring back:/, "restore", "staging", beforeSealing);
    assert.match(stderr, /- SealedSecret todo-staging\/todo-auth-secret \(manifests\/staging\/sealedsecret-todo-auth-secret\.yaml\): Argo CD prunes it \(automated sync\), and the Secret the controller unsealed from it goes with it/);
    const result = await releaseCli(root, "restore", "staging", beforeSealing, "--allow-removal");
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /- sealed todo-auth-secret\.BETTER_AUTH_SECRET: \(sealed\) → \(not set\)/);
    assert.match(gitIn(root, "log", "-1", "--format=%b"), /^Removes \(--allow-removal\):\n(- SealedSecret todo-staging\/todo-\S+ .*\n?){3}/m);
    assert.equal(tree(root, "HEAD", ...STAGING), tree(root, beforeSealing, ...STAGING));
    assertClean(root);
  });
});

describe("an images file with a key stated twice, committed past the hook", () => {
  let root = "";
  before(async () => {
    root = cloneScratch(template);
    await succeeds(root, "release", "staging", "backend=1.1.0");
    const path = join(root, "environments/staging.images.json");
    const text = readFileSync(path, "utf8");
    const twice = text.replace(/"tag": "1\.1\.0"/, '"tag": "1.2.0", "tag": "1.1.0"');
    assert.notEqual(twice, text);
    writeFileSync(path, twice);
    gitIn(root, "commit", "--quiet", "--no-verify", "--all", "--message=staging: a tag stated twice");
  });
  after(() => removeScratch(root));

  it("history does not read it as JSON.parse would (the last value), which the render never deployed", async () => {
    const history = await succeeds(root, "history", "staging");
    const line = history.split("\n").find((entry) => entry.includes("a tag stated twice"));
    assert.ok(line, history);
    assert.doesNotMatch(line, /backend 1\.1\.0|backend 1\.2\.0/, "no image is read from a file the render refuses");
  });

  it("rollback refuses with the duplicate key's position and what to do, and changes nothing", async () => {
    const before = fingerprint(root);
    const result = await releaseCli(root, "rollback", "staging");
    assert.equal(result.status, 1);
    assert.match(result.stderr, /environments\/staging\.images\.json in HEAD cannot be read \(environments\/staging\.images\.json:\d+:\d+: duplicate key backend\.tag: .*\): fix it with npm run release -- staging/);
    assert.equal(fingerprint(root), before);
  });
});
