/**
 * The release workflow end to end, through the CLI as users run it, in a
 * throwaway copy of the repository: release, promote, rollback and history.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { compareRendered, hasDrift } from "../commands/output.ts";
import { renderRepository } from "../commands/pipeline.ts";
import { copyRepository, fingerprint, gitIn, removeRepository, runCli } from "./test-repository.ts";

/** What a rollback of dev restores (dev.sealed.json is absent throughout, and must stay so). */
const DEV_PATHS = ["environments/dev.ts", "environments/dev.images.json", "environments/dev.sealed.json", "manifests/dev"];

function head(root: string): string {
  return gitIn(root, "rev-parse", "HEAD").trim();
}

function filesChangedBy(root: string, commit: string): string[] {
  return gitIn(root, "diff-tree", "--no-commit-id", "--name-only", "-r", commit).split("\n").filter(Boolean);
}

function trailer(root: string, commit: string, key: string): string {
  return gitIn(root, "log", "-1", `--format=%(trailers:key=${key},valueonly)`, commit).trim();
}

/** Blob ids and paths: equal listings mean byte-identical files. */
function tree(root: string, commit: string, ...paths: string[]): string {
  return gitIn(root, "ls-tree", "-r", commit, "--", ...paths);
}

function tags(root: string, environment: string): Record<string, string> {
  const images = JSON.parse(readFileSync(join(root, `environments/${environment}.images.json`), "utf8")) as Record<string, { tag: string }>;
  return Object.fromEntries(Object.entries(images).map(([component, ref]) => [component, ref.tag]));
}

function assertOnlyEnvironmentFiles(files: string[], environment: string): void {
  assert.ok(files.length > 0, "the commit changes something");
  for (const file of files) {
    assert.ok(file === `environments/${environment}.images.json` || file.startsWith(`manifests/${environment}/`), `${file} is not one of ${environment}'s release files`);
  }
}

function assertClean(root: string): void {
  assert.equal(gitIn(root, "status", "--porcelain", "--untracked-files=all"), "", "the working tree is clean");
}

