import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { formatProblem } from "./errors.ts";
import { type Settings, merge } from "./settings.ts";
import { renderRepository } from "./commands/pipeline.ts";
import { scratchRepository, settingsOf } from "./testing/fixtures.ts";
import { crossEnvironmentProblems, settingsProblems, tagProblem } from "./validate-settings.ts";

const dev = await settingsOf("dev");
const staging = await settingsOf("staging");
const prod = await settingsOf("prod");

function problemsWith(base: Settings, change: unknown, overrides: object = {}) {
  return settingsProblems(merge(base, change), overrides);
}

describe("the committed environments", () => {
  it("have no problems", () => {
    for (const settings of [dev, staging, prod]) assert.deepEqual(settingsProblems(settings), []);
    assert.deepEqual(crossEnvironmentProblems([dev, staging, prod]), []);
  });
});

describe("bad input is refused with environment, path, value and rule", () => {
  const cases: [string, Settings, unknown, string, unknown, RegExp][] = [
    ["namespace not DNS-1123", dev, { namespace: "Todo_Dev" }, "namespace", "Todo_Dev", /DNS-1123/],
    ["replicas above 10", staging, { backend: { replicas: 11 } }, "backend.replicas", 11, /from 1 to 10/],
    ["replicas of 0", staging, { frontend: { replicas: 0 } }, "frontend.replicas", 0, /from 1 to 10/],
    ["service port out of range", dev, { backend: { service: { port: 70000 } } }, "backend.service.port", 70000, /1 to 65535/],
    ["nodePort out of range", dev, { frontend: { service: { nodePort: 8080 } } }, "frontend.service.nodePort", 8080, /30000 to 32767/],
    ["nodePort on a ClusterIP Service", prod, { frontend: { service: { nodePort: 30090 } } }, "frontend.service.nodePort", 30090, /only a NodePort/],
    [
      "request above limit",
      dev,
      { backend: { resources: { requests: { cpu: "2" } } } },
      "backend.resources.requests.cpu",
      "2",
      /must not exceed the limit \(1000m\)/,
    ],
    ["memory not a quantity", dev, { frontend: { resources: { limits: { memory: "lots" } } } }, "frontend.resources.limits.memory", "lots", /quantity/],
    ["probe path without /", dev, { backend: { probes: { readiness: { path: "health/ready" } } } }, "backend.probes.readiness.path", "health/ready", /start with \//],
    ["invalid host", dev, { ingress: { host: "todo_local" } }, "ingress.host", "todo_local", /hostname/],
    ["missing tag", dev, { backend: { image: { tag: "" } } }, "backend.image.tag", "", /required/],
    ["latest outside dev", staging, { frontend: { image: { tag: "latest" } } }, "frontend.image.tag", "latest", /only allowed in dev/],
    ["prod tag neither semver nor SHA", prod, { backend: { image: { tag: "nightly" } } }, "backend.image.tag", "nightly", /semantic version or a git SHA/],
    ["database image on latest", dev, { database: { image: { tag: "latest" } } }, "database.image.tag", "latest", /pinned/],
    ["pull policy Always on Minikube", dev, { backend: { pullPolicy: "Always" } }, "backend.pullPolicy", "Always", /Never, IfNotPresent/],
    ["secret-looking ConfigMap key", dev, { backend: { config: { OPENAI_API_KEY: "x" } } }, "backend.config.OPENAI_API_KEY", "OPENAI_API_KEY", /Secret/],
    ["password in ConfigMap", dev, { frontend: { config: { DB_PASSWORD: "x" } } }, "frontend.config.DB_PASSWORD", "DB_PASSWORD", /Secret/],
    [
      "HPA min above max",
      prod,
      { backend: { autoscaling: { minReplicas: 6, maxReplicas: 5 } } },
      "backend.autoscaling.minReplicas",
      6,
      /must not exceed maxReplicas/,
    ],
    ["HPA max above 10", prod, { backend: { autoscaling: { maxReplicas: 12 } } }, "backend.autoscaling.maxReplicas", 12, /1 to 10/],
    [
      "wildcard RBAC",
      dev,
      { backend: { apiAccess: [{ apiGroups: [""], resources: ["*"], verbs: ["get"] }] } },
      "backend.apiAccess[0].resources",
      ["*"],
      /no wildcards/,
    ],
    [
      "escalate verb",
      dev,
      { backend: { apiAccess: [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["escalate"] }] } },
      "backend.apiAccess[0].verbs",
      "escalate",
      /never granted/,
    ],
    ["quota too small", prod, { namespaceSettings: { quota: { "limits.cpu": "2" } } }, "namespaceSettings.quota.limits.cpu", "2", /too small/],
    ["database port out of range", prod, { database: { port: 0 } }, "database.port", 0, /1 to 65535/],
    // Seed 003's key names: lower case, hyphens and dots are the same key to the secret check.
    ["hyphenated API key", dev, { backend: { config: { "openai-api-key": "sk-123" } } }, "backend.config.openai-api-key", "openai-api-key", /Secret/],
    ["hyphenated database URL key", dev, { backend: { config: { "database-url": "x" } } }, "backend.config.database-url", "database-url", /Secret/],
    ["dotted database URL key", dev, { frontend: { config: { "database.url": "x" } } }, "frontend.config.database.url", "database.url", /Secret/],
    ["hyphenated private key", dev, { backend: { config: { "tls-private-key": "x" } } }, "backend.config.tls-private-key", "tls-private-key", /Secret/],
    [
      "URL with a password under a harmless key",
      dev,
      { backend: { config: { CACHE: "redis://:hunter2@todo-redis:6379/0" } } },
      "backend.config.CACHE",
      "redis://:***@todo-redis:6379/0",
      /scheme:\/\/user:password@host.*Secret/,
    ],
    [
      "access mode the single-replica database cannot use",
      staging,
      { database: { storage: { accessMode: "ReadWriteMany" } } },
      "database.storage.accessMode",
      "ReadWriteMany",
      /single-replica StatefulSet.*ReadWriteOnce or ReadWriteOncePod/,
    ],
    [
      "access mode that does not exist",
      dev,
      { database: { storage: { accessMode: "ReadWriteSometimes" } } },
      "database.storage.accessMode",
      "ReadWriteSometimes",
      /PersistentVolumeClaim access mode/,
    ],
    ["storage size 0", dev, { database: { storage: { size: "0" } } }, "database.storage.size", "0", /greater than zero/],
    ["storage size 0Gi", staging, { database: { storage: { size: "0Gi" } } }, "database.storage.size", "0Gi", /greater than zero/],
    ["negative storage size", dev, { database: { storage: { size: "-1Gi" } } }, "database.storage.size", "-1Gi", /quantity/],
    ["probe path with a space", dev, { backend: { probes: { liveness: { path: "/health live" } } } }, "backend.probes.liveness.path", "/health live", /URL path/],
    ["probe path with a bad escape", dev, { frontend: { probes: { startup: { path: "/health%zz" } } } }, "frontend.probes.startup.path", "/health%zz", /URL path/],
    ["probe path with a fragment", dev, { frontend: { probes: { readiness: { path: "/ready#now" } } } }, "frontend.probes.readiness.path", "/ready#now", /URL path/],
    [
      "empty migration argument",
      dev,
      { backend: { migration: { command: ["alembic", "", "head"] } } },
      "backend.migration.command[1]",
      "",
      /non-empty string/,
    ],
    ["migration command as one string", dev, { backend: { migration: { command: "alembic upgrade head" } } }, "backend.migration.command", "alembic upgrade head", /must be a list/],
    ["liveness successThreshold above 1", dev, { backend: { probes: { liveness: { successThreshold: 2 } } } }, "backend.probes.liveness.successThreshold", 2, /must be 1.*liveness/],
    ["startup successThreshold above 1", prod, { frontend: { probes: { startup: { successThreshold: 3 } } } }, "frontend.probes.startup.successThreshold", 3, /must be 1.*startup/],
    ["readiness successThreshold of 0", dev, { backend: { probes: { readiness: { successThreshold: 0 } } } }, "backend.probes.readiness.successThreshold", 0, /from 1 to 3600/],
    ["partOf that is no label value", dev, { partOf: "Todo Chatbot!" }, "partOf", "Todo Chatbot!", /app\.kubernetes\.io\/part-of label/],
    ["partOf longer than 63", dev, { partOf: "t".repeat(64) }, "partOf", "t".repeat(64), /at most 63/],
    ["tag too long for the version label", dev, { backend: { image: { tag: "b".repeat(64) } } }, "backend.image.tag", "b".repeat(64), /version label/],
    ["tag starting with _", dev, { frontend: { image: { tag: "_build" } } }, "frontend.image.tag", "_build", /version label/],
    ["pinned tag ending with .", dev, { database: { image: { tag: "17." } } }, "database.image.tag", "17.", /version label/],
  ];

  for (const [title, base, change, path, value, rule] of cases) {
    it(title, () => {
      const problems = problemsWith(base, change);
      const problem = problems.find((p) => p.path === path);
      assert.ok(problem, `expected a problem at ${path}, got ${JSON.stringify(problems)}`);
      assert.equal(problem.environment, base.name);
      assert.deepEqual(problem.value, value);
      assert.match(problem.rule, rule);
      assert.match(formatProblem(problem), new RegExp(`^${base.name}: ${path.replace(/[.[\]]/g, "\\$&")} = `));
    });
  }

  it("reports every problem at once", () => {
    const problems = problemsWith(staging, { backend: { replicas: 0, image: { tag: "latest" } }, ingress: { host: "Bad Host" } });
    assert.deepEqual(problems.map((p) => p.path).sort(), ["backend.image.tag", "backend.replicas", "ingress.host"]);
  });

  it("refuses a setting the environment file misspells", () => {
    const problems = settingsProblems(dev, { backend: { replicsa: 2 } } as never);
    assert.deepEqual(
      problems.map((p) => [p.path, p.rule]),
      [["backend.replicsa", "unknown setting"]],
    );
  });

  it("refuses seed 003's Secret keys written into a ConfigMap, without printing the password", () => {
    const problems = problemsWith(dev, { backend: { config: { "openai-api-key": "sk-123", "database-url": "postgres://u:p@h/db" } } });
    const lines = problems.map(formatProblem);
    assert.deepEqual(
      problems.map((p) => [p.path, p.value]),
      [
        ["backend.config.openai-api-key", "openai-api-key"],
        ["backend.config.database-url", "database-url"],
        ["backend.config.database-url", "postgres://u:***@h/db"],
      ],
    );
    assert.ok(!lines.some((line) => line.includes("u:p@")), `the password is printed: ${lines.join("\n")}`);
  });

  it("accepts URLs without a password, URL paths with a query or escapes, and the other valid choices", () => {
    const problems = problemsWith(staging, {
      partOf: "todo_chatbot.v2",
      frontend: {
        config: { "api-base-url": "http://todo-backend:8000/api", CORS_ORIGINS: "http://localhost:3000,https://todo.local", DOCS: "https://user@docs.example/a@b" },
        probes: { readiness: { path: "/health/ready?verbose=1&x=%20", successThreshold: 2 } },
      },
      database: { storage: { size: "512Mi", accessMode: "ReadWriteOncePod" } },
    });
    assert.deepEqual(problems, []);
  });

  it("refuses settings an environment file may not state, saying where each belongs", () => {
    const overrides = {
      name: "qa",
      cluster: { cpus: 8, addons: ["ingress"] },
      frontend: { image: { tag: "1.0.0" }, replicas: 2 },
      backend: { image: { repository: "todo-backend", tag: "2.0.0" } },
      sealedSecrets: { "todo-backend-secret": { OPENAI_API_KEY: "AgB..." } },
    };
    const problems = settingsProblems(dev, overrides as never);
    assert.deepEqual(
      problems.map(formatProblem),
      [
        `dev: name = "qa": the environment's name is its file name (environments/dev.ts): an environment file cannot set it`,
        "dev: cluster.cpus = 8: cluster facts belong in clusters/minikube/cluster.ts, shared by every environment: an environment file cannot set them",
        `dev: cluster.addons = ["ingress"]: cluster facts belong in clusters/minikube/cluster.ts, shared by every environment: an environment file cannot set them`,
        `dev: frontend.image.tag = "1.0.0": released images belong in environments/dev.images.json, which npm run release edits: an environment file cannot set them`,
        `dev: backend.image.repository = "todo-backend": released images belong in environments/dev.images.json, which npm run release edits: an environment file cannot set them`,
        `dev: backend.image.tag = "2.0.0": released images belong in environments/dev.images.json, which npm run release edits: an environment file cannot set them`,
        `dev: sealedSecrets.todo-backend-secret.OPENAI_API_KEY = "AgB...": sealed values belong in environments/dev.sealed.json, which npm run seal writes: an environment file cannot set them`,
      ],
    );
  });

  it("refuses backend.image in an environment file when rendering, which does not typecheck", async () => {
    const scratch = scratchRepository();
    try {
      const envFile = join(scratch, "environments/staging.ts");
      writeFileSync(envFile, readFileSync(envFile, "utf8").replace("backend: { replicas: 2 }", 'backend: { replicas: 2, image: { tag: "9.9.9" } }'));
      await assert.rejects(renderRepository({ root: scratch, environments: ["staging"] }), (error: Error) => {
        assert.match(error.message, /staging: backend\.image\.tag = "9\.9\.9": released images belong in environments\/staging\.images\.json, which npm run release edits/);
        return true;
      });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("refuses two environments on one host or node port", () => {
    const clash = merge(staging, { ingress: { host: dev.ingress.host }, frontend: { service: { type: "NodePort", nodePort: 30080 } } });
    const problems = crossEnvironmentProblems([dev, clash]);
    assert.deepEqual(problems.map((p) => `${p.environment} ${p.path}`).sort(), ["staging frontend.service.nodePort", "staging ingress.host"]);
    assert.match(problems[0]!.rule, /already used by dev/);
  });
});

describe("tag rule", () => {
  it("allows anything well-formed in dev, semantic versions and SHAs elsewhere", () => {
    assert.equal(tagProblem("dev", "latest"), undefined);
    assert.equal(tagProblem("dev", "my-branch"), undefined);
    assert.equal(tagProblem("prod", "1.4.0"), undefined);
    assert.equal(tagProblem("prod", "v2.0.0-rc.1"), undefined);
    assert.equal(tagProblem("staging", "3f2c1ab"), undefined);
    assert.match(tagProblem("prod", "main") ?? "", /semantic version/);
    assert.match(tagProblem("dev", "-bad") ?? "", /valid image tag/);
    assert.match(tagProblem("prod", "1.4.0-" + "x".repeat(60)) ?? "", /app\.kubernetes\.io\/version label/);
  });
});
