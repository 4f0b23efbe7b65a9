import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { SettingsError } from "../errors.ts";
import { render } from "../render.ts";
import { edit } from "../testing/git-scratch.ts";
import { scratchRepository } from "../testing/scratch.ts";
import { CheckedSettingsCache } from "./checked-cache.ts";
import { loadEnvironments } from "./environments.ts";

const root = scratchRepository("todo-checked-cache-");
after(() => rmSync(root, { recursive: true, force: true }));
const file = join(root, ".cache/checked.json");

describe("the checked-settings cache", () => {
  it("gives exactly the settings, and so the render, of a load without it", async () => {
    const fresh = await loadEnvironments({ root });
    const cache = new CheckedSettingsCache(file);
    assert.deepEqual(await loadEnvironments({ root, checked: cache }), fresh, "a cold cache checks");
    cache.save();
    const warm = new CheckedSettingsCache(file);
    const cached = await loadEnvironments({ root, checked: warm });
    assert.deepEqual(cached, JSON.parse(JSON.stringify(fresh)));
    const [a, b] = [await render(fresh), await render(cached)];
    assert.deepEqual([...b.files], [...a.files]);
    // Served from the cache, not checked again: what the file holds is what the load returns.
    const stored = JSON.parse(readFileSync(file, "utf8")) as Record<string, { settings: { name: string; namespace: string }[] }>;
    for (const entry of Object.values(stored)) for (const settings of entry.settings) settings.namespace = `${settings.namespace}-from-cache`;
    writeFileSync(file, JSON.stringify(stored));
    assert.deepEqual((await loadEnvironments({ root, checked: new CheckedSettingsCache(file) })).map((settings) => settings.namespace), ["todo-dev-from-cache", "todo-prod-from-cache", "todo-staging-from-cache"]);
    rmSync(file);
  });

  it("cannot hide a mistake: an edited environment file is checked again, and a failed load is not remembered", async () => {
    const cache = new CheckedSettingsCache(file);
    const undo = edit(root, "environments/staging.ts", "backend: { replicas: 2 }", 'backend: { replicas: "2" }');
    try {
      await assert.rejects(loadEnvironments({ root, checked: cache }), (error: unknown) => error instanceof SettingsError && /staging: environments\/staging\.ts: backend\.replicas = "2"/.test(error.message));
      cache.save();
      await assert.rejects(loadEnvironments({ root, checked: new CheckedSettingsCache(file) }), SettingsError);
    } finally {
      undo();
    }
  });

  it("is keyed by every file a load reads, and by what the environment files import", async () => {
    mkdirSync(join(root, "environments/shared"), { recursive: true });
    writeFileSync(join(root, "environments/shared/replicas.ts"), "export const backendReplicas = 2;\n");
    const undoImport = edit(root, "environments/staging.ts", "backend: { replicas: 2 }", "backend: { replicas: backendReplicas }");
    const undoHeader = edit(root, "environments/staging.ts", 'import { defineEnvironment } from "../generator/settings.ts";', 'import { defineEnvironment } from "../generator/settings.ts";\nimport { backendReplicas } from "./shared/replicas.ts";');
    try {
      const cache = new CheckedSettingsCache(file);
      const staging = async () => (await loadEnvironments({ root, checked: cache })).find((settings) => settings.name === "staging")!;
      assert.equal((await staging()).backend.replicas, 2);
      writeFileSync(join(root, "environments/shared/replicas.ts"), 'export const backendReplicas = "two";\n');
      await assert.rejects(staging(), /staging: environments\/staging\.ts: backend\.replicas = "two"/);
      writeFileSync(join(root, "environments/shared/replicas.ts"), "export const backendReplicas = 3;\n");
      assert.equal((await staging()).backend.replicas, 3);
      const undoImages = edit(root, "environments/staging.images.json", '"tag": "1.0.0" }\n}', '"tag": "1.0.1" }\n}');
      try {
        assert.equal((await staging()).backend.image.tag, "1.0.1");
      } finally {
        undoImages();
      }
    } finally {
      undoHeader();
      undoImport();
      rmSync(join(root, "environments/shared"), { recursive: true });
    }
  });
});
