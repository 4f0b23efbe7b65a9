import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadEnvironments } from "../load/environments.ts";
import { InvalidObjectsError } from "../errors.ts";
import { RenderCache, contentKey } from "./render-cache.ts";
import { render } from "../render.ts";
import { renderRepository } from "./pipeline.ts";
import { find, renderedRepository, withChange } from "../testing/fixtures.ts";

const dir = mkdtempSync(join(tmpdir(), "todo-render-cache-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const { objects } = await renderedRepository();
const deployment = find(objects.get("dev")!, "Deployment", "todo-backend");

describe("the render cache's content key", () => {
  it("is the same for equal content and differs for any change, key order included", () => {
    assert.equal(contentKey(structuredClone(deployment)), contentKey(deployment));
    assert.notEqual(contentKey(withChange(deployment, (d) => (d.spec.replicas = 3))), contentKey(deployment));
    assert.notEqual(contentKey({ a: 1, b: 2 }), contentKey({ b: 2, a: 1 }));
  });

  it("sees a key whose value is undefined, as the unknown-field check does", () => {
    const typo = withChange(deployment, (d) => (d.spec.template.spec.containers[0].readinesProbe = undefined));
    assert.equal(JSON.stringify(typo), JSON.stringify(deployment));
    assert.notEqual(contentKey(typo), contentKey(deployment));
  });

  it("refuses what JSON would disguise: NaN, infinities, dates, class instances, functions", () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, new Date(0), new Map(), () => 1, { toJSON: () => 1 }, "\u0000undefined"]) {
      assert.equal(contentKey({ spec: { value } }), undefined, String(value));
    }
  });
});

describe("the render cache", () => {
  it("returns the YAML of an object remembered with the same content, across processes (via its file)", () => {
    const file = join(dir, "round-trip.json");
    const cache = new RenderCache(file);
    assert.equal(cache.get(deployment), undefined);
    cache.remember(deployment, "yaml of the deployment\n");
    cache.save();
    const reloaded = new RenderCache(file);
    assert.equal(reloaded.get(structuredClone(deployment)), "yaml of the deployment\n");
    assert.equal(reloaded.get(withChange(deployment, (d) => (d.spec.template.spec.containers[0].readinesProbe = undefined))), undefined);
  });

  it("does not remember an object changed after it was looked up", () => {
    const cache = new RenderCache(join(dir, "changed.json"));
    const object = structuredClone(deployment) as any;
    assert.equal(cache.get(object), undefined);
    object.spec.replicas = 7;
    cache.remember(object, "stale\n");
    assert.equal(cache.get(object), undefined);
    assert.equal(new RenderCache(join(dir, "changed.json")).get(object), undefined);
  });

  it("treats an unreadable file as empty", () => {
    const file = join(dir, "garbage.json");
    writeFileSync(file, "{not json");
    assert.equal(new RenderCache(file).get(deployment), undefined);
  });

  it("gives a render byte-identical to one without it, cold and warm", async () => {
    const uncached = await renderedRepository();
    const cache = new RenderCache(join(dir, "render.json"));
    for (const pass of ["cold", "warm"]) {
      const cached = await renderRepository({ cache });
      assert.deepEqual([...cached.files.keys()], [...uncached.files.keys()], pass);
      for (const [path, content] of uncached.files) assert.equal(cached.files.get(path), content, `${pass}: ${path}`);
    }
    assert.ok(cache.get(deployment), "a successful render remembers its objects");
  });

  it("cannot hide a planted typo: the changed object is validated, the render fails, nothing is remembered", async () => {
    const cache = new RenderCache(join(dir, "typo.json"));
    await renderRepository({ cache }); // warm with the clean objects
    cache.save();
    const before = readFileSync(cache.file, "utf8");
    // Past the settings check (which would refuse it), straight into the objects: only object validation can catch it.
    const settings = await loadEnvironments();
    const staging = settings.find((environment) => environment.name === "staging")!;
    staging.backend.apiAccess = [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"], resourceNamez: ["x"] } as never];
    await assert.rejects(render(settings, { cache }), (error: unknown) => {
      assert.ok(error instanceof InvalidObjectsError);
      assert.match(error.message, /staging: rbac.authorization.k8s.io\/v1\/Role todo-backend: rules\[0\].resourceNamez: unknown field/);
      return true;
    });
    cache.save();
    assert.equal(readFileSync(cache.file, "utf8"), before);
  });
});
