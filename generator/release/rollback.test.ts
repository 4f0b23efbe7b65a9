/**
 * Rollback when more than the image tags changed since the target release:
 * environments/<env>.ts goes back with the images file and the manifests,
 * and the result passes the drift check; or, when the generator itself has
 * changed since, the rollback refuses and changes nothing. Each scenario runs
 * the CLI in a throwaway Git copy of the repository, with a real history of
 * settings changes rendered and committed the way a user makes them.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CliResult, copyRepository, fingerprint, gitIn, removeRepository, runCli, runGenerator } from "./test-repository.ts";

const INGRESS = "manifests/dev/ingress-todo-ingress.yaml";
const DEV_APPLICATION = "argocd/apps/application-todo-dev.yaml";
/** dev's AppProject admits the kinds dev renders: an autoscaled backend adds the HPA. */
const DEV_PROJECT = "argocd/bootstrap/appproject-todo-dev.yaml";
const DEV_PATHS = ["environments/dev.ts", "environments/dev.images.json", "environments/dev.sealed.json", "manifests/dev"];
const OTHER_PATHS = ["environments/staging.ts", "environments/staging.images.json", "manifests/staging", "environments/prod.ts", "environments/prod.images.json", "manifests/prod"];

function head(root: string): string {
  return gitIn(root, "rev-parse", "HEAD").trim();
}

function short(root: string, commit: string): string {
  return gitIn(root, "rev-parse", "--short", commit).trim();
}

/** Blob ids and paths: equal listings mean byte-identical files (and the same files absent). */
function tree(root: string, commit: string, ...paths: string[]): string {
  return gitIn(root, "ls-tree", "-r", commit, "--", ...paths);
}

function filesChangedBy(root: string, commit: string): string[] {
  return gitIn(root, "diff-tree", "--no-commit-id", "--name-only", "-r", commit).split("\n").filter(Boolean);
}

function assertSucceeded(result: CliResult, what: string): void {
  assert.equal(result.status, 0, `${what} failed:\n${result.stdout}${result.stderr}`);
}

