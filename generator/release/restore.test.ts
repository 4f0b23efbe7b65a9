/**
 * `restore`: an environment's settings and manifests exactly as at a commit
 * (Argo CD's History rollback, as a commit), listing every setting it changes
 * besides the images; refused when the generator has changed since (unless
 * --rerender), when the commit predates the delivery settings, or when it
 * would remove a SealedSecret without --allow-removal. In-process.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { sealEnvironment } from "../secrets/seal-command.ts";
import { throwawaySealingKey } from "../secrets/test-support.ts";
import { generatorCli } from "../testing/cli.ts";
import { assertClean, cloneScratch, edit, fingerprint, gitIn, gitTemplate, head, releaseCli, removeScratch, short, trailer, tree } from "./test-repository.ts";

const template = gitTemplate("todo-restore-");
after(() => removeScratch(template));

const STAGING = ["environments/staging.ts", "environments/staging.images.json", "environments/staging.sealed.json", "manifests/staging"];

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
