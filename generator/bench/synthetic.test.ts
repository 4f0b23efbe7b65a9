import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { renderSynthetic } from "./synthetic.ts";

describe("the synthetic scale case (npm run bench)", () => {
  it("renders components × environments through the real pipeline, one validated file per object", async () => {
    const files = await renderSynthetic(3, 4);
    const deployments = [...files.keys()].filter((path) => /\/deployment-todo-app-\d+\.yaml$/.test(path));
    assert.equal(deployments.length, 3 * 4);
    for (const [path, yaml] of files) {
      const environment = /^manifests\/(synthetic-\d+)\//.exec(path)?.[1];
      assert.ok(environment, path);
      assert.equal((parse(yaml) as { metadata: { namespace: string } }).metadata.namespace, `todo-${environment}`, path);
    }
  });

  it("grows linearly: twice the components, twice the objects", async () => {
    assert.equal((await renderSynthetic(4, 3)).size, 2 * (await renderSynthetic(2, 3)).size);
  });
});
