/**
 * The release workflow in-process (the CLI's run()), in a clone of a
 * committed scratch repository: release, promote, and the history that
 * labels every commit that changed what an environment runs.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
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
} from "./test-repository.ts";

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

const template = gitTemplate("todo-release-");
after(() => removeScratch(template));

describe("release, promote and history", () => {
  let root = "";
  const commits: Record<string, string> = {};
  before(() => {
    root = cloneScratch(template);
    commits.initial = head(root);
  });
  after(() => removeScratch(root));

  it("release --dry-run prints the diff of dev's files and changes nothing", async () => {
    const before = fingerprint(root);
    const result = await releaseCli(root, "release", "dev", "backend=1.1.0", "--dry-run");
    assert.equal(result.status, 0, result.stderr);
    assert.equal(fingerprint(root), before);
    assert.match(result.stdout, /^--- a\/environments\/dev\.images\.json\n\+\+\+ b\/environments\/dev\.images\.json$/m);
    assert.match(result.stdout, /^\+.*"tag": "1\.1\.0"/m);
    assert.match(result.stdout, /^\+\s+image: \S+:1\.1\.0$/m);
    assertOnlyEnvironmentFiles([...result.stdout.matchAll(/^\+\+\+ b\/(\S+)$/gm)].map((match) => match[1]!), "dev");
    assert.match(result.stdout, /dry run: would commit "release\(dev\): backend 1\.1\.0"/);
  });

  it("release makes one commit with dev's images and exactly what the generator renders from them", async () => {
    const result = await releaseCli(root, "release", "dev", "backend=1.1.0");
    assert.equal(result.status, 0, result.stderr);
    commits.release = head(root);
    assert.equal(gitIn(root, "rev-parse", "HEAD~1").trim(), commits.initial);
    assert.equal(gitIn(root, "log", "-1", "--format=%s").trim(), "release(dev): backend 1.1.0");
    assertOnlyEnvironmentFiles(filesChangedBy(root, "HEAD"), "dev");
    assert.deepEqual(tags(root, "dev"), { frontend: "1.0.0", backend: "1.1.0" });
    assert.equal(trailer(root, "HEAD", "Release-Env"), "dev");
    assert.equal(trailer(root, "HEAD", "Release-Images"), "backend=1.1.0,frontend=1.0.0");
    assert.equal(trailer(root, "HEAD", "Release-Action"), "release");
    assert.match(result.stdout, /Push it \(git push\) for Argo CD to see it\./);
    assertClean(root);
    assert.equal((await generatorCli(root, "check")).status, 0);
  });

  it("promote copies dev's tags to staging and touches only staging's files", async () => {
    const result = await releaseCli(root, "promote", "dev", "staging");
    assert.equal(result.status, 0, result.stderr);
    commits.promote = head(root);
    assertOnlyEnvironmentFiles(filesChangedBy(root, "HEAD"), "staging");
    assert.deepEqual(tags(root, "staging"), tags(root, "dev"));
    assert.equal(gitIn(root, "log", "-1", "--format=%s").trim(), "promote(staging): from dev (backend 1.1.0, frontend 1.0.0)");
    assert.equal(trailer(root, "HEAD", "Release-Promoted-From"), "dev");
    assertClean(root);
  });

  it("history labels every commit that changed manifests/<env>/, with the images each ran, newest first, from Git only", async () => {
    assert.equal((await releaseCli(root, "release", "staging", "backend=1.2.0")).status, 0);
    commits.release2 = head(root);
    assert.equal((await releaseCli(root, "rollback", "staging")).status, 0);
    commits.rollback = head(root);
    assert.equal((await releaseCli(root, "restore", "staging", commits.release2!)).status, 0);
    commits.restore = head(root);
    edit(root, "environments/staging.ts", "backend: { replicas: 2 }", "backend: { replicas: 3 }");
    assert.equal((await generatorCli(root, "render", "staging")).status, 0);
    gitIn(root, "commit", "--quiet", "-am", "staging: three backend replicas");
    commits.settings = head(root);
    // A generator change: the generator's version and what it renders (here, by hand).
    edit(root, "package.json", '"version": "0.1.0"', '"version": "0.2.0"');
    const namespace = join(root, "manifests/staging/namespace-todo-staging.yaml");
    writeFileSync(namespace, readFileSync(namespace, "utf8").replace("app.kubernetes.io/version: 0.1.0", "app.kubernetes.io/version: 0.2.0"));
    gitIn(root, "commit", "--quiet", "--no-verify", "-am", "generator 0.2.0");
    commits.generator = head(root);
    // An uncommitted edit must not show.
    edit(root, "environments/staging.images.json", '"tag": "1.2.0"', '"tag": "9.9.9"');

    const result = await releaseCli(root, "history", "staging");
    gitIn(root, "checkout", "--", ".");
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /9\.9\.9/);
    const [header, ...rows] = result.stdout.trimEnd().split("\n");
    assert.match(header!, /^REVISION\s+COMMIT\s+DATE\s+AUTHOR\s+KIND\s+IMAGES\s+DESCRIPTION$/);
    const expected: [string, string, RegExp][] = [
      ["generator", "generator change", /backend 1\.2\.0, frontend 1\.0\.0\s+generator 0\.2\.0$/],
      ["settings", "settings change", /backend 1\.2\.0, frontend 1\.0\.0\s+staging: three backend replicas$/],
      ["restore", "restore", new RegExp(`restore of ${short(root, commits.release2!)} \\(revision 3\\): backend 1\\.1\\.0 → 1\\.2\\.0$`)],
      ["rollback", "rollback", new RegExp(`backend 1\\.1\\.0, frontend 1\\.0\\.0\\s+rollback of ${short(root, commits.release2!)} \\(revision 3\\): backend 1\\.2\\.0 → 1\\.1\\.0$`)],
      ["release2", "release", /release backend 1\.1\.0 → 1\.2\.0$/],
      ["promote", "promotion", /promote from dev \(backend 1\.0\.0 → 1\.1\.0\)$/],
      ["initial", "settings change", /backend 1\.0\.0, frontend 1\.0\.0\s+initial \(backend 1\.0\.0, frontend 1\.0\.0\)$/],
    ];
    assert.equal(rows.length, expected.length, result.stdout);
    for (const [index, row] of rows.entries()) {
      const [name, kind, description] = expected[index]!;
      const [revision, commit] = row.split(/\s+/);
      assert.equal(revision, String(expected.length - index));
      assert.equal(commit, short(root, commits[name]!));
      assert.equal(row.slice(header!.indexOf("KIND")).split(/\s{2,}/)[0], kind, row);
      assert.match(row, description);
      for (const column of ["COMMIT", "DATE", "AUTHOR", "KIND", "IMAGES", "DESCRIPTION"]) {
        const start = header!.indexOf(column);
        assert.match(row.slice(start - 2, start + 1), /^ {2}\S$/, `column ${column} starts at ${start} in: ${row}`);
      }
      assert.match(row.slice(header!.indexOf("DATE")), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d) /);
    }
    assertClean(root);
  });
});
