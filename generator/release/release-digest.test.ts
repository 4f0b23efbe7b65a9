/**
 * `npm run release -- <env> backend=<tag>@sha256:<digest>`: the digest the
 * tag points at goes into the images file beside the tag and into every
 * container that runs the image; a later release without one removes it (a
 * digest belongs to one tag); a bad digest is refused like a bad tag, naming
 * the file, the path, the value and the rule, with nothing changed; promote
 * carries the digest with the tag; a rollback names the digests it changes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ImagesFile } from "../settings.ts";
import { ReleaseRefusal } from "./preconditions.ts";
import { changedTags, parseImageArgument, parseReleaseTags, withTags } from "./release.ts";
import { cloneScratch, fingerprint, gitIn, gitTemplate, releaseCli, removeScratch } from "./test-repository.ts";

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
const OTHER = `sha256:${"fedcba9876543210".repeat(4)}`;

const IMAGES: ImagesFile = {
  frontend: { repository: "todo-frontend", tag: "1.0.0" },
  backend: { repository: "registry.example.com/todo-backend", tag: "1.0.0", digest: OTHER },
};

describe("the release argument", () => {
  it("is a tag, or a tag and the digest after its first @", () => {
    assert.deepEqual(parseImageArgument("1.4.0"), { tag: "1.4.0" });
    assert.deepEqual(parseImageArgument(`1.4.0@${DIGEST}`), { tag: "1.4.0", digest: DIGEST });
    assert.deepEqual(parseImageArgument("3f2c1ab@sha256:"), { tag: "3f2c1ab", digest: "sha256:" }, "the declaration refuses the empty digest, with its rule");
    assert.deepEqual(parseImageArgument(`@${DIGEST}`), { tag: "", digest: DIGEST }, "and the missing tag");
  });

  it("names each component once, with its tag and digest", () => {
    assert.deepEqual(parseReleaseTags("staging", [`backend=1.4.0@${DIGEST}`, "frontend=1.4.0"]), { backend: { tag: "1.4.0", digest: DIGEST }, frontend: { tag: "1.4.0" } });
    assert.throws(() => parseReleaseTags("staging", ["backend:1.4.0"]), (error: unknown) => error instanceof ReleaseRefusal && /<component>=<tag>@sha256:<digest>/.test(error.message));
  });

  it("sets the digest named with the tag, and removes the old one when none is named", () => {
    const pinned = withTags(IMAGES, { frontend: { tag: "1.4.0", digest: DIGEST } });
    assert.deepEqual(pinned.frontend, { repository: "todo-frontend", tag: "1.4.0", digest: DIGEST });
    const unpinned = withTags(IMAGES, { backend: { tag: "1.4.0" } });
    assert.deepEqual(unpinned.backend, { repository: "registry.example.com/todo-backend", tag: "1.4.0" }, "no digest of 1.0.0 under 1.4.0");
    assert.deepEqual(IMAGES.backend.digest, OTHER, "the input is not changed");
  });

  it("counts a new digest under the same tag as a change, and shows it shortened", () => {
    const next = withTags(IMAGES, { backend: { tag: "1.0.0", digest: DIGEST } });
    assert.deepEqual(changedTags(IMAGES, next), { backend: "1.0.0@sha256:0123456789ab" });
    assert.deepEqual(changedTags(IMAGES, withTags(IMAGES, { backend: { tag: "1.0.0", digest: OTHER } })), {});
    assert.deepEqual(changedTags(IMAGES, withTags(IMAGES, { backend: { tag: "1.0.0" } })), { backend: "1.0.0" });
  });
});

describe("release and promote with a digest (the CLI in-process, in a scratch clone)", () => {
  let template = "";
  let root = "";
  before(() => {
    template = gitTemplate("todo-digest-");
    root = cloneScratch(template);
  });
  after(() => removeScratch(root, template));

  const images = (environment: string) => JSON.parse(readFileSync(join(root, `environments/${environment}.images.json`), "utf8")) as ImagesFile;
  const manifest = (path: string) => readFileSync(join(root, "manifests", path), "utf8");

  it("writes the digest beside the tag, and renders it into the backend, its migration and its smoke test", async () => {
    const result = await releaseCli(root, "release", "staging", `backend=1.4.0@${DIGEST}`);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(images("staging").backend, { repository: "todo-backend", tag: "1.4.0", digest: DIGEST });
    assert.match(readFileSync(join(root, "environments/staging.images.json"), "utf8"), new RegExp(`"backend": \\{ "repository": "todo-backend", "tag": "1\\.4\\.0", "digest": "${DIGEST}" \\}`));
    for (const file of ["staging/deployment-todo-backend.yaml", "staging/job-todo-migration.yaml", "staging/job-todo-smoke-test.yaml"]) {
      assert.match(manifest(file), new RegExp(`image: todo-backend:1\\.4\\.0@${DIGEST}\\n`), file);
    }
    assert.match(manifest("staging/deployment-todo-backend.yaml"), /app\.kubernetes\.io\/version: 1\.4\.0\n/);
    assert.equal(gitIn(root, "log", "-1", "--format=%s").trim(), "release(staging): backend 1.4.0@sha256:0123456789ab");
    assert.equal(gitIn(root, "status", "--porcelain"), "");
  });

  it("promotes the digest with the tag: what was tested is what runs", async () => {
    const result = await releaseCli(root, "promote", "staging", "prod");
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(images("prod").backend, { repository: "todo-backend", tag: "1.4.0", digest: DIGEST });
    assert.match(manifest("prod/deployment-todo-backend.yaml"), new RegExp(`image: todo-backend:1\\.4\\.0@${DIGEST}\\n`));
  });

  it("a release without a digest removes the previous one", async () => {
    const result = await releaseCli(root, "release", "staging", "backend=1.4.1");
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(images("staging").backend, { repository: "todo-backend", tag: "1.4.1" });
    assert.match(manifest("staging/deployment-todo-backend.yaml"), /image: todo-backend:1\.4\.1\n/);
  });

  it("a rollback that changes only a digest names the images, tag and digest, in its subject and in what a second rollback re-applies", async () => {
    // The same tag, first without its digest, then with it: only the digest differs.
    assert.equal((await releaseCli(root, "release", "staging", "backend=1.4.2")).status, 0);
    const released = await releaseCli(root, "release", "staging", `backend=1.4.2@${DIGEST}`);
    assert.equal(released.status, 0, released.stderr);
    const release = gitIn(root, "rev-parse", "--short", "HEAD").trim();
    const first = await releaseCli(root, "rollback", "staging");
    assert.equal(first.status, 0, first.stderr);
    const rolledBack = gitIn(root, "rev-parse", "--short", "HEAD").trim();
    assert.equal(gitIn(root, "log", "-1", "--format=%s").trim(), `rollback(staging): backend 1.4.2@sha256:0123456789ab → 1.4.2, undoing ${release}`);
    const second = await releaseCli(root, "rollback", "staging");
    assert.equal(second.status, 0, second.stderr);
    assert.equal(gitIn(root, "log", "-1", "--format=%s").trim(), `rollback(staging): backend 1.4.2 → 1.4.2@sha256:0123456789ab, undoing ${rolledBack}`);
    assert.match(second.stdout, new RegExp(`^ {2}note: this re-applies backend 1\\.4\\.2@sha256:0123456789ab, which rollback ${rolledBack} undid \\(it rolled back ${release} `, "m"));
    assert.deepEqual(images("staging").backend, { repository: "todo-backend", tag: "1.4.2", digest: DIGEST });
  });

  it("refuses a malformed digest with the file, path, value and rule, and changes nothing", async () => {
    const before = fingerprint(root);
    const result = await releaseCli(root, "release", "staging", "backend=1.5.0@sha256:0123", "frontend=1.5.0@md5:abc");
    assert.equal(result.status, 1);
    assert.match(result.stderr, /staging: environments\/staging\.images\.json: backend\.digest = "sha256:0123": must be a sha256 digest: sha256: and 64 lowercase hex digits/);
    assert.match(result.stderr, /staging: environments\/staging\.images\.json: frontend\.digest = "md5:abc": must be a sha256 digest/);
    assert.match(result.stderr, /Nothing was changed\./);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    assert.equal(fingerprint(root), before);
  });
});
