/**
 * Every refusal says why and leaves the repository byte for byte as it was:
 * every file, the index, HEAD and `git status`.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ImagesFile } from "../settings.ts";
import { formatImagesFile } from "./change.ts";
import { history } from "./history.ts";
import { ReleaseRefusal } from "./preconditions.ts";
import { promote } from "./promote.ts";
import { release } from "./release.ts";
import { rollback } from "./rollback.ts";
import { restore } from "./restore.ts";
import { cloneScratch, fingerprint, gitIn, gitTemplate, releaseCli, removeScratch } from "./test-repository.ts";

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
  return gitIn(root, "rev-parse", "HEAD").trim();
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
let stagingRelease = "";

describe("refusals change nothing", () => {
  before(() => {
    root = cloneScratch(gitTemplate("todo-refusals-"));
    // History without rendering: hand-made commits that carry the release trailers.
    devRelease = commitTags("dev", { frontend: "1.0.0", backend: "1.1.0" }, "Release-Env: dev\nRelease-Images: backend=1.1.0,frontend=1.0.0\nRelease-Action: release");
    stagingRelease = commitTags("staging", { frontend: "2.0.0", backend: "2.0.0" }, "Release-Env: staging\nRelease-Images: backend=2.0.0,frontend=2.0.0\nRelease-Action: release");
    commitTags("prod", { frontend: "2.0.0", backend: "2.0.0" });
  });
  after(() => removeScratch(root, gitIn(root, "config", "remote.origin.url").trim()));

  it("unknown environment", async () => {
    await assertRefused(() => release({ root, environment: "qa", assignments: ["backend=1.0.0"], dryRun }), /qa: environment = "qa": unknown environment: must be one of dev, prod, staging/);
    await assertRefused(() => promote({ root, from: "dev", to: "qa", dryRun }), /qa: environment = "qa": unknown environment/);
    await assertRefused(() => rollback({ root, environment: "qa", dryRun }), /qa: environment = "qa": unknown environment/);
    assert.throws(() => history(root, "qa"), /qa: environment = "qa": unknown environment: Git knows dev, prod, staging/);
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
    const fresh = cloneScratch(gitIn(root, "config", "remote.origin.url").trim());
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
      await assertRefused(() => release({ root, environment: "dev", assignments: ["backend=1.2.0"], dryRun: dryRunToo }), /release dev: there are uncommitted changes under environments\/, manifests\/, argocd\/apps\/ or argocd\/bootstrap\/:\n {2} M manifests\/prod\/namespace-todo-prod\.yaml/);
      await assertRefused(() => promote({ root, from: "dev", to: "staging", dryRun: dryRunToo }), /promote dev staging: there are uncommitted changes/);
      await assertRefused(() => rollback({ root, environment: "dev", dryRun: dryRunToo }), /rollback dev: there are uncommitted changes/);
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
      await assertRefused(command, /dev: there are uncommitted changes under environments\/, manifests\/, argocd\/apps\/ or argocd\/bootstrap\/:\n {2} M argocd\/apps\/application-todo-dev\.yaml/);
    }
    writeFileSync(application, rendered);

    const untracked = join(root, "environments/notes.txt");
    writeFileSync(untracked, "not committed\n");
    await assertRefused(() => release({ root, environment: "dev", assignments: ["backend=1.2.0"], dryRun }), /\?\? environments\/notes\.txt/);
    rmSync(untracked);
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

  it("through the CLI: exit code 1, the reason, and nothing changed", async () => {
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
    assert.equal(unknownOption.status, 1);
    assert.match(unknownOption.stderr, /unknown option '--frobnicate'/);
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
  it("a render the generator rejects: the images file is put back byte for byte", async () => {
    const images = readImages("staging");
    images.backend.repository = "Not A Repository";
    writeFileSync(join(root, "environments/staging.images.json"), formatImagesFile(images));
    gitIn(root, "commit", "--quiet", "-m", "break staging", "--", "environments/staging.images.json");
    await assertRefused(
      () => release({ root, environment: "dev", assignments: ["backend=1.3.0"], dryRun }),
      /the generator rejects dev with these images:\n.*staging: environments\/staging\.images\.json: backend\.repository = "Not A Repository"/s,
    );
  });
});
