/**
 * The release commands as `npm run <command>` starts them (a new Node
 * process on the TypeScript sources), in a scratch repository with its own
 * copy of the generator, which the test changes between the release and the
 * rollback: the incident case, a bad release out and the generator changed
 * since. `release`, `history` and `rollback` also run as processes in the
 * README's recipes (generator/commands/readme-recipes.test.ts); the
 * behaviour in detail is tested in-process beside this.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Result } from "../testing/cli.ts";
import { checkReleaseFilesClean } from "./preconditions.ts";
import { assertClean, edit, fingerprint, gitIn, gitTemplate, head, releaseCli, removeScratch, runCli, runGenerator, short, tree } from "./test-repository.ts";

function succeeded(result: Result, what: string): void {
  assert.equal(result.status, 0, `${what}:\n${result.stdout}${result.stderr}`);
}

describe("the release commands as processes, across a change of the generator", () => {
  let root = "";
  let initial = "";
  let released = "";
  before(() => {
    root = gitTemplate("todo-release-cli-", { copyGenerator: true });
    initial = head(root);
  });
  after(() => removeScratch(root));

  it("refuses, changing nothing, while the generator's code has uncommitted changes: the release commit would carry their render", async () => {
    const before = fingerprint(root);
    const restoreLabels = edit(root, "generator/lib/labels.ts", "app.kubernetes.io/part-of", "app.kubernetes.io/part-off");
    try {
      const result = await releaseCli(root, "release", "prod", "backend=1.1.0");
      assert.equal(result.status, 1, result.stdout + result.stderr);
      assert.match(result.stderr, /^refused: release prod: files the render reads or writes have uncommitted changes:\n {2} M generator\/lib\/labels\.ts\n.*git stash push --include-untracked.*\nNothing was changed\.\n$/);
    } finally {
      restoreLabels();
    }
    // A new module nothing imports is not the generator's code: from the sources, the import graph is followed as the launcher bundles it.
    writeFileSync(join(root, "generator/lib/new-helper.ts"), "export const x = 1;\n");
    try {
      const promoted = await releaseCli(root, "promote", "staging", "prod", "--dry-run");
      assert.doesNotMatch(promoted.stderr, /new-helper/);
      await assert.doesNotReject(checkReleaseFilesClean(root, "release prod"));
      // With the bundle's list of its sources (generator/launcher/build.mjs), the same: only those count.
      await assert.doesNotReject(checkReleaseFilesClean(root, "release prod", { generatorSources: ["generator/lib/labels.ts"] }));
      await assert.rejects(checkReleaseFilesClean(root, "release prod", { generatorSources: ["generator/lib/new-helper.ts"] }), /\?\? generator\/lib\/new-helper\.ts/);
      // Once a module imports it, it is read (and the importer, changed, is too).
      const restoreLabels = edit(root, "generator/lib/labels.ts", "/**", 'import "./new-helper.ts";\n/**');
      try {
        await assert.rejects(checkReleaseFilesClean(root, "release prod"), /release prod: .*:\n {2} M generator\/lib\/labels\.ts\n {2}\?\? generator\/lib\/new-helper\.ts\n/);
      } finally {
        restoreLabels();
      }
    } finally {
      rmSync(join(root, "generator/lib/new-helper.ts"));
    }
    // Tests are not the render's: a new one does not block a release.
    writeFileSync(join(root, "generator/lib/new-helper.test.ts"), "export {};\n");
    await assert.doesNotReject(checkReleaseFilesClean(root, "release prod"));
    rmSync(join(root, "generator/lib/new-helper.test.ts"));
    assert.equal(fingerprint(root), before);
  });

  it("release (in-process: the generator is still the same)", async () => {
    const result = await releaseCli(root, "release", "staging", "backend=7.7.7");
    succeeded(result, "release");
    released = head(root);
    assert.match(result.stdout, /^committed \S+ release\(staging\): backend 7\.7\.7$/m);
    // The generator changes: every file it renders gets another header.
    const render = join(root, "generator/render.ts");
    writeFileSync(render, readFileSync(render, "utf8").replace("# Rendered by `npm run render`.", "# Rendered by `npm run render` (generator 2)."));
    succeeded(runGenerator(root, "render"), "render with the new generator");
    gitIn(root, "add", "-A");
    gitIn(root, "commit", "--quiet", "-m", "generator 2: a new header");
  });

  it("rollback: the images before the release, rendered by the changed generator, check passing", () => {
    const result = runCli(root, "rollback", "staging");
    succeeded(result, "rollback");
    assert.match(result.stdout, new RegExp(`^committed \\S+ rollback\\(staging\\): backend 7\\.7\\.7 → 1\\.0\\.0, undoing ${short(root, released)}$`, "m"));
    assert.equal(tree(root, "HEAD", "environments/staging.images.json", "environments/staging.ts"), tree(root, initial, "environments/staging.images.json", "environments/staging.ts"));
    assert.match(readFileSync(join(root, "manifests/staging/deployment-todo-backend.yaml"), "utf8"), /^# Rendered by `npm run render` \(generator 2\)\./);
    assertClean(root);
    succeeded(runGenerator(root, "check"), "check after the rollback");
  });

  it("promote", () => {
    const result = runCli(root, "promote", "dev", "staging", "--dry-run");
    assert.equal(result.status, 1, "dev and staging run the same images now");
    assert.match(result.stderr, /^refused: staging already runs what dev runs \(backend 1\.0\.0, frontend 1\.0\.0\): this promotion changes nothing\nNothing was changed\.\n$/);
  });

  it("restore: an exact restore of a revision the old generator rendered is refused, saying what to run", () => {
    const result = runCli(root, "restore", "staging", short(root, released));
    assert.equal(result.status, 1);
    assert.match(result.stderr, /the generator has changed since \S+: it renders \S+'s settings differently/);
    assert.match(result.stderr, /--rerender\n/);
  });

  it("history (in-process: it reads Git only)", async () => {
    const result = await releaseCli(root, "history", "staging");
    succeeded(result, "history");
    const kinds = result.stdout.trimEnd().split("\n").slice(1).map((row) => /\s(release|rollback|generator change|settings change)\s/.exec(row)?.[1]);
    assert.deepEqual(kinds, ["rollback", "generator change", "release", "settings change"], result.stdout);
  });
});
