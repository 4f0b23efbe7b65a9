import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatProblem } from "./errors.ts";
import { type Settings, merge } from "./settings.ts";
import { settingsOf } from "./testing/fixtures.ts";
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
  });
});
