import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as z from "zod";
import { formatProblem } from "../errors.ts";
import { postgresImage, redisImage } from "../images.ts";
import { listEnvironments, loadEnvironments } from "../load/environments.ts";
import { FIXTURE_ENVIRONMENTS, fixtureFiles } from "../testing/fixture-environments.ts";
import type { Settings } from "../settings.ts";
import { type FilesChange, TEST_CLUSTERS, TEST_IMAGES, declaredSettings, merge, problemsWith, settingsOf } from "../testing/fixtures.ts";
import { formatPath } from "./problems.ts";
import { resolveEnvironment } from "./resolve.ts";
import { crossEnvironmentProblems, promotionPaths, promotionProblem } from "./rules.ts";
import { environmentSchema, imagesFileSchema, tagProblem } from "./schema.ts";

describe("the committed environments", () => {
  it("have no problems, alone or together (every one there is, a user's own too)", async () => {
    const all = await loadEnvironments();
    assert.deepEqual(all.map((settings) => settings.name), listEnvironments());
    assert.deepEqual(crossEnvironmentProblems(all), []);
  });
});

/** The tests' fixture (dev → staging → prod as shipped, generator/testing/fixture-environments.ts), loaded and checked. */
const fixtureEnvironments = () => loadEnvironments({ files: fixtureFiles() });

