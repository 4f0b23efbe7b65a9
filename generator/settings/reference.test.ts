/**
 * The settings reference in the README is the declaration's, and a new
 * setting is one declaration plus its use: its default, its check in every
 * environment file and its line in the reference follow, in a scratch copy
 * of the repository, through the real `npm run render`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { REPO_ROOT } from "../load/environments.ts";
import { npmRun } from "../testing/cli.ts";
import { edit } from "../testing/git-scratch.ts";
import { scratchRepository } from "../testing/scratch.ts";
import * as z from "zod";
import { clusterFactsSchema } from "../cluster-facts.ts";
import { CLUSTER_REFERENCE_END, CLUSTER_REFERENCE_START, REFERENCE_END, REFERENCE_START, clusterFactsReference, settingsReference, withReference, withReferences } from "./reference.ts";

describe("the README's settings reference", () => {
  it("is what the declaration generates (npm run settings:reference)", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    assert.equal(withReference(readme, settingsReference()), readme, "the README's settings reference is out of date: run `npm run settings:reference`");
  });

  it("lists every setting with its type and default, environment-dependent ones included", () => {
    const reference = settingsReference();
    assert.ok(reference.startsWith(REFERENCE_START) && reference.endsWith(REFERENCE_END));
    for (const line of [
      '| `namespace` | string | `"todo-<name>"` |',
      '| `ingress.host` | string | `"<name>.todo.local"` |',
      '| `backend.config.ENVIRONMENT` | string | `"<name>"` |',
      '| `backend.autoscaling.enabled` | boolean | `false` |',
      '| `backend.replicas` | integer 1–10 | `1` |',
      '| `delivery.cluster` | string | required |',
      '| `delivery.sync` | "automated" \\| "manual" | `"manual"` |',
      '| `dapr.enabled` | boolean | `false` |',
    ]) {
      assert.ok(reference.includes(line), `missing: ${line}`);
    }
    assert.doesNotMatch(reference, /`(name|cluster|sealedSecrets|frontend\.image|backend\.image)`/, "keys an environment file may not state are not settings");
  });
});

describe("the README's cluster facts reference", () => {
  it("is what the declaration generates (npm run settings:reference)", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    assert.equal(withReference(readme, clusterFactsReference()), readme, "the README's cluster facts reference is out of date: run `npm run settings:reference`");
    assert.equal(withReferences(readme), readme);
  });

  it("lists every fact with its type, and no default column (every fact is required)", () => {
    const reference = clusterFactsReference();
    assert.ok(reference.startsWith(CLUSTER_REFERENCE_START) && reference.endsWith(CLUSTER_REFERENCE_END));
    assert.match(reference, /^\| fact \| type \| what it is \|$/m);
    for (const line of [
      "| `cpus` | integer 2–256 | `minikube start --cpus`. |",
      '| `cni.name` | "calico" \\| "cilium" | `minikube start --cni`',
      '| `allowedPullPolicies` | ("Always" \\| "IfNotPresent" \\| "Never")[] |',
      "| `dapr.controlPlane.sentry.port` | integer 1–65535 | The port of Sentry's pods",
      "| `sealedSecrets.proxySubjects` | { apiGroup, kind, name }[] |",
      "| `certManager.http01Solver.resources.limits.memory` | string | Memory limit of the solver pods",
    ]) {
      assert.ok(reference.includes(line), `missing: ${line}`);
    }
  });

  it("describes every fact itself (.describe() on each, none left to its group's words)", () => {
    type Schema = { type?: string; description?: string; properties?: Record<string, Schema> };
    const undescribed: string[] = [];
    const walk = (schema: Schema, path: string[]) => {
      if (schema.type === "object" && schema.properties && Object.keys(schema.properties).length) {
        for (const [key, child] of Object.entries(schema.properties)) walk(child, [...path, key]);
      } else if (!schema.description) undescribed.push(path.join("."));
    };
    walk(z.toJSONSchema(clusterFactsSchema, { io: "input", unrepresentable: "any" }) as Schema, []);
    assert.deepEqual(undescribed, []);
  });

  it("is replaced between its own markers, leaving the settings reference alone; a README without them is an error", () => {
    const readme = `intro\n${REFERENCE_START}\nold settings\n${REFERENCE_END}\nmiddle\n${CLUSTER_REFERENCE_START}\nold facts\n${CLUSTER_REFERENCE_END}\nend\n`;
    const updated = withReference(readme, clusterFactsReference());
    assert.ok(updated.includes("old settings") && !updated.includes("old facts") && updated.endsWith("\nend\n"));
    assert.throws(() => withReference("no markers\n", clusterFactsReference()), /README\.md has no section for <!-- cluster facts reference/);
  });
});

describe("a new setting", () => {
  const scratch = scratchRepository("todo-new-setting-");
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("is one declaration plus its use: a default, a check in every environment file, and a line in the reference", () => {
    // 1. The declaration, beside its siblings.
    const declared = 'activeDeadlineSeconds: integer(1, 3600).default(120).describe("Seconds before the Job is stopped."),';
    edit(scratch, "generator/settings/schema.ts", declared, `${declared}\n        ttlSecondsAfterFinished: integer(0, 86400).default(600).describe("Seconds a finished smoke test Job is kept."),`);
    // 2. Its use.
    edit(scratch, "generator/components/smoke-test.ts", "activeDeadlineSeconds: options.activeDeadlineSeconds,", "activeDeadlineSeconds: options.activeDeadlineSeconds,\n      ttlSecondsAfterFinished: options.ttlSecondsAfterFinished,");

    const job = () => readFileSync(join(scratch, "manifests/staging/job-todo-smoke-test.yaml"), "utf8");
    assert.equal(npmRun(scratch, "render").status, 0);
    assert.match(job(), /^ {2}ttlSecondsAfterFinished: 600$/m, "the default reaches every environment");

    edit(scratch, "environments/staging.ts", "backend: { replicas: 2 },", "backend: { replicas: 2 },\n  smokeTest: { ttlSecondsAfterFinished: 60 },");
    assert.equal(npmRun(scratch, "render").status, 0);
    assert.match(job(), /^ {2}ttlSecondsAfterFinished: 60$/m, "an environment file sets it");

    edit(scratch, "environments/staging.ts", "ttlSecondsAfterFinished: 60", "ttlSecondsAfterFinished: -1");
    let result = npmRun(scratch, "render");
    assert.equal(result.status, 1);
    assert.match(result.stderr, /staging: environments\/staging\.ts: smokeTest\.ttlSecondsAfterFinished = -1: must be an integer from 0 to 86400/);
    edit(scratch, "environments/staging.ts", "ttlSecondsAfterFinished: -1", "ttlSecondsAfterFinsihed: 60");
    result = npmRun(scratch, "render");
    assert.equal(result.status, 1);
    assert.match(result.stderr, /staging: environments\/staging\.ts: smokeTest\.ttlSecondsAfterFinsihed = 60: unknown setting; did you mean ttlSecondsAfterFinished\?/);

    const reference = spawnSync(process.execPath, ["--input-type=module", "-e", 'import { settingsReference } from "./generator/settings/reference.ts"; console.log(settingsReference());'], { cwd: scratch, encoding: "utf8" });
    assert.match(reference.stdout, /^\| `smokeTest\.ttlSecondsAfterFinished` \| integer 0–86400 \| `600` \| Seconds a finished smoke test Job is kept\. \|$/m, reference.stderr);
  });
});
