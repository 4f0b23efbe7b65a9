/**
 * The release workflow in-process (the CLI's run()), in clones of one
 * committed scratch repository: release, promote, the history that labels
 * every commit that changed what an environment runs, and every refusal,
 * which says why and leaves the repository byte for byte as it was: every
 * file, the index, HEAD and `git status`.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SettingsError } from "../errors.ts";
import type { ImagesFile } from "../settings.ts";
import { generatorCli } from "../testing/cli.ts";
import { formatImagesFile } from "./change.ts";
import { history } from "./history.ts";
import { ReleaseRefusal } from "./preconditions.ts";
import { promote } from "./promote.ts";
import { release } from "./release.ts";
import { restore } from "./restore.ts";
import { rollback } from "./rollback.ts";
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
    assert.match(result.stdout, /^ {2}staging: backend 1\.0\.0 → 1\.1\.0$/m, "each image's change");
    assert.match(gitIn(root, "log", "-1", "--format=%b"), /^staging: backend 1\.0\.0 → 1\.1\.0$/m);
    assert.equal(result.stderr, "", "an upgrade: no warning");
    assertClean(root);
  });

  it("promote that lowers a version: done (it may be meant), with each change shown and a warning on stderr and in the body", async () => {
    const fresh = cloneScratch(template);
    try {
      assert.equal((await releaseCli(fresh, "release", "prod", "backend=1.1.0")).status, 0);
      const dryRunResult = await releaseCli(fresh, "promote", "staging", "prod", "--dry-run");
      assert.match(dryRunResult.stderr, /^warning: prod: backend goes back from 1\.1\.0 to 1\.0\.0 \(a lower semantic version\): promoting from staging lowers it/m);
      const result = await releaseCli(fresh, "promote", "staging", "prod");
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /^ {2}prod: backend 1\.1\.0 → 1\.0\.0$/m);
      assert.match(result.stdout, /^ {2}warning: backend goes back from 1\.1\.0 to 1\.0\.0 \(a lower semantic version\)$/m);
      assert.match(result.stderr, /^warning: prod: backend goes back from 1\.1\.0 to 1\.0\.0/m);
      const body = gitIn(fresh, "log", "-1", "--format=%b");
      assert.match(body, /^prod: backend 1\.1\.0 → 1\.0\.0$/m);
      assert.match(body, /^warning: backend goes back from 1\.1\.0 to 1\.0\.0/m);
    } finally {
      removeScratch(fresh);
    }
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

let root = "";

function readImages(environment: string): ImagesFile {
  return JSON.parse(readFileSync(join(root, `environments/${environment}.images.json`), "utf8")) as ImagesFile;
}

/** Rewrites an images file and commits it by hand (nothing rendered), optionally with release trailers. */
function commitTags(environment: string, tags: { frontend: string; backend: string }, trailers?: string): string {
  const images = readImages(environment);
  images.frontend.tag = tags.frontend;
  images.backend.tag = tags.backend;
  writeFileSync(join(root, `environments/${environment}.images.json`), formatImagesFile(images));
  const message = trailers ? ["-m", `hand-made release of ${environment}`, "-m", trailers] : ["-m", `hand edit of ${environment}'s tags`];
  gitIn(root, "commit", "--quiet", ...message, "--", `environments/${environment}.images.json`);
  return head(root);
}

/** Runs the command, expects a refusal matching `message`, and checks nothing changed. */
async function assertRefused(command: () => Promise<unknown>, message: RegExp): Promise<void> {
  const before = fingerprint(root);
  await assert.rejects(command, (error: unknown) => {
    assert.ok(error instanceof ReleaseRefusal, `expected a refusal, got ${String(error)}`);
    assert.match(error.message, message);
    return true;
  });
  assert.equal(fingerprint(root), before, "the repository changed");
}

const dryRun = false;
let devRelease = "";

