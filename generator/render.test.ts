import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "./load/environments.ts";
import { compareRendered, hasDrift, writeRendered } from "./commands/output.ts";
import { parse } from "yaml";
import { toYAML } from "./render.ts";
import { renderRepository } from "./commands/pipeline.ts";
import { renderedFixture, renderedRepository, scratchRepository } from "./testing/fixtures.ts";
import { generatorCli, renderedFiles } from "./testing/cli.ts";

const scratch = scratchRepository();
after(() => rmSync(scratch, { recursive: true, force: true }));

describe("rendering", () => {
  it("is deterministic: two renders give byte-identical files", async () => {
    const first = await renderedRepository();
    const second = await renderRepository();
    assert.deepEqual([...second.files.keys()], [...first.files.keys()]);
    for (const [path, content] of first.files) assert.equal(second.files.get(path), content, path);
  });

  it("writes one file per object, named <kind>-<name>.yaml, with no timestamps or random suffixes", async () => {
    const { files, objects } = await renderedRepository();
    const count = [...objects.values()].reduce((sum, list) => sum + list.length, 0);
    assert.equal([...files.keys()].filter((p) => p.startsWith("manifests/")).length, count);
    // Named files of the shipped environments (the fixture): a user's prod may well have no HPA.
    const shipped = (await renderedFixture()).files;
    assert.ok(shipped.has("manifests/dev/deployment-todo-backend.yaml"));
    assert.ok(shipped.has("manifests/prod/horizontalpodautoscaler-todo-backend.yaml"));
    for (const [path, content] of files) {
      assert.match(path, /^(manifests\/[a-z0-9-]+|argocd\/(apps|bootstrap))\/[a-z]+-[a-z0-9-]+\.yaml$/);
      assert.doesNotMatch(content, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|creationTimestamp/, path);
    }
  });

  it("rebuilds from empty: a stale file disappears, a second render changes nothing", async () => {
    const rendered = await renderRepository({ root: scratch });
    writeRendered(scratch, rendered);
    writeFileSync(join(scratch, "manifests/dev/deployment-old-thing.yaml"), "stale\n");
    assert.deepEqual(compareRendered(scratch, rendered).extra, ["manifests/dev/deployment-old-thing.yaml"]);
    writeRendered(scratch, rendered);
    assert.ok(!existsSync(join(scratch, "manifests/dev/deployment-old-thing.yaml")));
    const before = renderedFiles(scratch);
    writeRendered(scratch, await renderRepository({ root: scratch }));
    assert.deepEqual(renderedFiles(scratch), before);
    assert.equal(hasDrift(compareRendered(scratch, rendered)), false);
  });

  it("leaves a directory that already holds the render alone, and swaps only one that differs", async () => {
    const rendered = await renderRepository({ root: scratch });
    writeRendered(scratch, rendered);
    const mtimes = () => new Map(Object.keys(renderedFiles(scratch)).map((path) => [path, statSync(join(scratch, path)).mtimeMs]));
    const before = mtimes();
    writeRendered(scratch, rendered);
    assert.deepEqual(mtimes(), before, "an up-to-date render rewrites no file");
    writeFileSync(join(scratch, "manifests/staging/deployment-old-thing.yaml"), "stale\n");
    writeRendered(scratch, rendered);
    assert.ok(!existsSync(join(scratch, "manifests/staging/deployment-old-thing.yaml")), "a stale file still goes");
    assert.equal(hasDrift(compareRendered(scratch, rendered)), false);
  });

  it("renders one environment without touching the others", async () => {
    const before = renderedFiles(scratch);
    writeFileSync(join(scratch, "manifests/prod/marker.yaml"), "kept\n");
    const rendered = await renderRepository({ environments: ["dev"], root: scratch });
    // dev's manifests, and the Argo CD objects dev changes: not the other environments' own.
    assert.deepEqual(rendered.ownedDirs, ["manifests/dev", "argocd/apps", "argocd/bootstrap"]);
    assert.deepEqual([...(rendered.keep ?? [])].sort(), [
      "argocd/apps/application-todo-prod.yaml",
      "argocd/apps/application-todo-staging.yaml",
      "argocd/bootstrap/appproject-todo-prod.yaml",
      "argocd/bootstrap/appproject-todo-staging.yaml",
    ]);
    assert.ok(rendered.files.has("argocd/apps/application-todo-dev.yaml") && rendered.files.has("argocd/apps/application-dapr.yaml"));
    writeRendered(scratch, rendered);
    assert.equal(readFileSync(join(scratch, "manifests/prod/marker.yaml"), "utf8"), "kept\n");
    rmSync(join(scratch, "manifests/prod/marker.yaml"));
    assert.deepEqual(renderedFiles(scratch), before);
  });
});