describe("release, promote, rollback and history (CLI)", () => {
  let root = "";
  const commits: Record<string, string> = {};
  let devFrontendTag = "";

  before(() => {
    root = copyRepository();
    commits.initial = head(root);
    devFrontendTag = tags(root, "dev").frontend!;
  });
  after(() => removeRepository(root));

  it("release --dry-run prints the diff of dev's files and changes nothing", () => {
    const before = fingerprint(root);
    const result = runCli(root, "release", "dev", "backend=1.1.0", "--dry-run");
    assert.equal(result.status, 0, result.stderr);
    assert.equal(fingerprint(root), before);
    assert.match(result.stdout, /^--- a\/environments\/dev\.images\.json\n\+\+\+ b\/environments\/dev\.images\.json$/m);
    assert.match(result.stdout, /^\+.*"tag": "1\.1\.0"/m);
    assert.match(result.stdout, /^\+\+\+ b\/manifests\/dev\/deployment-todo-backend\.yaml$/m);
    assert.match(result.stdout, /^\+\s+image: \S+:1\.1\.0$/m);
    const patched = [...result.stdout.matchAll(/^\+\+\+ b\/(\S+)$/gm)].map((match) => match[1]!);
    assertOnlyEnvironmentFiles(patched, "dev");
    assert.match(result.stdout, /dry run: would commit "release\(dev\): backend 1\.1\.0"/);
  });

  it("release makes one commit with dev's settings and exactly what the generator renders from them", async () => {
    const result = runCli(root, "release", "dev", "backend=1.1.0");
    assert.equal(result.status, 0, result.stderr);
    commits.release1 = head(root);
    assert.equal(gitIn(root, "rev-parse", "HEAD~1").trim(), commits.initial);
    assert.equal(gitIn(root, "log", "-1", "--format=%s").trim(), "release(dev): backend 1.1.0");
    const files = filesChangedBy(root, "HEAD");
    assertOnlyEnvironmentFiles(files, "dev");
    assert.ok(files.includes("environments/dev.images.json"));
    assert.ok(files.includes("manifests/dev/deployment-todo-backend.yaml"));
    assert.deepEqual(tags(root, "dev"), { frontend: devFrontendTag, backend: "1.1.0" });
    assert.equal(trailer(root, "HEAD", "Release-Env"), "dev");
    assert.equal(trailer(root, "HEAD", "Release-Images"), `backend=1.1.0,frontend=${devFrontendTag}`);
    assert.equal(trailer(root, "HEAD", "Release-Action"), "release");
    assertClean(root);
    const drift = compareRendered(root, await renderRepository({ environments: ["dev"], root }));
    assert.equal(hasDrift(drift), false, `committed manifests differ from a fresh render: ${JSON.stringify(drift)}`);
  });

  it("promote copies dev's tags to staging and touches only staging's files", () => {
    const result = runCli(root, "promote", "dev", "staging");
    assert.equal(result.status, 0, result.stderr);
    commits.promote = head(root);
    assertOnlyEnvironmentFiles(filesChangedBy(root, "HEAD"), "staging");
    assert.deepEqual(tags(root, "staging"), tags(root, "dev"));
    assert.equal(gitIn(root, "log", "-1", "--format=%s").trim(), `promote(staging): from dev (backend 1.1.0, frontend ${devFrontendTag})`);
    assert.equal(trailer(root, "HEAD", "Release-Env"), "staging");
    assert.equal(trailer(root, "HEAD", "Release-Action"), "promote");
    assert.equal(trailer(root, "HEAD", "Release-Promoted-From"), "dev");
    assertClean(root);
  });

  it("a second release of dev", () => {
    const result = runCli(root, "release", "dev", "frontend=1.2.0", "backend=1.2.0");
    assert.equal(result.status, 0, result.stderr);
    commits.release2 = head(root);
    assert.equal(gitIn(root, "log", "-1", "--format=%s").trim(), "release(dev): backend 1.2.0, frontend 1.2.0");
    assert.equal(trailer(root, "HEAD", "Release-Images"), "backend=1.2.0,frontend=1.2.0");
  });

  it("rollback (default) restores the previous release byte for byte, in a new commit, touching no other environment", () => {
    const result = runCli(root, "rollback", "dev");
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, "", "no warning: the current generator renders the restored settings to exactly the restored manifests");
    commits.rollback1 = head(root);
    assert.equal(gitIn(root, "rev-parse", "HEAD~1").trim(), commits.release2, "history is not rewritten");
    assert.equal(tree(root, "HEAD", ...DEV_PATHS), tree(root, commits.release1!, ...DEV_PATHS));
    assertOnlyEnvironmentFiles(filesChangedBy(root, "HEAD"), "dev");
    assertClean(root);
    const short = gitIn(root, "rev-parse", "--short", commits.release1!).trim();
    assert.equal(gitIn(root, "log", "-1", "--format=%s").trim(), `rollback(dev): to ${short} (backend 1.1.0, frontend ${devFrontendTag})`);
    assert.equal(trailer(root, "HEAD", "Release-Action"), "rollback");
    assert.equal(trailer(root, "HEAD", "Release-Rollback-To"), commits.release1);
    assert.equal(trailer(root, "HEAD", "Release-Images"), `backend=1.1.0,frontend=${devFrontendTag}`);
  });

  it("rollback <commit> --dry-run prints git's diff and changes nothing", () => {
    const before = fingerprint(root);
    const result = runCli(root, "rollback", "dev", commits.release2!.slice(0, 10), "--dry-run");
    assert.equal(result.status, 0, result.stderr);
    assert.equal(fingerprint(root), before);
    assert.match(result.stdout, /^diff --git a\/environments\/dev\.images\.json b\/environments\/dev\.images\.json$/m);
    assert.match(result.stdout, /^\+.*"tag": "1\.2\.0"/m);
    assert.match(result.stdout, /dry run: would commit "rollback\(dev\): to /);
  });

  it("rollback -<n> goes n releases back: -3 is the initial commit", () => {
    const result = runCli(root, "rollback", "dev", "-3");
    assert.equal(result.status, 0, result.stderr);
    commits.rollback2 = head(root);
    assert.equal(tree(root, "HEAD", ...DEV_PATHS), tree(root, commits.initial!, ...DEV_PATHS));
    assertOnlyEnvironmentFiles(filesChangedBy(root, "HEAD"), "dev");
    assert.equal(trailer(root, "HEAD", "Release-Rollback-To"), commits.initial);
    assertClean(root);
  });

  it("history lists what release, promote and rollback made, newest first, in aligned columns, from Git only", () => {
    // An uncommitted edit must not show: history reads commits, not the working tree.
    const imagesFile = join(root, "environments/dev.images.json");
    const committed = readFileSync(imagesFile, "utf8");
    writeFileSync(imagesFile, committed.replace(/"tag": "[^"]*"/, '"tag": "9.9.9"'));
    const result = runCli(root, "history", "dev");
    writeFileSync(imagesFile, committed);
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /9\.9\.9/);

    const [header, ...rows] = result.stdout.trimEnd().split("\n");
    assert.match(header!, /^REVISION\s+COMMIT\s+DATE\s+AUTHOR\s+IMAGES\s+DESCRIPTION$/);
    const short = (name: string) => gitIn(root, "rev-parse", "--short", commits[name]!).trim();
    const expected = ["rollback2", "rollback1", "release2", "release1", "initial"];
    assert.equal(rows.length, expected.length, result.stdout);
    for (const [index, row] of rows.entries()) {
      const [revision, commit] = row.split(/\s+/);
      assert.equal(revision, String(expected.length - index));
      assert.equal(commit, short(expected[index]!));
      for (const column of ["COMMIT", "DATE", "AUTHOR", "IMAGES", "DESCRIPTION"]) {
        const start = header!.indexOf(column);
        assert.match(row.slice(start - 2, start + 1), /^ {2}\S$/, `column ${column} starts at ${start} in: ${row}`);
      }
      assert.match(row.slice(header!.indexOf("DATE")), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d) /);
      assert.match(row.slice(header!.indexOf("AUTHOR")), /^Release Tester /);
    }
    assert.match(rows[0]!, new RegExp(`rollback to ${short("initial")} \\(revision 1\\)`));
    assert.match(rows[1]!, new RegExp(`backend 1\\.1\\.0, frontend ${devFrontendTag.replace(/\./g, "\\.")}\\s+rollback to ${short("release1")} \\(revision 2\\): backend 1\\.2\\.0 → 1\\.1\\.0`));
    assert.match(rows[2]!, /backend 1\.2\.0, frontend 1\.2\.0\s+release backend 1\.1\.0 → 1\.2\.0, frontend \S+ → 1\.2\.0$/);
    assert.match(rows[3]!, /release backend \S+ → 1\.1\.0$/);
    assert.match(rows[4]!, /initial/);

    const staging = runCli(root, "history", "staging");
    assert.equal(staging.status, 0, staging.stderr);
    const stagingRows = staging.stdout.trimEnd().split("\n").slice(1);
    assert.equal(stagingRows.length, 2, staging.stdout);
    assert.match(stagingRows[0]!, new RegExp(`^2\\s+${short("promote")}\\s.*promote from dev \\(backend \\S+ → 1\\.1\\.0\\)$`));
    assert.match(stagingRows[1]!, new RegExp(`^1\\s+${short("initial")}\\s`));
  });
});
