/**
 * An incident with another environment broken: dev's files committed past the
 * pre-commit hook (a duplicate key in dev.ts, a bad repository in
 * dev.images.json). The release commands of staging and prod go on: they
 * warn naming dev and its problem, check staging (or prod) in full, and
 * commit only its own files. What cannot be done safely still refuses: a
 * promotion from dev (its images are the input), staging's own problems, a
 * restore to a commit where staging does not load, and a change that would
 * alter an argocd/ file every environment shares. render and check stay strict.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ARGOCD_APPS_DIR, ARGOCD_BOOTSTRAP_DIR } from "../components/argocd.ts";
import { imagesFileName } from "../environment-files.ts";
import { render, ownArgocdFiles } from "../render.ts";
import type { Settings } from "../settings.ts";
import { generatorCli } from "../testing/cli.ts";
import { environments } from "../testing/fixtures.ts";
import { formatImagesFile } from "./change.ts";
import { assertClean, cloneScratch, edit, filesChangedBy, fingerprint, gitIn, gitTemplate, head, releaseCli, removeScratch, short, tree } from "./test-repository.ts";

const template = gitTemplate("todo-skip-broken-");
after(() => removeScratch(template));

async function succeeds(root: string, ...argv: string[]): Promise<{ stdout: string; stderr: string }> {
  const result = await releaseCli(root, ...argv);
  assert.equal(result.status, 0, `${argv.join(" ")}:\n${result.stdout}${result.stderr}`);
  return result;
}

/** Runs a release command that must refuse, leaving everything as it was; returns its stderr. */
async function refused(root: string, pattern: RegExp, ...argv: string[]): Promise<string> {
  const before = fingerprint(root);
  const result = await releaseCli(root, ...argv);
  assert.equal(result.status, 1, `${argv.join(" ")} should be refused:\n${result.stdout}${result.stderr}`);
  assert.match(result.stderr, pattern);
  assert.match(result.stderr, /\nNothing was changed\.\n$/);
  assert.equal(fingerprint(root), before, "a refusal changed the repository");
  return result.stderr;
}

/** Commits dev.ts with a duplicate key, past the hook, as someone in a hurry would; returns the commit. */
function breakDevSettings(root: string): string {
  edit(root, "environments/dev.ts", "  dapr: { enabled: true },", "  dapr: { enabled: true },\n  dapr: { enabled: false },");
  gitIn(root, "commit", "--quiet", "--no-verify", "-am", "dev: a duplicate key");
  return head(root);
}

/** Commits dev.images.json with a repository no registry accepts; returns the commit. */
function breakDevImages(root: string): string {
  const path = join(root, imagesFileName("dev"));
  const images = JSON.parse(readFileSync(path, "utf8"));
  images.backend.repository = "Not A Repository";
  writeFileSync(path, formatImagesFile(images));
  gitIn(root, "commit", "--quiet", "--no-verify", "-am", "dev: a bad repository");
  return head(root);
}

/** The files one commit changes besides another: `git diff --name-only`. */
function filesBetween(root: string, from: string, to: string): string[] {
  return gitIn(root, "diff", "--name-only", from, to).split("\n").filter(Boolean).sort();
}

const STAGING_WARNING =
  /^warning: dev was skipped: its own files do not load or break its rules, so only staging was checked and only its files written \(manifests\/staging\/, its settings files, its own Argo CD Application and AppProject\):\n {2}dev \(last changed by \S+ dev: a duplicate key\):\n {4}environments\/dev\.ts:\d+:\d+: .*Duplicate key.*\nThe rules across environments that involve dev \(one cluster, unique namespaces, hosts and node ports, the promotion path\) were not checked, and the argocd\/ files every environment shares were left as they are\. `npm run check` \(and render, diff\) will fail until dev is fixed: they check every environment, on purpose\.$/m;

