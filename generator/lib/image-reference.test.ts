/**
 * Image references with a digest: written as `repository:tag@sha256:…` into
 * every container that runs the image, read back the same way, and declared
 * in the settings so that an environment can pin each image.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { postgresImage, redisImage } from "../images.ts";
import type { KubeObject } from "../kube-object.ts";
import { renderEnvironment } from "../render.ts";
import { declaredSettings, problemsWith } from "../testing/fixtures.ts";
import { formatImageReference, isPinnedByDigest, parseImageReference } from "./image-reference.ts";

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
const OTHER = `sha256:${"fedcba9876543210".repeat(4)}`;

// Rendered objects read as plain data.
type Data = any;

/** Every container of every pod template: `Kind/name container` → image. */
function imagesIn(objects: KubeObject[]): Map<string, string> {
  const images = new Map<string, string>();
  for (const object of objects as Data[]) {
    const spec = object.spec?.template?.spec;
    if (!spec) continue;
    for (const container of [...(spec.initContainers ?? []), ...spec.containers]) images.set(`${object.kind}/${object.metadata.name} ${container.name}`, container.image);
  }
  return images;
}

describe("image references", () => {
  it("are repository:tag, and repository:tag@digest with a digest", () => {
    assert.equal(formatImageReference({ repository: "todo-backend", tag: "1.4.0" }), "todo-backend:1.4.0");
    assert.equal(formatImageReference({ repository: "todo-backend", tag: "1.4.0", digest: undefined }), "todo-backend:1.4.0");
    assert.equal(formatImageReference({ repository: "registry.example.com:5000/todo/backend", tag: "1.4.0", digest: DIGEST }), `registry.example.com:5000/todo/backend:1.4.0@${DIGEST}`);
  });

  it("read back into the same parts, a registry's port not taken for a tag", () => {
    for (const image of [
      { repository: "postgres", tag: "17.10-alpine", digest: DIGEST },
      { repository: "registry.example.com:5000/todo/backend", tag: "3f2c1ab" },
      { repository: "docker.io/library/redis", tag: "8.6.5-alpine", digest: OTHER },
    ]) {
      assert.deepEqual(parseImageReference(formatImageReference(image)), image);
    }
    assert.deepEqual(parseImageReference("registry.example.com:5000/todo"), { repository: "registry.example.com:5000/todo" });
    assert.deepEqual(parseImageReference(`postgres@${DIGEST}`), { repository: "postgres", digest: DIGEST });
  });

  it("count as pinned only with a valid sha256 digest", () => {
    assert.equal(isPinnedByDigest(`postgres:17.10-alpine@${DIGEST}`), true);
    assert.equal(isPinnedByDigest(`postgres@${DIGEST}`), true);
    assert.equal(isPinnedByDigest("postgres:17.10-alpine"), false);
    assert.equal(isPinnedByDigest("postgres:17.10-alpine@sha256:0123"), false);
    assert.equal(isPinnedByDigest(`postgres:17.10-alpine@${DIGEST.toUpperCase().replace("SHA256", "sha256")}`), false);
    assert.equal(isPinnedByDigest(undefined), false);
  });
});

describe("a digest in the settings reaches every container that runs the image", () => {
  it("a released image's digest: the backend, its migration and its smoke test run it; the version label stays the tag", () => {
    const images = { frontend: { repository: "todo-frontend", tag: "1.4.0" }, backend: { repository: "todo-backend", tag: "1.4.0", digest: DIGEST } };
    const objects = renderEnvironment(declaredSettings("qa", { dapr: { enabled: true } }, images));
    const rendered = imagesIn(objects);
    assert.equal(rendered.get("Deployment/todo-backend backend"), `todo-backend:1.4.0@${DIGEST}`);
    assert.equal(rendered.get("Job/todo-migration migrate"), `todo-backend:1.4.0@${DIGEST}`);
    assert.equal(rendered.get("Job/todo-smoke-test smoke-test"), `todo-backend:1.4.0@${DIGEST}`);
    assert.equal(rendered.get("Deployment/todo-frontend frontend"), "todo-frontend:1.4.0", "no digest: the tag alone");
    const backend = (objects as Data[]).find((o) => o.kind === "Deployment" && o.metadata.name === "todo-backend");
    assert.equal(backend.metadata.labels["app.kubernetes.io/version"], "1.4.0");
  });

  it("the third-party images carry their pinned digest by default, also where the migration waits for the database", () => {
    const rendered = imagesIn(renderEnvironment(declaredSettings("qa", { dapr: { enabled: true } })));
    const postgres = formatImageReference({ repository: "postgres", ...postgresImage.pinned });
    const redis = formatImageReference({ repository: "redis", ...redisImage.pinned });
    assert.equal(rendered.get("StatefulSet/todo-database postgres"), postgres);
    assert.equal(rendered.get("Job/todo-migration wait-for-database"), postgres);
    assert.equal(rendered.get("Deployment/todo-redis redis"), redis);
    assert.match(postgres, /^postgres:17\.10-alpine@sha256:[0-9a-f]{64}$/);
  });

  it("another tag with its own digest, or a mirror of the same release, is accepted and rendered", async () => {
    const settings = declaredSettings("qa", { database: { image: { repository: "mirror.example.com/library/postgres", tag: "17.11-alpine", digest: OTHER } }, dapr: { enabled: true, redis: { image: { repository: "mirror.example.com/library/redis" } } } });
    const rendered = imagesIn(renderEnvironment(settings));
    assert.equal(rendered.get("StatefulSet/todo-database postgres"), `mirror.example.com/library/postgres:17.11-alpine@${OTHER}`);
    assert.equal(rendered.get("Deployment/todo-redis redis"), `mirror.example.com/library/redis:8.6.5-alpine@${redisImage.pinned.digest}`, "a mirror keeps the release's digest");
    assert.deepEqual(await problemsWith("dev", { settings: { database: { image: { tag: "17.11-alpine", digest: OTHER } } } }), []);
  });
});