describe("toYAML", () => {
  it("quotes strings that YAML 1.1 readers (kubectl, Argo CD) would take for booleans, numbers or times", () => {
    const values = { A: "on", B: "yes", C: "off", D: "y", E: "12:30", F: "0777", G: "1_000", H: "plain" };
    const text = toYAML({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: values } as never);
    for (const [key, value] of Object.entries(values)) {
      if (value === "plain") assert.match(text, /\n {2}H: plain\n/);
      else assert.ok(text.includes(`\n  ${key}: "${value}"\n`), `${key}: ${value} is not quoted in\n${text}`);
    }
    assert.deepEqual((parse(text) as { data: unknown }).data, values);
  });
});

describe("the CLI (in-process: generator/commands/cli.ts's run(); the launcher's tests run it as a process)", () => {
  const cli = (...args: string[]) => generatorCli(scratch, ...args);

  it("check passes on a fresh render and lists the files that differ", async () => {
    assert.equal((await cli("render")).status, 0);
    assert.equal((await cli("check")).status, 0);
    const path = join(scratch, "manifests/staging/service-todo-backend.yaml");
    writeFileSync(path, readFileSync(path, "utf8").replace("port: 8000", "port: 8001"));
    rmSync(join(scratch, "manifests/dev/ingress-todo-ingress.yaml"));
    const result = await cli("check");
    assert.equal(result.status, 1);
    assert.match(result.stderr, /changed: manifests\/staging\/service-todo-backend.yaml/);
    assert.match(result.stderr, /missing: manifests\/dev\/ingress-todo-ingress.yaml/);
    const diff = await cli("diff", "staging");
    assert.equal(diff.status, 1);
    assert.match(diff.stdout, /^-.*port: 8001$/m);
    assert.match(diff.stdout, /^\+.*port: 8000$/m);
    assert.equal((await cli("render")).status, 0);
  });

  it("refuses bad settings with every problem, exit code 1, and leaves manifests/ untouched", async () => {
    const before = renderedFiles(scratch);
    const envFile = join(scratch, "environments/staging.ts");
    const original = readFileSync(envFile, "utf8");
    writeFileSync(envFile, original.replace("backend: { replicas: 2 }", "backend: { replicas: 12 }").replace("frontend: { replicas: 2 }", "frontend: { replicas: 2, pullPolicy: \"Always\" }"));
    try {
      const result = await cli("render");
      assert.equal(result.status, 1);
      assert.match(result.stderr, /staging: environments\/staging\.ts: backend\.replicas = 12: must be an integer from 1 to 10/);
      assert.match(result.stderr, /staging: environments\/staging\.ts: frontend\.pullPolicy = "Always": cluster minikube .* Never, IfNotPresent/);
      assert.match(result.stderr, /Nothing was written/);
      assert.deepEqual(renderedFiles(scratch), before);
    } finally {
      writeFileSync(envFile, original);
    }
  });

  it("names an unknown environment", async () => {
    const result = await cli("render", "no-such-env");
    assert.equal(result.status, 1, "render: refused");
    assert.match(result.stderr, /environments\/no-such-env\.ts: unknown environment no-such-env \(there is no such file\): the environments are dev, prod, staging/);
  });
});

describe("the committed tree", () => {
  it("is what a fresh render produces (the drift check)", async () => {
    const drift = compareRendered(REPO_ROOT, await renderedRepository());
    assert.deepEqual(drift, { changed: [], missing: [], extra: [] }, "run `npm run render` and commit the result");
  });

  it("keeps rendered files under Git (no ignore rule hides them)", () => {
    const ignored = spawnSync("git", ["check-ignore", "manifests/dev/deployment-todo-backend.yaml", "argocd/apps/application-todo-dev.yaml", "argocd/bootstrap/appproject-todo-dev.yaml"], { cwd: REPO_ROOT });
    assert.equal(ignored.status, 1, "rendered files must not be git-ignored");
  });
});