/** dev.ts as committed, with `change` merged over what it states (a TypeScript object literal). */
function devSettings(original: string, change: string): string {
  return (
    original.replace(/export default defineEnvironment\(/, "const stated = defineEnvironment(") +
    `\nimport { merge as mergeForTest } from "../generator/testing/merge.ts";\nexport default mergeForTest(stated, ${change});\n`
  );
}

/** A settings or generator change as a user commits it: edited, rendered in full, committed together. */
function commitRendered(root: string, message: string): void {
  assertSucceeded(runGenerator(root, "render"), `render for "${message}"`);
  gitIn(root, "add", "--all");
  gitIn(root, "commit", "--quiet", "--message", message);
}

describe("rollback across a change of environments/dev.ts", () => {
  let root = "";
  let original = "";
  let target = "";
  let beforeRollback = "";
  let result: CliResult;

  before(() => {
    root = copyRepository();
    original = readFileSync(join(root, "environments/dev.ts"), "utf8");
    assert.match(original, /export default defineEnvironment\(/, "dev.ts has the shape this test patches");
    assert.ok(existsSync(join(root, INGRESS)), "dev renders an Ingress to begin with");

    // The target release: no Ingress, and an autoscaled backend, which also changes dev's Argo CD Application.
    writeFileSync(join(root, "environments/dev.ts"), devSettings(original, "{ ingress: { enabled: false }, backend: { autoscaling: { enabled: true } } }"));
    commitRendered(root, "dev: no Ingress, autoscaled backend");
    assertSucceeded(runCli(root, "release", "dev", "backend=1.1.0"), "release backend=1.1.0");
    target = head(root);

    writeFileSync(join(root, "environments/dev.ts"), original);
    commitRendered(root, "dev: the Ingress again, a fixed replica count");
    assertSucceeded(runCli(root, "release", "dev", "backend=1.2.0"), "release backend=1.2.0");
    beforeRollback = head(root);
    assert.notEqual(tree(root, beforeRollback, DEV_APPLICATION), tree(root, target, DEV_APPLICATION), "the settings change reached dev's Argo CD Application");

    result = runCli(root, "rollback", "dev");
  });
  after(() => removeRepository(root));

  it("restores environments/dev.ts, the images file and manifests/dev/ byte for byte, removing files the target did not have", () => {
    assertSucceeded(result, "rollback");
    assert.equal(gitIn(root, "rev-parse", "HEAD~1").trim(), beforeRollback, "one new commit; history is not rewritten");
    assert.equal(tree(root, "HEAD", ...DEV_PATHS), tree(root, target, ...DEV_PATHS));
    assert.equal(readFileSync(join(root, "environments/dev.ts"), "utf8"), gitIn(root, "show", `${target}:environments/dev.ts`));
    assert.equal(existsSync(join(root, INGRESS)), false, "the Ingress the target did not have is removed");
    assert.equal(gitIn(root, "status", "--porcelain", "--untracked-files=all"), "", "the working tree is clean");
    assert.equal(gitIn(root, "log", "-1", "--format=%(trailers:key=Release-Rollback-To,valueonly)").trim(), target);
    assert.equal(gitIn(root, "log", "-1", "--format=%(trailers:key=Release-Action,valueonly)").trim(), "rollback");
  });

  it("re-renders dev's Argo CD Application from the restored settings, so the commit passes the drift check", () => {
    assert.equal(tree(root, "HEAD", "argocd"), tree(root, target, "argocd"), "Argo CD's objects are as they were rendered at the target");
    assert.match(result.stdout, new RegExp(`re-rendered from the restored settings: ${DEV_APPLICATION.replace(/\./g, "\\.")}`));
    assert.match(result.stdout, /argocd\/bootstrap\/ changed, which Argo CD applies only through `npm run cluster:up`/, "the widened project needs the bootstrap");
    assert.doesNotMatch(result.stderr, /warning/);
    const check = runGenerator(root, "check");
    assert.equal(check.status, 0, `npm run check fails after the rollback:\n${check.stderr}`);
  });

  it("touches no other environment", () => {
    const changed = filesChangedBy(root, "HEAD");
    assert.ok(changed.includes("environments/dev.ts"), `dev.ts is part of the rollback: ${changed.join(", ")}`);
    for (const file of changed) {
      assert.ok(
        DEV_PATHS.some((path) => file === path || file.startsWith(`${path}/`)) || file === DEV_APPLICATION || file === DEV_PROJECT,
        `${file} is not one of dev's files`,
      );
    }
    assert.equal(tree(root, "HEAD", ...OTHER_PATHS), tree(root, beforeRollback, ...OTHER_PATHS));
  });

  it("history lists the releases and the rollback, not the settings commits in between", () => {
    const history = runCli(root, "history", "dev");
    assertSucceeded(history, "history");
    const rows = history.stdout.trimEnd().split("\n").slice(1);
    assert.equal(rows.length, 4, history.stdout);
    assert.match(rows[0]!, new RegExp(`rollback to ${short(root, target)} \\(revision 2\\): backend 1\\.2\\.0 → 1\\.1\\.0$`));
    assert.match(rows[1]!, /release backend 1\.1\.0 → 1\.2\.0$/);
    assert.match(rows[2]!, /release backend \S+ → 1\.1\.0$/);
    assert.match(rows[3]!, /initial/);
  });
});

describe("rollback when the generator has changed since the target release", () => {
  let root = "";
  let target = "";
  let refusal = "";

  before(() => {
    root = copyRepository();
    assertSucceeded(runCli(root, "release", "dev", "backend=1.1.0"), "release backend=1.1.0");
    target = head(root);

    // A new generator version: it labels objects with it, so it renders every release's settings differently.
    const packageJson = join(root, "package.json");
    const manifest = JSON.parse(readFileSync(packageJson, "utf8")) as { version: string };
    writeFileSync(packageJson, readFileSync(packageJson, "utf8").replace(`"version": "${manifest.version}"`, '"version": "99.0.0"'));
    const devTs = join(root, "environments/dev.ts");
    writeFileSync(devTs, devSettings(readFileSync(devTs, "utf8"), '{ backend: { config: { LOG_LEVEL: "INFO" } } }'));
    commitRendered(root, "generator 99.0.0; dev logs at INFO");
    assertSucceeded(runCli(root, "release", "dev", "backend=1.2.0"), "release backend=1.2.0");
  });
  after(() => removeRepository(root));

  it("refuses, naming the files the current generator renders differently and what to run instead, and changes nothing", () => {
    for (const dryRun of [[], ["--dry-run"]]) {
      const before = fingerprint(root);
      const result = runCli(root, "rollback", "dev", target, ...dryRun);
      assert.equal(result.status, 1, `rollback ${dryRun.join(" ")} was not refused:\n${result.stdout}${result.stderr}`);
      assert.equal(fingerprint(root), before, "the repository changed");
      const shortTarget = short(root, target);
      assert.match(result.stderr, new RegExp(`^refused: dev: target = "${target}": the generator has changed since ${shortTarget} \\(revision 2\\)`));
      assert.match(result.stderr, /^ {2}changed: manifests\/dev\/namespace-todo-dev\.yaml$/m);
      assert.doesNotMatch(result.stderr, /manifests\/(staging|prod)\//, "only dev's files are named");
      assert.match(result.stderr, /^ {2}npm run release -- dev backend=1\.1\.0 frontend=\S+$/m);
      assert.match(result.stderr, new RegExp(`git diff HEAD ${shortTarget} -- environments/dev\\.ts\``));
      assert.match(result.stderr, /\nNothing was changed\.\n$/);
      refusal = result.stderr;
    }
  });

  it("the release it suggests instead works: the target's images, rendered by the current generator", () => {
    const suggested = /^ {2}npm run release -- (dev .+)$/m.exec(refusal);
    assert.ok(suggested, `no release suggested in:\n${refusal}`);
    assertSucceeded(runCli(root, "release", ...suggested[1]!.split(" ")), "the suggested release");
    assert.equal(tree(root, "HEAD", "environments/dev.images.json"), tree(root, target, "environments/dev.images.json"));
    const check = runGenerator(root, "check");
    assert.equal(check.status, 0, check.stderr);
  });
});