describe("dev.ts broken past the hook: a rollback of staging in an incident", () => {
  let root = "";
  let good = "";
  let bad = "";
  let broken = "";
  before(async () => {
    root = cloneScratch(template);
    await succeeds(root, "release", "staging", "backend=1.1.0", "frontend=1.1.0");
    good = head(root);
    await succeeds(root, "release", "staging", "backend=1.2.0", "frontend=1.2.0");
    bad = head(root);
    broken = breakDevSettings(root);
  });
  after(() => removeScratch(root));

  it("render and check stay strict: they fail, naming dev's file", async () => {
    const check = await generatorCli(root, "check");
    assert.notEqual(check.status, 0);
    assert.match(check.stderr, /environments\/dev\.ts:\d+:\d+: .*Duplicate key/);
    const renderStaging = await generatorCli(root, "render", "staging");
    assert.notEqual(renderStaging.status, 0, "render -- staging is strict too");
  });

  it("--dry-run goes on, warns naming dev and its problem, and changes nothing", async () => {
    const before = fingerprint(root);
    const { stdout, stderr } = await succeeds(root, "rollback", "staging", "--dry-run");
    assert.match(stderr, STAGING_WARNING);
    assert.match(stdout, /^dry run: would commit "rollback\(staging\): backend 1\.2\.0 → 1\.1\.0, frontend 1\.2\.0 → 1\.1\.0, undoing /m);
    // The diff holds staging's files only.
    const patched = [...stdout.matchAll(/^\+\+\+ b\/(\S+)$/gm)].map((match) => match[1]!);
    assert.ok(patched.length > 1);
    for (const path of patched) assert.ok(path === "environments/staging.images.json" || path.startsWith("manifests/staging/"), path);
    assert.equal(fingerprint(root), before);
  });

  it("commits exactly the files the bad release changed, back to their bytes before it, and says why in the body", async () => {
    const { stderr } = await succeeds(root, "rollback", "staging");
    assert.match(stderr, STAGING_WARNING);
    assert.equal(gitIn(root, "rev-parse", "HEAD~1").trim(), broken);
    // The exact set: what the bad release changed (the images file and the manifests that name the images), nothing else.
    const changed = filesChangedBy(root, "HEAD").sort();
    assert.deepEqual(changed, filesBetween(root, good, bad));
    assert.ok(changed.includes("environments/staging.images.json"));
    assert.ok(changed.every((path) => path === "environments/staging.images.json" || path.startsWith("manifests/staging/")), changed.join("\n"));
    assert.equal(tree(root, "HEAD", "manifests/staging", "environments/staging.images.json"), tree(root, good, "manifests/staging", "environments/staging.images.json"));
    // dev's Application and AppProject, and the Dapr control plane only dev uses, are left exactly as they were.
    assert.equal(tree(root, "HEAD", "argocd", "manifests/dev", "manifests/prod"), tree(root, broken, "argocd", "manifests/dev", "manifests/prod"));
    const body = gitIn(root, "log", "-1", "--format=%b");
    assert.match(body, /^Warning: dev was skipped: its own files do not load/m);
    assert.match(body, /environments\/dev\.ts:\d+:\d+: .*Duplicate key/);
    assert.match(body, /were not checked/);
    assertClean(root);
  });

  it("the commit is consistent: once dev's breaking commit is reverted, npm run check passes", async () => {
    gitIn(root, "revert", "--no-edit", "--quiet", broken);
    const check = await generatorCli(root, "check");
    assert.equal(check.status, 0, check.stderr);
    // Back to broken for the tests below.
    gitIn(root, "revert", "--no-edit", "--quiet", "HEAD");
  });

  it("staging's own problems still refuse", async () => {
    await refused(root, /^refused: the generator rejects staging with these images:\n.*staging: environments\/staging\.images\.json: backend\.tag = "latest"/s, "release", "staging", "backend=latest");
  });

  it("promote dev staging is refused: dev's images are the input", async () => {
    await refused(
      root,
      /^refused: promote dev staging: dev's own files do not load or break its rules, and its images are what staging would get:\nenvironments\/dev\.ts:\d+:\d+: .*Duplicate key/,
      "promote",
      "dev",
      "staging",
    );
  });

  it("promote staging prod goes on: staging's source being dev, which does not load, is no problem of staging's", async () => {
    const { stderr } = await succeeds(root, "promote", "staging", "prod", "--dry-run");
    assert.match(stderr, /^warning: dev was skipped: .* so only prod was checked/m);
  });
});

describe("dev.images.json with a bad repository: a rollback of prod", () => {
  let root = "";
  before(() => {
    root = cloneScratch(template);
  });
  after(() => removeScratch(root));

  it("goes on, names dev's images file and the rule, and writes prod's files only", async () => {
    const before = head(root);
    await succeeds(root, "release", "prod", "backend=2.0.0");
    const released = head(root);
    const broken = breakDevImages(root);
    const { stderr } = await succeeds(root, "rollback", "prod");
    assert.match(stderr, /^warning: dev was skipped: .* so only prod was checked and only its files written/m);
    assert.match(stderr, /^ {2}dev \(last changed by \S+ dev: a bad repository\):\n {4}dev: environments\/dev\.images\.json: backend\.repository = "Not A Repository": /m);
    assert.deepEqual(filesChangedBy(root, "HEAD").sort(), filesBetween(root, before, released));
    assert.equal(tree(root, "HEAD", "manifests/prod", "environments/prod.images.json"), tree(root, before, "manifests/prod", "environments/prod.images.json"));
    assert.equal(tree(root, "HEAD", "argocd"), tree(root, broken, "argocd"));
    assertClean(root);
  });
});

describe("what cannot be done safely while dev is broken", () => {
  let root = "";
  let daprStaging = "";
  let brokenStaging = "";
  let threeReplicas = "";
  /** Edits staging.ts, renders and commits as a user would; returns the commit. */
  async function commitStaging(message: string, from: string, to: string): Promise<string> {
    edit(root, "environments/staging.ts", from, to);
    assert.equal((await generatorCli(root, "render")).status, 0);
    gitIn(root, "add", "-A", "environments", "manifests", "argocd");
    gitIn(root, "commit", "--quiet", "-m", message);
    return head(root);
  }
  before(async () => {
    root = cloneScratch(template);
    // staging with Dapr for a while, then without again; with three backend replicas for a while.
    daprStaging = await commitStaging("staging: Dapr", "  backend: { replicas: 2 },", "  backend: { replicas: 2 },\n  dapr: { enabled: true },");
    gitIn(root, "revert", "--no-edit", "--quiet", "HEAD");
    threeReplicas = await commitStaging("staging: three backend replicas", "  backend: { replicas: 2 },", "  backend: { replicas: 3 },");
    gitIn(root, "revert", "--no-edit", "--quiet", "HEAD");
    // staging's own file broken for one commit, then fixed.
    edit(root, "environments/staging.ts", "  backend: { replicas: 2 },", "  backend: { replicas: 2 },\n  backend: { replicas: 3 },");
    gitIn(root, "commit", "--quiet", "--no-verify", "-am", "staging: a duplicate key");
    brokenStaging = head(root);
    gitIn(root, "revert", "--no-edit", "--quiet", "HEAD");
    breakDevSettings(root);
  });
  after(() => removeScratch(root));

  it("a restore that turns Dapr on in staging would change the Dapr control plane's files, which depend on dev too: refused", async () => {
    await refused(
      root,
      /^refused: staging: this change alters argocd\/ files every environment shares:\n {2}- argocd\/apps\/application-dapr\.yaml\n {2}- argocd\/bootstrap\/appproject-dapr\.yaml\nWhat they must hold depends on every environment, and dev does not load, so that cannot be done safely while dev is broken: fix dev first/,
      "restore",
      "staging",
      short(root, daprStaging),
    );
  });

  it("a restore to a commit where staging itself does not load: refused, naming staging's file", async () => {
    await refused(root, /^refused: the generator rejects staging with the settings of \S+:\nenvironments\/staging\.ts:\d+:\d+: .*Duplicate key/, "restore", "staging", short(root, brokenStaging));
  });

  it("a restore to a commit where staging loads goes on, and lists the settings it changes", async () => {
    const { stdout, stderr } = await succeeds(root, "restore", "staging", short(root, threeReplicas), "--dry-run");
    assert.match(stderr, /^warning: dev was skipped/m);
    // staging's current settings are read past dev's broken file: the change is listed, not "no setting".
    assert.match(stdout, /Settings it changes besides the images:\n\s+- backend\.replicas/);
  });
  /** Commits `to` in place of staging's replicas line past the hook, expects `restore staging <the commit before>` refused with `pattern`, then drops the commit. */
  async function restoreOverBrokenStagingRefused(to: string, message: string, pattern: RegExp): Promise<void> {
    const fine = head(root);
    edit(root, "environments/staging.ts", "  backend: { replicas: 2 },", to);
    gitIn(root, "commit", "--quiet", "--no-verify", "-am", message);
    try {
      await refused(root, pattern, "restore", "staging", short(root, fine));
    } finally {
      gitIn(root, "reset", "--quiet", "--hard", fine);
    }
  }

  it("a restore that would fix staging while dev is broken too: refused, since what staging's change does to the shared files cannot be told", async () => {
    await restoreOverBrokenStagingRefused(
      "  backend: { replicas: 2 },\n  backend: { replicas: 3 },",
      "staging: a duplicate key again",
      /^refused: staging: its committed files do not load either, so whether this change alters the argocd\/ files every environment shares cannot be told while dev does not load; fix dev first/,
    );
  });

  it("a restore that would end a clash between staging and prod while dev is broken: refused, saying the committed environments break a rule across environments", async () => {
    await restoreOverBrokenStagingRefused(
      '  backend: { replicas: 2 },\n  ingress: { host: "prod.todo.local" },',
      "staging: prod's host",
      /^refused: staging: the committed environments break a rule across environments or a shared file:\n.*this host is already used by.*\n, so whether this change alters the argocd\/ files every environment shares cannot be told while dev does not load; fix dev first/s,
    );
  });
});

describe("an image change never alters an argocd/ file every environment shares (why a release of images is never refused for it)", () => {
  it("for every environment: other tags, a digest, another repository change only its manifests and its own Argo CD objects", async () => {
    const all = (await environments()).map(({ settings }) => settings);
    const shared = (files: Map<string, string>, own: string[]) =>
      new Map([...files].filter(([path]) => (path.startsWith(`${ARGOCD_APPS_DIR}/`) || path.startsWith(`${ARGOCD_BOOTSTRAP_DIR}/`)) && !own.includes(path)));
    const baseline = await render(all);
    for (const settings of all) {
      const moved: Settings = structuredClone(settings);
      for (const component of ["frontend", "backend"] as const) {
        moved[component].image = { repository: `registry.example.com/other-${component}`, tag: "9.9.9", digest: `sha256:${"a".repeat(64)}` };
      }
      const changed = await render(all.map((candidate) => (candidate === settings ? moved : candidate)));
      const own = ownArgocdFiles(settings);
      assert.deepEqual(shared(changed.files, own), shared(baseline.files, own), settings.name);
      assert.notDeepEqual(changed.objects.get(settings.name), baseline.objects.get(settings.name), "the change is real: its manifests differ");
    }
  });
});
