/**
 * loadEnvironmentsSkippingBroken(), the release commands' load: an
 * environment whose own files fail is set aside with exactly its own
 * problems; what is no single environment's still throws. In memory, over
 * the fixture environments (files given as a release gives them).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SettingsError } from "../errors.ts";
import { fixtureFiles } from "../testing/fixture-environments.ts";
import { REPO_ROOT, loadEnvironments, loadEnvironmentsSkippingBroken } from "./environments.ts";

/** The fixture's files with some replaced: path → content. */
function filesWith(changes: Record<string, (text: string) => string>): Map<string, string | null> {
  const files = fixtureFiles();
  for (const [path, change] of Object.entries(changes)) {
    const text = files.get(path) ?? readFileSync(join(REPO_ROOT, path), "utf8");
    const changed = change(text);
    assert.notEqual(changed, text, `the edit of ${path} no longer applies`);
    files.set(path, changed);
  }
  return files;
}

const duplicateKey = (text: string) => text.replace("  dapr: { enabled: true },", "  dapr: { enabled: true },\n  dapr: { enabled: false },");
const badRepository = (text: string) => text.replace('"backend": { "repository": "todo-backend"', '"backend": { "repository": "Not A Repository"');

describe("loadEnvironmentsSkippingBroken", () => {
  it("with nothing broken, loads what loadEnvironments loads, and sets nothing aside", async () => {
    const files = fixtureFiles();
    const { settings, broken } = await loadEnvironmentsSkippingBroken({ files });
    assert.deepEqual(broken, []);
    assert.deepEqual(settings, await loadEnvironments({ files }));
  });

  it("sets aside dev's file that does not load and dev's images that break its rules, each with only its own problems", async () => {
    const files = filesWith({ "environments/dev.ts": duplicateKey, "environments/prod.images.json": badRepository });
    await assert.rejects(() => loadEnvironments({ files }), SettingsError, "the strict load still fails");
    const { settings, broken } = await loadEnvironmentsSkippingBroken({ files });
    assert.deepEqual(settings.map((loaded) => loaded.name), ["staging"]);
    assert.deepEqual(broken.map(({ name }) => name), ["dev", "prod"]);
    const [dev, prod] = broken;
    assert.match(dev!.error.message, /^environments\/dev\.ts:\d+:\d+: .*Duplicate key/);
    assert.doesNotMatch(dev!.error.message, /prod/);
    assert.deepEqual(prod!.error.loadProblems, []);
    assert.deepEqual(prod!.error.problems.map((problem) => [problem.environment, problem.file, problem.path]), [["prod", "environments/prod.images.json", "backend.repository"]]);
  });

  it("checks the rules across environments among those that load", async () => {
    const files = filesWith({ "environments/dev.ts": duplicateKey, "environments/prod.ts": (text) => text.replace("defineEnvironment({", 'defineEnvironment({\n  namespace: "todo-staging",') });
    await assert.rejects(
      () => loadEnvironmentsSkippingBroken({ files }),
      (error: unknown) => error instanceof SettingsError && /namespace = "todo-staging": this namespace is already used by/.test(error.message),
    );
  });

  it("a stray file and a cluster.ts that does not load are no single environment's: they throw", async () => {
    await assert.rejects(
      () => loadEnvironmentsSkippingBroken({ files: filesWith({}).set("environments/dve.images.json", "{}") }),
      (error: unknown) => error instanceof SettingsError && /there is no environment dve/.test(error.message),
    );
    await assert.rejects(
      () => loadEnvironmentsSkippingBroken({ files: filesWith({ "clusters/minikube/cluster.ts": (text) => `${text}\nexport const = ;\n` }) }),
      (error: unknown) => error instanceof SettingsError && /clusters\/minikube\/cluster\.ts:\d+/.test(error.message),
    );
  });
});