describe("refusals change nothing", () => {
  before(() => {
    root = cloneScratch(template);
    // History without rendering: hand-made commits that carry the release trailers.
    devRelease = commitTags("dev", { frontend: "1.0.0", backend: "1.1.0" }, "Release-Env: dev\nRelease-Images: backend=1.1.0,frontend=1.0.0\nRelease-Action: release");
    commitTags("staging", { frontend: "2.0.0", backend: "2.0.0" }, "Release-Env: staging\nRelease-Images: backend=2.0.0,frontend=2.0.0\nRelease-Action: release");
    commitTags("prod", { frontend: "2.0.0", backend: "2.0.0" });
  });
  after(() => removeScratch(root));

  it("unknown environment, said as the render says it, with the name meant", async () => {
    const unknown = /^environments\/no-such-env\.ts: unknown environment no-such-env \(there is no such file\): the environments are dev, prod, staging$/;
    await assertRefused(() => release({ root, environment: "no-such-env", assignments: ["backend=1.0.0"], dryRun }), unknown);
    await assertRefused(() => promote({ root, from: "dev", to: "no-such-env", dryRun }), unknown);
    await assertRefused(() => rollback({ root, environment: "no-such-env", dryRun }), unknown);
    assert.throws(() => history(root, "no-such-env"), (error: unknown) => error instanceof ReleaseRefusal && unknown.test(error.message));
    const misspelt = await releaseCli(root, "release", "devv", "backend=1.0.1");
    assert.equal(misspelt.status, 1);
    assert.equal(misspelt.stderr, "refused: environments/devv.ts: unknown environment devv (there is no such file): the environments are dev, prod, staging; did you mean dev?\nNothing was changed.\n");
    assert.match((await releaseCli(root, "history", "prd")).stderr, /^environments\/prd\.ts: unknown environment prd .*; did you mean prod\?\n$/);
  });

  it("unknown component, malformed argument, no argument", async () => {
    await assertRefused(() => release({ root, environment: "prod", assignments: ["web=1.0.0"], dryRun }), /prod: component = "web": unknown component: must be one of frontend, backend/);
    await assertRefused(() => release({ root, environment: "prod", assignments: ["backend"], dryRun }), /prod: images = "backend": must be <component>=<tag>/);
    await assertRefused(() => release({ root, environment: "prod", assignments: [], dryRun }), /name at least one <component>=<tag>/);
    await assertRefused(() => release({ root, environment: "prod", assignments: ["backend=1.0.0", "backend=1.1.0"], dryRun }), /backend is named more than once/);
  });

  it("invalid tags, by the generator's rule, all reported together", async () => {
    await assertRefused(
      () => release({ root, environment: "prod", assignments: ["backend=latest", "frontend=not a tag"], dryRun }),
      /^the generator rejects prod with these images:\ninvalid settings \(2 problems\):\n {2}- prod: environments\/prod\.images\.json: frontend\.tag = "not a tag": must be a valid image tag.*\n {2}- prod: environments\/prod\.images\.json: backend\.tag = "latest": "latest" names whatever was pushed last: delivery\.tags is "pinned"/,
    );
    await assertRefused(() => release({ root, environment: "staging", assignments: ["backend=main"], dryRun: true }), /staging: environments\/staging\.images\.json: backend\.tag = "main": delivery\.tags is "pinned": a tag must be a semantic version or a git SHA/);
  });

  it("a release or promotion that changes nothing", async () => {
    await assertRefused(() => release({ root, environment: "dev", assignments: ["backend=1.1.0"], dryRun }), /dev already runs backend 1\.1\.0, frontend 1\.0\.0: this release changes nothing/);
    await assertRefused(() => promote({ root, from: "staging", to: "prod", dryRun }), /prod already runs what staging runs \(backend 2\.0\.0, frontend 2\.0\.0\)/);
  });

  it("promote to the same environment", async () => {
    await assertRefused(() => promote({ root, from: "prod", to: "prod", dryRun }), /the two environments must differ/);
  });

  it("unknown target, and nothing to roll back", async () => {
    await assertRefused(() => rollback({ root, environment: "dev", target: "0123456789abcdef", dryRun }), /dev: target = "0123456789abcdef": not a commit in this repository/);
    await assertRefused(() => rollback({ root, environment: "dev", target: "--force", dryRun }), /target = "--force": not a commit/);
    await assertRefused(() => restore({ root, environment: "dev", target: "-1", dryRun }), /target = "-1": not a commit/);
    // The images dev runs are those of devRelease already.
    await assertRefused(() => rollback({ root, environment: "dev", target: devRelease.slice(0, 8), dryRun }), /dev already runs the images of \S+: this rollback changes nothing/);
    // prod's only image change is the hand edit; before it, the initial commit's images.
    const fresh = cloneScratch(template);
    try {
      await assert.rejects(rollback({ root: fresh, environment: "prod", dryRun }), /prod: its newest image change, \S+ \(initial\), created environments\/prod\.images\.json: there are no earlier images to go back to/);
    } finally {
      removeScratch(fresh);
    }
  });

  it("uncommitted changes under environments/ or manifests/, for every command, dry run or not", async () => {
    const manifest = join(root, "manifests/prod/namespace-todo-prod.yaml");
    const committed = readFileSync(manifest, "utf8");
    writeFileSync(manifest, `${committed}# edited by hand\n`);
    for (const dryRunToo of [false, true]) {
      await assertRefused(() => release({ root, environment: "dev", assignments: ["backend=1.2.0"], dryRun: dryRunToo }), /release dev: files the render reads or writes have uncommitted changes:\n {2} M manifests\/prod\/namespace-todo-prod\.yaml\n.*Commit them first .* `git stash push --include-untracked`/);
      await assertRefused(() => promote({ root, from: "dev", to: "staging", dryRun: dryRunToo }), /promote dev staging: files the render reads or writes have uncommitted changes/);
      await assertRefused(() => rollback({ root, environment: "dev", dryRun: dryRunToo }), /rollback dev: files the render reads or writes have uncommitted changes/);
    }
    writeFileSync(manifest, committed);

    // Every command may write the Argo CD objects an environment changes, so each wants them committed.
    const application = join(root, "argocd/apps/application-todo-dev.yaml");
    const rendered = readFileSync(application, "utf8");
    writeFileSync(application, `${rendered}# edited by hand\n`);
    for (const command of [
      () => rollback({ root, environment: "dev", dryRun }),
      () => release({ root, environment: "dev", assignments: ["backend=1.2.0"], dryRun }),
      () => restore({ root, environment: "dev", target: "HEAD~3", dryRun }),
    ]) {
      await assertRefused(command, /dev: files the render reads or writes have uncommitted changes:\n {2} M argocd\/apps\/application-todo-dev\.yaml/);
    }
    writeFileSync(application, rendered);

    // Files beside the settings that the render does not read do not block (preconditions.test.ts).

    // What the render reads besides the settings: a cluster's facts render into every environment on it.
    const restoreCluster = edit(root, "clusters/minikube/cluster.ts", 'ingressClass: "nginx"', 'ingressClass: "nginx2"');
    await assertRefused(() => release({ root, environment: "prod", assignments: ["backend=1.2.0"], dryRun: false }), /release prod: files the render reads or writes have uncommitted changes:\n {2} M clusters\/minikube\/cluster\.ts/);
    restoreCluster();
    // A new environment file (untracked), and a deleted tracked one.
    writeFileSync(join(root, "environments/qa.ts"), "export default {};\n");
    await assertRefused(() => release({ root, environment: "prod", assignments: ["backend=1.2.0"], dryRun: false }), /\?\? environments\/qa\.ts/);
    rmSync(join(root, "environments/qa.ts"));
    for (const file of ["package.json", "tsconfig.json"]) {
      const restoreFile = edit(root, file, "{", "{ ");
      await assertRefused(() => rollback({ root, environment: "dev", dryRun: false }), new RegExp(` M ${file.replace(".", "\\.")}`));
      restoreFile();
    }
  });

  it("anything staged elsewhere, which the commit would take along", async () => {
    writeFileSync(join(root, "NOTES.md"), "staged, not committed\n");
    gitIn(root, "add", "NOTES.md");
    await assertRefused(() => release({ root, environment: "dev", assignments: ["backend=1.2.0"], dryRun }), /files are staged for commit \(NOTES\.md\)/);
    await assertRefused(() => rollback({ root, environment: "dev", dryRun }), /files are staged for commit \(NOTES\.md\)/);
    gitIn(root, "rm", "--cached", "--quiet", "NOTES.md");
    rmSync(join(root, "NOTES.md"));
  });

  it("a promotion off the declared path, naming the path", async () => {
    await assertRefused(
      () => promote({ root, from: "dev", to: "prod", dryRun }),
      /^promote dev prod: prod is promoted from staging \(delivery\.promotedFrom in environments\/prod\.ts\), not from dev: the promotion path is dev → staging → prod$/,
    );
    await assertRefused(() => promote({ root, from: "staging", to: "dev", dryRun }), /^promote staging dev: dev is not promoted from any environment .*: its images change by npm run release -- dev <component>=<tag>; the promotion path is dev → staging → prod$/);
  });

  it("a tag promoted into an environment whose rules it breaks", async () => {
    commitTags("dev", { frontend: "latest", backend: "1.1.0" });
    await assertRefused(
      () => promote({ root, from: "dev", to: "staging", dryRun }),
      /^the generator rejects staging with these images \(promoted from dev\):\n.*staging: environments\/staging\.images\.json: frontend\.tag = "latest": "latest" names whatever was pushed last: delivery\.tags is "pinned"/s,
    );
  });

  it("through the CLI: exit code 1 and the reason for a refusal, 2 for a usage error, and nothing changed", async () => {
    const before = fingerprint(root);
    const result = await releaseCli(root, "release", "prod", "backend=latest");
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /^refused: the generator rejects prod with these images:\ninvalid settings \(1 problem\):\n {2}- prod: environments\/prod\.images\.json: backend\.tag = "latest": "latest" names whatever was pushed last: delivery\.tags is "pinned": a tag must be a semantic version or a git SHA \(7-40 hex digits\)\nNothing was changed\.\n$/,
    );
    const offPath = await releaseCli(root, "promote", "dev", "prod");
    assert.equal(offPath.status, 1);
    assert.match(offPath.stderr, /^refused: promote dev prod: prod is promoted from staging .*dev → staging → prod\nNothing was changed\.\n$/);
    const unknownOption = await releaseCli(root, "rollback", "prod", "--frobnicate");
    assert.equal(unknownOption.status, 2, "a usage error, not a refusal");
    assert.match(unknownOption.stderr, /unknown option '--frobnicate'/);
    // An image without `=tag` is a usage error too: exit 2, the usage printed as the user types it (npm run release, not "release release").
    const noTag = await releaseCli(root, "release", "prod", "backend");
    assert.equal(noTag.status, 2, noTag.stderr);
    assert.match(noTag.stderr, /^error: 'backend': each image must be <component>=<tag> or <component>=<tag>@sha256:<digest>, e.g\. backend=1\.4\.0\n\nUsage: npm run release \[options\] <environment> <component=tag\.\.\.>\n/);
    const help = await releaseCli(root, "rollback", "--help");
    assert.match(help.stdout, /^Usage: npm run rollback \[options\] <environment> \[commit\]\n/);
    assert.equal(fingerprint(root), before);
  });

  it("a rollback to images the current generator rejects", async () => {
    commitTags("dev", { frontend: "1.0.0", backend: "not a tag" });
    commitTags("dev", { frontend: "1.0.0", backend: "1.2.9" }, "Release-Env: dev\nRelease-Images: backend=1.2.9,frontend=1.0.0\nRelease-Action: release");
    await assertRefused(
      () => rollback({ root, environment: "dev", dryRun }),
      /^the generator rejects dev with the images of \S+:\n.*dev: environments\/dev\.images\.json: backend\.tag = "not a tag": must be a valid image tag/s,
    );
  });

  // Last: it leaves staging's settings broken for every later render.
  it("staging's images file broken: a release of staging is refused, naming it; a release of dev skips staging and says so", async () => {
    const images = readImages("staging");
    images.backend.repository = "Not A Repository";
    writeFileSync(join(root, "environments/staging.images.json"), formatImagesFile(images));
    gitIn(root, "commit", "--quiet", "-m", "break staging", "--", "environments/staging.images.json");
    // Its images file is read (and refused) before anything renders: a SettingsError, which the CLI prints as a refusal.
    const before = fingerprint(root);
    await assert.rejects(
      () => release({ root, environment: "staging", assignments: ["backend=1.3.0"], dryRun }),
      (error: unknown) => error instanceof SettingsError && /staging: environments\/staging\.images\.json: backend\.repository = "Not A Repository"/.test(error.message),
    );
    assert.equal(fingerprint(root), before);
    // dev is not held up by staging's file (skip-broken.test.ts has the whole story).
    const outcome = await release({ root, environment: "dev", assignments: ["backend=1.3.0"], dryRun });
    assert.match(outcome.warnings.join("\n"), /^staging was skipped: .*\n {2}staging \(last changed by \S+ break staging\):\n {4}staging: environments\/staging\.images\.json: backend\.repository = "Not A Repository"/);
    for (const file of filesChangedBy(root, outcome.commit!)) assert.ok(file === "environments/dev.images.json" || file.startsWith("manifests/dev/"), file);
  });
});
