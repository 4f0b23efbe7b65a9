import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { formatLoadProblem } from "../errors.ts";
import { ModuleLoadError, loadSourceModule } from "./module.ts";

const root = mkdtempSync(join(tmpdir(), "todo-module-"));
after(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, "environments"));
mkdirSync(join(root, "generator"));
writeFileSync(join(root, "generator/settings.ts"), "export function defineEnvironment<T>(settings: T): T {\n  return settings;\n}\n");

const header = 'import { defineEnvironment } from "../generator/settings.ts";\n';

async function failure(text: string, path = "environments/staging.ts"): Promise<string[]> {
  try {
    await loadSourceModule(root, { path, text });
  } catch (error) {
    assert.ok(error instanceof ModuleLoadError, `not a ModuleLoadError: ${error}`);
    return error.problems.map(formatLoadProblem);
  }
  assert.fail("it loaded");
}

describe("loading a TypeScript file from its text", () => {
  it("runs it and returns its exports, with what it imports from the repository", async () => {
    const module = await loadSourceModule(root, { path: "environments/staging.ts", text: `${header}const replicas: number = 2;\nexport default defineEnvironment({ frontend: { replicas } });\n` });
    assert.deepEqual(module.default, { frontend: { replicas: 2 } });
  });

  it("evaluates it afresh every time: a file from another revision is another module, and no state is shared", async () => {
    const text = `${header}export default defineEnvironment({ items: [] as number[] });\n`;
    const first = (await loadSourceModule(root, { path: "environments/dev.ts", text })).default as { items: number[] };
    first.items.push(1);
    const second = (await loadSourceModule(root, { path: "environments/dev.ts", text })).default as { items: number[] };
    assert.deepEqual(second.items, []);
    const older = await loadSourceModule(root, { path: "environments/dev.ts", text: text.replace("items", "older") });
    assert.deepEqual(older.default, { older: [] });
  });

  it("names the file, line and column of a syntax error, a bad import and a missing export, as esbuild finds them", async () => {
    assert.deepEqual(await failure(`${header}export default defineEnvironment({{\n});\n`), ['environments/staging.ts:2:35: Expected identifier but found "{"']);
    assert.deepEqual(await failure(`import { defineEnvironment } from "../generator/setings.ts";\nexport default defineEnvironment({});\n`), [
      'environments/staging.ts:1:35: Could not resolve "../generator/setings.ts"',
    ]);
    assert.deepEqual(await failure(`import { defineEnvironmen } from "../generator/settings.ts";\nexport default defineEnvironmen({});\n`), [
      'environments/staging.ts:1:10: No matching export in "generator/settings.ts" for import "defineEnvironmen" (did you mean "defineEnvironment"?)',
    ]);
  });

  it("refuses a duplicate key, which esbuild only warns of and which would drop the first value, at its line and column", async () => {
    const lines = await failure(`${header}export default defineEnvironment({\n  backend: { replicas: 5 },\n  frontend: {},\n  backend: { replicas: 2 },\n});\n`);
    assert.deepEqual(lines, [
      'environments/staging.ts:5:3: Duplicate key "backend" in object literal; the original key "backend" is at 3:3 (a warning of esbuild\'s, refused in a settings file: a value is lost or ignored)',
    ]);
  });

  it("refuses every other esbuild warning in a user's file too, each meaning a value is lost, and in a file it imports", async () => {
    writeFileSync(join(root, "environments/limits.ts"), "export const cpu = '1';\n");
    const lines = await failure(
      `import * as limits from "./limits.ts";\nconst memory = limits.memory;\nconst size = () => {\n  return\n  "1Gi";\n};\nexport default { memory, size: size(), nan: memory == NaN };\n`,
    );
    assert.deepEqual(
      lines.map((line) => line.replace(/ \(a warning of esbuild's.*\)$/, "")),
      [
        'environments/staging.ts:2:23: Import "memory" will always be undefined because there is no matching export in "environments/limits.ts"',
        "environments/staging.ts:4:9: The following expression is not returned because of an automatically-inserted semicolon",
        'environments/staging.ts:7:52: Comparison with NaN using the "==" operator here is always false',
      ],
    );
    writeFileSync(join(root, "environments/shared-settings.ts"), "export const shared = { replicas: 1, replicas: 2 };\n");
    assert.deepEqual(
      (await failure(`import { shared } from "./shared-settings.ts";\nexport default { shared };\n`)).map((line) => line.replace(/ \(a warning of esbuild's.*\)$/, "")),
      ['environments/shared-settings.ts:1:38: Duplicate key "replicas" in object literal; the original key "replicas" is at 1:25'],
    );
  });

  it("maps an error thrown while the file runs back to its line and column, with no stack trace", async () => {
    const lines = await failure(`${header}\nexport default defineEnvironment({\n  backend: { replicas: twoReplicas },\n});\n`);
    assert.deepEqual(lines, ["environments/staging.ts:4:24: ReferenceError: twoReplicas is not defined"]);
    const thrown = await failure(`${header}const pick = (): number => {\n  throw new Error("no replicas");\n};\nexport default defineEnvironment({ replicas: pick() });\n`);
    assert.deepEqual(thrown, ["environments/staging.ts:3:9: Error: no replicas"]);
  });

  it("names the file it came from when the error is in a file it imports", async () => {
    writeFileSync(join(root, "environments/shared.ts"), "export const size = (): string => {\n  return undefinedSize;\n};\n");
    const lines = await failure(`import { size } from "./shared.ts";\nexport default { size: size() };\n`);
    assert.deepEqual(lines, ["environments/shared.ts:2:3: ReferenceError: undefinedSize is not defined"]);
  });

  it("keeps compiled files by content in a cache directory, and compiles again when a file it imports changes", async () => {
    const cacheDir = join(root, "cache");
    writeFileSync(join(root, "environments/replicas.ts"), "export const replicas = 2;\n");
    const text = `import { replicas } from "./replicas.ts";\nexport default { replicas };\n`;
    assert.deepEqual((await loadSourceModule(root, { path: "environments/qa.ts", text }, { cacheDir })).default, { replicas: 2 });
    assert.equal(readdirSync(cacheDir).length, 1);
    assert.deepEqual((await loadSourceModule(root, { path: "environments/qa.ts", text }, { cacheDir })).default, { replicas: 2 });
    assert.equal(readdirSync(cacheDir).length, 1, "a second load of the same content finds it");
    writeFileSync(join(root, "environments/replicas.ts"), "export const replicas = 3;\n");
    assert.deepEqual((await loadSourceModule(root, { path: "environments/qa.ts", text }, { cacheDir })).default, { replicas: 3 });
  });
});