describe("defaults come from the declaration", () => {
  it("fill in everything an environment file leaves out, including what depends on the environment's name", () => {
    const qa = declaredSettings("qa");
    assert.equal(qa.namespace, "todo-qa");
    assert.equal(qa.ingress.host, "qa.todo.local");
    assert.equal(qa.backend.config.ENVIRONMENT, "qa");
    assert.deepEqual(Object.keys(qa.backend.config), ["ENVIRONMENT", "LOG_LEVEL", "PYTHONUNBUFFERED", "JWT_ALGORITHM", "JWT_EXPIRATION_DAYS"]);
    assert.equal(qa.frontend.replicas, 1);
    assert.deepEqual(qa.backend.resources, { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1000m", memory: "1Gi" } });
  });

  it("pass the same rules as a value a file states: a namespace or host derived from the name included", () => {
    const { problems } = resolveEnvironment({ name: "Qa", settings: { delivery: { cluster: "minikube" } }, images: TEST_IMAGES, sealed: {} }, TEST_CLUSTERS);
    assert.deepEqual(
      problems.map((problem) => `${problem.path} = ${JSON.stringify(problem.value)}`),
      ['namespace = "todo-Qa"', 'ingress.host = "Qa.todo.local"'],
    );
  });

  it("merge what a file states over them, key by key, and replace lists", () => {
    const stated = declaredSettings("qa", { backend: { config: { LOG_LEVEL: "DEBUG", EXTRA: "1" }, resources: { limits: { cpu: "2" } } }, ingress: { frontendApiPrefixes: ["/api/own"] } });
    assert.deepEqual(stated.backend.config, { ENVIRONMENT: "qa", LOG_LEVEL: "DEBUG", PYTHONUNBUFFERED: "1", JWT_ALGORITHM: "HS256", JWT_EXPIRATION_DAYS: "7", EXTRA: "1" });
    assert.deepEqual(stated.backend.resources.limits, { cpu: "2", memory: "1Gi" });
    assert.deepEqual(stated.ingress.frontendApiPrefixes, ["/api/own"]);
  });

  it("never share an object between two environments", () => {
    const a = declaredSettings("qa");
    const b = declaredSettings("qa");
    a.backend.migration.command.push("--sql");
    a.nodeSelector.x = "y";
    assert.deepEqual(b.backend.migration.command, ["alembic", "upgrade", "head"]);
    assert.deepEqual(b.nodeSelector, {});
  });
});

/** [title, environment, change, file, path, value, rule] */
type Case = [string, string, FilesChange, string, string, unknown, RegExp];

const cases: Case[] = [
  // The examples.
  ["a string where a boolean belongs", "prod", { settings: { backend: { autoscaling: { enabled: "false" } } } }, "environments/prod.ts", "backend.autoscaling.enabled", "false", /must be true or false, not a string/],
  ["a boolean where the Dapr settings belong", "dev", { settings: { dapr: true } }, "environments/dev.ts", "dapr", true, /must be an object of settings: write dapr: \{ enabled: true \}/],
  ["a word where resources belong", "dev", { settings: { backend: { resources: "small" } } }, "environments/dev.ts", "backend.resources", "small", /must be an object, not a string/],
  ["an unknown component in the images file", "dev", { images: { web: { repository: "todo-web", tag: "1.0.0" } } }, "environments/dev.images.json", "web", { repository: "todo-web", tag: "1.0.0" }, /unknown component; known: frontend, backend/],
  ["an unknown field in the images file", "staging", { images: { backend: { pullPolicy: "Always" } } }, "environments/staging.images.json", "backend.pullPolicy", "Always", /unknown field; known: repository, tag, digest/],
  // Digests (issue 16): sha256 and 64 lowercase hex digits, in the images file and on the third-party images.
  ["a digest too short in the images file", "staging", { images: { backend: { digest: "sha256:0" } } }, "environments/staging.images.json", "backend.digest", "sha256:0", /must be a sha256 digest: sha256: and 64 lowercase hex digits/],
  ["a digest in capitals in the images file", "prod", { images: { frontend: { digest: `sha256:${"AB".repeat(32)}` } } }, "environments/prod.images.json", "frontend.digest", `sha256:${"AB".repeat(32)}`, /64 lowercase hex digits/],
  ["a digest of another algorithm", "dev", { images: { backend: { digest: `sha512:${"a".repeat(128)}` } } }, "environments/dev.images.json", "backend.digest", `sha512:${"a".repeat(128)}`, /must be a sha256 digest/],
  ["a digest without its algorithm", "dev", { settings: { database: { image: { digest: "a".repeat(64) } } } }, "environments/dev.ts", "database.image.digest", "a".repeat(64), /must be a sha256 digest/],
  [
    "another PostgreSQL tag under the default digest",
    "staging",
    { settings: { database: { image: { tag: "17.11-alpine" } } } },
    "environments/staging.ts",
    "database.image.digest",
    postgresImage.pinned.digest,
    /^is the digest of postgres:17\.10-alpine, not of tag 17\.11-alpine: state the digest of postgres:17\.11-alpine too \(docker buildx imagetools inspect postgres:17\.11-alpine\), a digest belongs to one tag$/,
  ],
  ["another Redis tag under the default digest", "dev", { settings: { dapr: { redis: { image: { tag: "8.6.6-alpine" } } } } }, "environments/dev.ts", "dapr.redis.image.digest", redisImage.pinned.digest, /is the digest of redis:8\.6\.5-alpine, not of tag 8\.6\.6-alpine/],
  // Ranges and formats.
  ["namespace not DNS-1123", "dev", { settings: { namespace: "Todo_Dev" } }, "environments/dev.ts", "namespace", "Todo_Dev", /DNS-1123/],
  ["replicas above 10", "staging", { settings: { backend: { replicas: 11 } } }, "environments/staging.ts", "backend.replicas", 11, /from 1 to 10/],
  ["replicas of 0", "staging", { settings: { frontend: { replicas: 0 } } }, "environments/staging.ts", "frontend.replicas", 0, /from 1 to 10/],
  ["replicas of 1.5", "staging", { settings: { frontend: { replicas: 1.5 } } }, "environments/staging.ts", "frontend.replicas", 1.5, /from 1 to 10/],
  ["replicas as a string", "staging", { settings: { frontend: { replicas: "2" } } }, "environments/staging.ts", "frontend.replicas", "2", /from 1 to 10/],
  ["service port out of range", "dev", { settings: { backend: { service: { port: 70000 } } } }, "environments/dev.ts", "backend.service.port", 70000, /1 to 65535/],
  ["nodePort out of range", "dev", { settings: { frontend: { service: { nodePort: 8080 } } } }, "environments/dev.ts", "frontend.service.nodePort", 8080, /30000 to 32767/],
  ["nodePort on a ClusterIP Service", "prod", { settings: { frontend: { service: { nodePort: 30090 } } } }, "environments/prod.ts", "frontend.service.nodePort", 30090, /only a NodePort/],
  ["an unknown Service type", "prod", { settings: { frontend: { service: { type: "LoadBalancer" } } } }, "environments/prod.ts", "frontend.service.type", "LoadBalancer", /must be one of ClusterIP, NodePort/],
  ["request above limit", "dev", { settings: { backend: { resources: { requests: { cpu: "2" } } } } }, "environments/dev.ts", "backend.resources.requests.cpu", "2", /must not exceed the limit \(1000m\)/],
  ["memory not a quantity", "dev", { settings: { frontend: { resources: { limits: { memory: "lots" } } } } }, "environments/dev.ts", "frontend.resources.limits.memory", "lots", /quantity/],
  ["probe path without /", "dev", { settings: { backend: { probes: { readiness: { path: "health/ready" } } } } }, "environments/dev.ts", "backend.probes.readiness.path", "health/ready", /start with \//],
  ["invalid host", "dev", { settings: { ingress: { host: "todo_local" } } }, "environments/dev.ts", "ingress.host", "todo_local", /hostname/],
  ["missing tag", "dev", { images: { backend: { tag: "" } } }, "environments/dev.images.json", "backend.tag", "", /required/],
  ["latest where tags are pinned", "staging", { images: { frontend: { tag: "latest" } } }, "environments/staging.images.json", "frontend.tag", "latest", /"latest" names whatever was pushed last: delivery\.tags is "pinned"/],
  ["a branch name where tags are pinned", "prod", { images: { backend: { tag: "nightly" } } }, "environments/prod.images.json", "backend.tag", "nightly", /delivery\.tags is "pinned": a tag must be a semantic version or a git SHA/],
  ["a branch name where tags are pinned, because the environment says so", "dev", { settings: { delivery: { tags: "pinned" } }, images: { backend: { tag: "main" } } }, "environments/dev.images.json", "backend.tag", "main", /delivery\.tags is "pinned"/],
  ["no delivery: every environment names its cluster", "staging", { settings: { delivery: null } }, "environments/staging.ts", "delivery", null, /must be an object/],
  ["a cluster that does not exist", "staging", { settings: { delivery: { cluster: "kind" } } }, "environments/staging.ts", "delivery.cluster", "kind", /must be a cluster of clusters\/<name>\/cluster\.ts: minikube/],
  ["a sync mode Argo CD does not have", "prod", { settings: { delivery: { sync: "auto" } } }, "environments/prod.ts", "delivery.sync", "auto", /must be one of automated, manual/],
  ["a tag policy that does not exist", "prod", { settings: { delivery: { tags: "semver" } } }, "environments/prod.ts", "delivery.tags", "semver", /must be one of mutable, pinned/],
  ["an image repository in capitals", "prod", { images: { backend: { repository: "Todo/Backend" } } }, "environments/prod.images.json", "backend.repository", "Todo/Backend", /lowercase image name/],
  ["database image on latest", "dev", { settings: { database: { image: { tag: "latest" } } } }, "environments/dev.ts", "database.image.tag", "latest", /pinned/],
  ["pull policy Always on Minikube", "dev", { settings: { backend: { pullPolicy: "Always" } } }, "environments/dev.ts", "backend.pullPolicy", "Always", /Never, IfNotPresent/],
  ["a pull policy that does not exist", "dev", { settings: { backend: { pullPolicy: "Sometimes" } } }, "environments/dev.ts", "backend.pullPolicy", "Sometimes", /must be one of Always, IfNotPresent, Never/],
  ["HPA min above max", "prod", { settings: { backend: { autoscaling: { minReplicas: 6, maxReplicas: 5 } } } }, "environments/prod.ts", "backend.autoscaling.minReplicas", 6, /must not exceed maxReplicas/],
  ["HPA max above 10", "prod", { settings: { backend: { autoscaling: { maxReplicas: 12 } } } }, "environments/prod.ts", "backend.autoscaling.maxReplicas", 12, /1 to 10/],
  ["wildcard RBAC", "dev", { settings: { backend: { apiAccess: [{ apiGroups: [""], resources: ["*"], verbs: ["get"] }] } } }, "environments/dev.ts", "backend.apiAccess[0].resources", ["*"], /no wildcards/],
  ["escalate verb", "dev", { settings: { backend: { apiAccess: [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["escalate"] }] } } }, "environments/dev.ts", "backend.apiAccess[0].verbs", ["escalate"], /never granted/],
  ["a typo inside an API access rule", "dev", { settings: { backend: { apiAccess: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"], resourceNamez: ["x"] }] } } }, "environments/dev.ts", "backend.apiAccess[0].resourceNamez", ["x"], /unknown setting; did you mean resourceNames\?/],
  ["quota too small", "prod", { settings: { namespaceSettings: { quota: { "limits.cpu": "2" } } } }, "environments/prod.ts", 'namespaceSettings.quota["limits.cpu"]', "2", /too small/],
  ["quota not a quantity", "prod", { settings: { namespaceSettings: { quota: { "count/jobs.batch": "many" } } } }, "environments/prod.ts", 'namespaceSettings.quota["count/jobs.batch"]', "many", /quantity/],
  // Quota keys the API server refuses (validation/resource-quota.ts).
  ["a misspelt quota resource", "prod", { settings: { namespaceSettings: { quota: { "requests.cpuu": "4" } } } }, "environments/prod.ts", 'namespaceSettings.quota["requests.cpuu"]', "4", /^must be a resource a ResourceQuota accepts: .*; did you mean requests\.cpu\?$/],
  ["a quota resource that does not exist", "prod", { settings: { namespaceSettings: { quota: { deployments: "4" } } } }, "environments/prod.ts", "namespaceSettings.quota.deployments", "4", /count\/<resource>\.<group>/],
  ["requests. of a resource that is not standard", "dev", { settings: { namespaceSettings: { quota: { "requests.gpu": "1" } } } }, "environments/dev.ts", 'namespaceSettings.quota["requests.gpu"]', "1", /must be a resource a ResourceQuota accepts/],
  ["a quota name with two /", "dev", { settings: { namespaceSettings: { quota: { "count/jobs/batch": "1" } } } }, "environments/dev.ts", 'namespaceSettings.quota["count/jobs/batch"]', "1", /at most one \//],
  ["a quota name with a capital in its prefix", "dev", { settings: { namespaceSettings: { quota: { "requests.Nvidia.com/gpu": "1" } } } }, "environments/dev.ts", 'namespaceSettings.quota["requests.Nvidia.com/gpu"]', "1", /prefix must be a lowercase DNS subdomain/],
  ["a fraction of a pod", "staging", { settings: { namespaceSettings: { quota: { pods: "30500m" } } } }, "environments/staging.ts", "namespaceSettings.quota.pods", "30500m", /whole number/],
  ["a fraction of an object count", "staging", { settings: { namespaceSettings: { quota: { "count/jobs.batch": "1.5" } } } }, "environments/staging.ts", 'namespaceSettings.quota["count/jobs.batch"]', "1.5", /whole number/],
  ["database port out of range", "prod", { settings: { database: { port: 0 } } }, "environments/prod.ts", "database.port", 0, /1 to 65535/],
  // The external database's egress: its own range, never the whole internet or the metadata endpoint.
  ["external database without a range", "prod", { settings: { database: { externalCidrs: [] } } }, "environments/prod.ts", "database.externalCidrs", [], /needs its address range/],
  ["external database range: anywhere", "prod", { settings: { database: { externalCidrs: ["0.0.0.0/0"] } } }, "environments/prod.ts", "database.externalCidrs[0]", "0.0.0.0/0", /wider than \/8/],
  ["external database range: not a CIDR", "prod", { settings: { database: { externalCidrs: ["db.example.com"] } } }, "environments/prod.ts", "database.externalCidrs[0]", "db.example.com", /IPv4 CIDR/],
  ["external database range: host bits", "prod", { settings: { database: { externalCidrs: ["203.0.113.7/24"] } } }, "environments/prod.ts", "database.externalCidrs[0]", "203.0.113.7/24", /network address/],
  ["external database range: metadata", "prod", { settings: { database: { externalCidrs: ["169.254.0.0/16"] } } }, "environments/prod.ts", "database.externalCidrs[0]", "169.254.0.0/16", /link-local/],
  ["range for an in-cluster database", "dev", { settings: { database: { externalCidrs: ["203.0.113.0/24"] } } }, "environments/dev.ts", "database.externalCidrs", ["203.0.113.0/24"], /only for database\.mode external/],
  ["external database range as one string", "prod", { settings: { database: { externalCidrs: "192.0.2.0/24" } } }, "environments/prod.ts", "database.externalCidrs", "192.0.2.0/24", /must be a list/],
  ["an unknown database mode", "prod", { settings: { database: { mode: "managed" } } }, "environments/prod.ts", "database.mode", "managed", /must be one of in-cluster, external/],
  ["access mode the single-replica database cannot use", "staging", { settings: { database: { storage: { accessMode: "ReadWriteMany" } } } }, "environments/staging.ts", "database.storage.accessMode", "ReadWriteMany", /single-replica StatefulSet.*ReadWriteOnce or ReadWriteOncePod/],
  ["access mode that does not exist", "dev", { settings: { database: { storage: { accessMode: "ReadWriteSometimes" } } } }, "environments/dev.ts", "database.storage.accessMode", "ReadWriteSometimes", /PersistentVolumeClaim access mode/],
  ["storage size 0", "dev", { settings: { database: { storage: { size: "0" } } } }, "environments/dev.ts", "database.storage.size", "0", /greater than zero/],
  ["storage size 0Gi", "staging", { settings: { database: { storage: { size: "0Gi" } } } }, "environments/staging.ts", "database.storage.size", "0Gi", /greater than zero/],
  ["negative storage size", "dev", { settings: { database: { storage: { size: "-1Gi" } } } }, "environments/dev.ts", "database.storage.size", "-1Gi", /quantity/],
  ["probe path with a space", "dev", { settings: { backend: { probes: { liveness: { path: "/health live" } } } } }, "environments/dev.ts", "backend.probes.liveness.path", "/health live", /URL path/],
  ["probe path with a bad escape", "dev", { settings: { frontend: { probes: { startup: { path: "/health%zz" } } } } }, "environments/dev.ts", "frontend.probes.startup.path", "/health%zz", /URL path/],
  ["probe path with a fragment", "dev", { settings: { frontend: { probes: { readiness: { path: "/ready#now" } } } } }, "environments/dev.ts", "frontend.probes.readiness.path", "/ready#now", /URL path/],
  ["empty migration argument", "dev", { settings: { backend: { migration: { command: ["alembic", "", "head"] } } } }, "environments/dev.ts", "backend.migration.command[1]", "", /non-empty string/],
  ["migration command as one string", "dev", { settings: { backend: { migration: { command: "alembic upgrade head" } } } }, "environments/dev.ts", "backend.migration.command", "alembic upgrade head", /must be a list/],
  ["empty migration command", "dev", { settings: { backend: { migration: { command: [] } } } }, "environments/dev.ts", "backend.migration.command", [], /must not be empty/],
  ["liveness successThreshold above 1", "dev", { settings: { backend: { probes: { liveness: { successThreshold: 2 } } } } }, "environments/dev.ts", "backend.probes.liveness.successThreshold", 2, /must be 1.*liveness/],
  ["startup successThreshold above 1", "prod", { settings: { frontend: { probes: { startup: { successThreshold: 3 } } } } }, "environments/prod.ts", "frontend.probes.startup.successThreshold", 3, /must be 1.*startup/],
  ["readiness successThreshold of 0", "dev", { settings: { backend: { probes: { readiness: { successThreshold: 0 } } } } }, "environments/dev.ts", "backend.probes.readiness.successThreshold", 0, /from 1 to 3600/],
  ["partOf that is no label value", "dev", { settings: { partOf: "Todo Chatbot!" } }, "environments/dev.ts", "partOf", "Todo Chatbot!", /app\.kubernetes\.io\/part-of label/],
  ["partOf longer than 63", "dev", { settings: { partOf: "t".repeat(64) } }, "environments/dev.ts", "partOf", "t".repeat(64), /at most 63/],
  ["tag too long for the version label", "dev", { images: { backend: { tag: "b".repeat(64) } } }, "environments/dev.images.json", "backend.tag", "b".repeat(64), /version label/],
  ["tag starting with _", "dev", { images: { frontend: { tag: "_build" } } }, "environments/dev.images.json", "frontend.tag", "_build", /version label/],
  ["pinned tag ending with .", "dev", { settings: { database: { image: { tag: "17." } } } }, "environments/dev.ts", "database.image.tag", "17.", /version label/],
  ["a number in a ConfigMap", "dev", { settings: { backend: { config: { WORKERS: 4 } } } }, "environments/dev.ts", "backend.config.WORKERS", 4, /must be a string: a ConfigMap holds strings/],
  ["a config key that is no environment variable name", "dev", { settings: { frontend: { config: { "NEXT PUBLIC": "1" } } } }, "environments/dev.ts", 'frontend.config["NEXT PUBLIC"]', "1", /must be an environment variable name/],
  ["a config key Kubernetes would take but the app cannot read", "dev", { settings: { backend: { config: { "log.level": "1" } } } }, "environments/dev.ts", 'backend.config["log.level"]', "1", /must be an environment variable name/],
  ["a LOG_LEVEL Python does not know", "dev", { settings: { backend: { config: { LOG_LEVEL: "VERBOSE" } } } }, "environments/dev.ts", "backend.config.LOG_LEVEL", "VERBOSE", /^must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL/],
  ["a LOG_LEVEL in lower case", "dev", { settings: { backend: { config: { LOG_LEVEL: "debug" } } } }, "environments/dev.ts", "backend.config.LOG_LEVEL", "debug", /^must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL/],
  ["a misspelt setting", "dev", { settings: { backend: { replicsa: 2 } } }, "environments/dev.ts", "backend.replicsa", 2, /^unknown setting; did you mean replicas\?$/],
  ["a misspelt section", "staging", { settings: { ingres: { host: "x.todo.local" } } }, "environments/staging.ts", "ingres", { host: "x.todo.local" }, /^unknown setting; did you mean ingress\?$/],
];

describe("bad input is refused with environment, file, path, value and rule", () => {
  for (const [title, environment, change, file, path, value, rule] of cases) {
    it(title, async () => {
      const problems = await problemsWith(environment, change);
      const problem = problems.find((p) => p.path === path);
      assert.ok(problem, `expected a problem at ${path}, got ${JSON.stringify(problems)}`);
      assert.equal(problem.environment, environment);
      assert.equal(problem.file, file);
      assert.deepEqual(problem.value, value);
      assert.match(problem.rule, rule);
      assert.ok(formatProblem(problem).startsWith(`${environment}: ${file}: ${path} = `), formatProblem(problem));
    });
  }

  it("reports every problem at once, in every file", async () => {
    const problems = await problemsWith("staging", { settings: { backend: { replicas: 0 }, ingress: { host: "Bad Host" }, frontend: { pullPolicy: "Always" } }, images: { backend: { tag: "latest" } } });
    assert.deepEqual(problems.map((p) => `${p.file} ${p.path}`).sort(), [
      "environments/staging.images.json backend.tag",
      "environments/staging.ts backend.replicas",
      "environments/staging.ts frontend.pullPolicy",
      "environments/staging.ts ingress.host",
    ]);
  });

  it("refuses settings an environment file may not state, saying where each belongs", async () => {
    const problems = await problemsWith("dev", {
      settings: { name: "qa", cluster: { cpus: 8 }, frontend: { image: { tag: "1.0.0" }, replicas: 2 }, sealedSecrets: { "todo-backend-secret": { OPENAI_API_KEY: "AgB..." } } },
    });
    assert.deepEqual(problems.map(formatProblem), [
      `dev: environments/dev.ts: name = "qa": the environment's name is its file name (environments/dev.ts): an environment file cannot set it`,
      "dev: environments/dev.ts: cluster = {\"cpus\":8}: cluster facts belong in clusters/<name>/cluster.ts, shared by the environments on it: an environment names its cluster with delivery.cluster",
      "dev: environments/dev.ts: sealedSecrets = (not shown: it may be a credential): sealed values belong in environments/dev.sealed.json, which npm run seal writes: an environment file cannot set them",
      'dev: environments/dev.ts: frontend.image = {"tag":"1.0.0"}: released images belong in environments/dev.images.json, which npm run release edits: an environment file cannot set them',
    ]);
  });

  it("never prints a credential a misplaced or misspelt setting holds", async () => {
    const problems = await problemsWith("dev", { settings: { backend: { confg: { DB_PASS: "hunter2-hunter2" } } } });
    assert.deepEqual(problems.map(formatProblem), ["dev: environments/dev.ts: backend.confg = (not shown: it may be a credential): unknown setting; did you mean config?"]);
  });

  it("shows a digest given without its algorithm: 64 hex digits look like a key, but a digest is never a credential", async () => {
    const hex = "0123456789abcdef".repeat(4);
    const problems = await problemsWith("dev", { settings: { database: { image: { digest: hex } } }, images: { backend: { digest: hex } } });
    assert.deepEqual(problems.map(formatProblem).sort(), [
      `dev: environments/dev.images.json: backend.digest = "${hex}": must be a sha256 digest: sha256: and 64 lowercase hex digits (what \`docker buildx imagetools inspect <image>:<tag>\` prints as Digest)`,
      `dev: environments/dev.ts: database.image.digest = "${hex}": must be a sha256 digest: sha256: and 64 lowercase hex digits (what \`docker buildx imagetools inspect <image>:<tag>\` prints as Digest)`,
    ]);
    // The same value elsewhere is still hidden.
    const elsewhere = await problemsWith("dev", { settings: { backend: { confg: hex } } });
    assert.match(elsewhere.map(formatProblem).join("\n"), /backend\.confg = \(not shown: it may be a credential\)/);
  });

  it("names a missing field of the images file", () => {
    const images = { frontend: { repository: "todo-frontend" }, backend: { repository: "todo-backend", tag: "1.0.0" } };
    const { problems } = resolveEnvironment({ name: "staging", settings: { delivery: { cluster: "minikube" } }, images, sealed: {} }, TEST_CLUSTERS);
    assert.deepEqual(problems.map(formatProblem), ["staging: environments/staging.images.json: frontend.tag = (missing): is required"]);
  });

  it("accepts URLs without a password, URL paths with a query or escapes, and the other valid choices", async () => {
    const problems = await problemsWith("staging", {
      settings: {
        partOf: "todo_chatbot.v2",
        frontend: {
          config: { EXTRA_API_URL: "http://todo-backend:8000/api", CORS_ORIGINS: "http://localhost:3000,https://todo.local", DOCS: "https://user@docs.example/a@b" },
          probes: { readiness: { path: "/health/ready?verbose=1&x=%20", successThreshold: 2 } },
        },
        database: { storage: { size: "512Mi", accessMode: "ReadWriteOncePod" } },
      },
    });
    assert.deepEqual(problems, []);
  });

  it("accepts every kind of ResourceQuota resource name the API server does", async () => {
    const quota = {
      "requests.storage": "10Gi",
      "limits.ephemeral-storage": "4Gi",
      configmaps: "20",
      "count/jobs.batch": "10",
      "count/deployments.apps": "5",
      "count/widgets.example.com": "3",
      "requests.nvidia.com/gpu": "1",
      "requests.hugepages-2Mi": "0",
      "gold.storageclass.storage.k8s.io/requests.storage": "500Gi",
    };
    assert.deepEqual(await problemsWith("staging", { settings: { namespaceSettings: { quota } } }), []);
  });

  it("refuses two environments on one host or node port", async () => {
    const dev = await settingsOf("dev");
    const staging = await settingsOf("staging");
    const clash: Settings = merge(staging, { ingress: { host: dev.ingress.host }, frontend: { service: { type: "NodePort", nodePort: 30080 } } });
    const problems = crossEnvironmentProblems([dev, clash]);
    assert.deepEqual(problems.map((p) => `${p.environment} ${p.file} ${p.path}`).sort(), ["staging environments/staging.ts frontend.service.nodePort", "staging environments/staging.ts ingress.host"]);
    assert.match(problems[0]!.rule, /already used by dev/);
  });
});

/** Every leaf of a JSON Schema object, with its path and a value of a type it does not accept. */
function leaves(schema: Record<string, unknown>, path: string[] = []): { path: string[]; wrong: unknown }[] {
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  if (schema.type === "object" && properties && Object.keys(properties).length > 0) {
    return Object.entries(properties).flatMap(([key, child]) => leaves(child, [...path, key]));
  }
  if ("not" in schema) return []; // a key the file may not state at all (tested above)
  const type = schema.type ?? (Array.isArray(schema.enum) ? typeof schema.enum[0] : typeof schema.const);
  const wrong = type === "string" ? 12 : type === "boolean" ? "true" : type === "array" || type === "object" ? "x" : "12";
  return [{ path, wrong }];
}

function setAt(path: string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

describe("a wrong type anywhere in the tree", () => {
  const declared = z.toJSONSchema(environmentSchema({ name: "dev", clusters: TEST_CLUSTERS }), { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  const all = leaves(declared);

  it("reaches every setting the declaration has", () => {
    assert.ok(all.length > 100, `only ${all.length} settings found`);
    for (const path of ["dapr.enabled", "backend.autoscaling.enabled", "backend.resources.requests.cpu", "ingress.tls.issuer", "database.externalCidrs", "backend.config.LOG_LEVEL", "nodeSelector", "imagePullSecrets"]) {
      assert.ok(all.some((leaf) => leaf.path.join(".") === path), `${path} is not a leaf`);
    }
  });

  it("is refused, naming the file and that setting's path, for each of them", async () => {
    const missed: string[] = [];
    for (const { path, wrong } of all) {
      const problems = await problemsWith("dev", { settings: setAt(path, wrong) });
      const expected = formatPath(path);
      if (!problems.some((p) => p.file === "environments/dev.ts" && p.path === expected && /^must /.test(p.rule))) {
        missed.push(`${expected} = ${JSON.stringify(wrong)}: ${problems.map(formatProblem).join("; ") || "accepted"}`);
      }
    }
    assert.deepEqual(missed, []);
  });

  it("and so is an unknown key in any object of it", async () => {
    const objects = new Set(all.map(({ path }) => path.slice(0, -1).join(".")));
    const missed: string[] = [];
    for (const object of objects) {
      const path = object === "" ? [] : object.split(".");
      // Maps hold any key: ConfigMap entries, quota resources and node labels.
      if (/(^|\.)(config|quota)$/.test(object)) continue;
      const problems = await problemsWith("dev", { settings: path.length ? setAt(path, { unknownKey: true }) : { unknownKey: true } });
      const expected = formatPath([...path, "unknownKey"]);
      if (!problems.some((p) => p.path === expected && p.rule.startsWith("unknown setting"))) missed.push(`${expected}: ${problems.map(formatProblem).join("; ")}`);
    }
    assert.deepEqual(missed, []);
  });

  it("in the images file too", async () => {
    const images = z.toJSONSchema(imagesFileSchema({ name: "dev" }), { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
    for (const { path, wrong } of leaves(images)) {
      const problems = await problemsWith("dev", { images: setAt(path, wrong) });
      assert.ok(problems.some((p) => p.file === "environments/dev.images.json" && p.path === formatPath(path)), `${path.join(".")}: ${problems.map(formatProblem).join("; ")}`);
    }
  });
});

describe("tag rule", () => {
  it("allows anything well-formed where tags are mutable, semantic versions and SHAs where they are pinned", () => {
    assert.equal(tagProblem("latest", "mutable"), undefined);
    assert.equal(tagProblem("my-branch", "mutable"), undefined);
    assert.equal(tagProblem("1.4.0", "pinned"), undefined);
    assert.equal(tagProblem("v2.0.0-rc.1", "pinned"), undefined);
    assert.equal(tagProblem("3f2c1ab", "pinned"), undefined);
    assert.match(tagProblem("main", "pinned") ?? "", /semantic version/);
    assert.match(tagProblem("-bad", "mutable") ?? "", /valid image tag/);
    assert.match(tagProblem("1.4.0-" + "x".repeat(60), "pinned") ?? "", /app\.kubernetes\.io\/version label/);
  });

  it("is each environment's own: the shipped ones say so in delivery.tags", async () => {
    assert.deepEqual(FIXTURE_ENVIRONMENTS, ["dev", "prod", "staging"]);
    assert.deepEqual((await fixtureEnvironments()).map((settings) => [settings.name, settings.delivery.tags]), [
      ["dev", "mutable"],
      ["prod", "pinned"],
      ["staging", "pinned"],
    ]);
  });
});

describe("the promotion path", () => {
  it("is declared by each environment: dev → staging → prod", async () => {
    assert.deepEqual(promotionPaths(await fixtureEnvironments()), ["dev → staging → prod"]);
  });

  it("refuses a promotion off the path, naming the path", async () => {
    const all = await fixtureEnvironments();
    assert.equal(promotionProblem(all, "staging", "prod"), undefined);
    assert.equal(promotionProblem(all, "dev", "prod"), "prod is promoted from staging (delivery.promotedFrom in environments/prod.ts), not from dev: the promotion path is dev → staging → prod");
    assert.match(promotionProblem(all, "staging", "dev") ?? "", /^dev is not promoted from any environment \(no delivery\.promotedFrom in environments\/dev\.ts\): its images change by npm run release -- dev/);
  });

  it("refuses a source that is not another environment, and a circle", async () => {
    const all = await fixtureEnvironments();
    const withSource = (name: string, promotedFrom: string) => all.map((settings) => (settings.name === name ? merge(settings, { delivery: { promotedFrom } }) : settings));
    assert.deepEqual(crossEnvironmentProblems(withSource("prod", "qa")).map(formatProblem), [
      'prod: environments/prod.ts: delivery.promotedFrom = "qa": must be another environment: dev, staging',
    ]);
    assert.deepEqual(crossEnvironmentProblems(withSource("prod", "prod")).map((p) => p.rule), ["must be another environment: dev, staging"]);
    const circle = crossEnvironmentProblems(withSource("dev", "prod")).map(formatProblem);
    assert.equal(circle.length, 3, circle.join("\n"));
    assert.match(circle[0]!, /^dev: environments\/dev\.ts: delivery\.promotedFrom = "prod": promotion runs in a circle \(← reads "is promoted from"\): dev ← prod ← staging ← dev$/);
  });

  it("a source that exists but was not checked (a release skips an environment that does not load) is no problem; any other still is", async () => {
    const all = await fixtureEnvironments();
    const withoutDev = all.filter((settings) => settings.name !== "dev");
    assert.deepEqual(crossEnvironmentProblems(withoutDev, ["dev"]), []);
    assert.deepEqual(crossEnvironmentProblems(withoutDev).map(formatProblem), ['staging: environments/staging.ts: delivery.promotedFrom = "dev": must be another environment: prod']);
  });

  it("keeps every environment on one cluster, since argocd/ is rendered for one", async () => {
    const all = await fixtureEnvironments();
    const problems = crossEnvironmentProblems(all.map((settings) => (settings.name === "staging" ? merge(settings, { delivery: { cluster: "kind" } }) : settings)));
    assert.deepEqual(problems.map(formatProblem), [
      'staging: environments/staging.ts: delivery.cluster = "kind": every environment runs on one cluster (dev runs on minikube): argocd/ is rendered for one Argo CD',
    ]);
  });
});

describe("what a problem shows", () => {
  it("a config key that is no environment variable name is refused for that alone, its harmless value shown (not taken for a credential: BAD_KEY)", async () => {
    const problems = await problemsWith("dev", { settings: { backend: { config: { "bad key!": "harmless" } } } });
    assert.deepEqual(problems.map(formatProblem), [
      'dev: environments/dev.ts: backend.config["bad key!"] = "harmless": must be an environment variable name (letters, digits and _, not starting with a digit): ' +
        "the entries reach the container as its environment, and the app reads them by such names",
    ]);
  });

  it("the credential rules still apply: to a valid name as written, and to the value of an invalid one", async () => {
    const byName = await problemsWith("dev", { settings: { backend: { config: { API_KEY: "harmless" } } } });
    assert.deepEqual(byName.map((p) => [p.path, p.secret]), [["backend.config.API_KEY", true]]);
    const byValue = await problemsWith("dev", { settings: { backend: { config: { "open ai": "sk-abcdefghijklmnopqrstuvwx" } } } });
    assert.ok(byValue.length >= 1 && byValue.every((p) => p.secret === true), JSON.stringify(byValue));
    assert.ok(!byValue.map(formatProblem).join("\n").includes("sk-abcdefghijklmnopqrstuvwx"));
  });

  it("NaN and Infinity as themselves, not as JSON's null", async () => {
    for (const [value, shown] of [[Number.NaN, "NaN"], [Number.POSITIVE_INFINITY, "Infinity"], [Number.NEGATIVE_INFINITY, "-Infinity"]] as const) {
      const problems = await problemsWith("dev", { settings: { backend: { replicas: value } } });
      const problem = problems.find((p) => p.path === "backend.replicas");
      assert.ok(problem, JSON.stringify(problems));
      assert.match(formatProblem(problem), new RegExp(`^dev: environments/dev\\.ts: backend\\.replicas = ${shown}: `));
    }
  });

  it("a file that is not an object names the whole file, not an empty path", async () => {
    const problems = await problemsWith("prod", { images: [] });
    assert.deepEqual(problems.map(formatProblem), ["prod: environments/prod.images.json: (the whole file) = []: must be an object, not a list"]);
  });
});
