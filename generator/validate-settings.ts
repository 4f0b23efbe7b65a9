/**
 * The seeds' validation rules, checked on the settings before anything is
 * rendered or written. Every problem in every environment is reported at once.
 */
import { defaultSettings } from "./defaults.ts";
import type { SettingsProblem } from "./errors.ts";
import { maxReplicas } from "./lib/app-workload.ts";
import { isNetworkAddress, overlaps, parseCidr } from "./lib/cidr.ts";
import { parseQuantity } from "./lib/quantity.ts";
import { sealedFileProblems } from "./secrets/sealed-file.ts";
import { SEALABLE_SECRETS } from "./secrets/catalogue.ts";
import { usesAcme } from "./components/tls.ts";
import { type AppSettings, type EnvironmentOverrides, type ImageRef, type ProbeSettings, type PullPolicy, type Resources, type Settings, TLS_ISSUERS } from "./settings.ts";
import { DNS_1123_SUBDOMAIN, keyProblem, labelValueProblem } from "./validation/labels.ts";

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** An image name: lowercase path components, optionally behind a registry host[:port]. */
const IMAGE_REPOSITORY = /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const GIT_SHA = /^[0-9a-f]{7,40}$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
/** Keys that look like they hold a credential, which belongs in a Secret; matched against normalisedKey(). */
const SECRET_LOOKING_KEY = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|DATABASE_URL|DSN/;
/** `scheme://user:password@`: a URL that carries its own credentials (the user may be empty, as in `redis://:pw@host`). */
const URL_WITH_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:)[^\s/?#@]+@/i;
/**
 * An absolute URL path with an optional query (RFC 3986 pchars, `%XX` escapes):
 * the kubelet puts it in a request line, where a space or a stray `%` breaks it.
 */
const URL_PATH = /^\/(?:[-A-Za-z0-9._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*(?:\?(?:[-A-Za-z0-9._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)?$/;
const PVC_ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];
/** The database is a single-replica StatefulSet whose one pod writes its volume. */
const DATABASE_ACCESS_MODES = ["ReadWriteOnce", "ReadWriteOncePod"];
const FORBIDDEN_VERBS = new Set(["bind", "escalate", "impersonate"]);

/** Only the environment named `dev` may run mutable tags. */
export const DEV_ENVIRONMENT = "dev";

export class ProblemList {
  readonly problems: SettingsProblem[] = [];
  readonly environment: string;
  constructor(environment: string) {
    this.environment = environment;
  }
  add(path: string, value: unknown, rule: string): void {
    this.problems.push({ environment: this.environment, path, value, rule });
  }
  check(ok: boolean, path: string, value: unknown, rule: string): void {
    if (!ok) this.add(path, value, rule);
  }
}

function integerIn(problems: ProblemList, path: string, value: number, min: number, max: number): void {
  problems.check(Number.isInteger(value) && value >= min && value <= max, path, value, `must be an integer from ${min} to ${max}`);
}

/** Every image tag is also the app.kubernetes.io/version label of the objects that run it. */
const TAG_AS_LABEL_RULE = "becomes the app.kubernetes.io/version label: at most 63 characters, starting and ending with a letter or digit";

/** A release tag the generator accepts for this environment, or the rule it breaks. */
export function tagProblem(environment: string, tag: string): string | undefined {
  if (!tag) return "an image tag is required";
  if (!IMAGE_TAG.test(tag)) return "must be a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})";
  if (labelValueProblem(tag) !== undefined) return TAG_AS_LABEL_RULE;
  if (environment === DEV_ENVIRONMENT) return undefined;
  if (tag === "latest") return `"latest" is only allowed in ${DEV_ENVIRONMENT}`;
  if (!SEMVER.test(tag) && !GIT_SHA.test(tag)) return `outside ${DEV_ENVIRONMENT} a tag must be a semantic version or a git SHA (7-40 hex digits)`;
  return undefined;
}

/** A third-party image (PostgreSQL) is pinned to a version, never `latest`, in every environment. */
function pinnedTagProblem(tag: string): string | undefined {
  if (!tag) return "an image tag is required";
  if (!IMAGE_TAG.test(tag)) return "must be a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})";
  if (labelValueProblem(tag) !== undefined) return TAG_AS_LABEL_RULE;
  if (tag === "latest") return "a third-party image must be pinned to a version, never latest";
  return undefined;
}

function checkImage(problems: ProblemList, path: string, image: ImageRef, pullPolicy: PullPolicy, settings: Settings, released = true): void {
  problems.check(IMAGE_REPOSITORY.test(image.repository), `${path}.image.repository`, image.repository, "must be a lowercase image name");
  const tag = released ? tagProblem(settings.name, image.tag) : pinnedTagProblem(image.tag);
  if (tag) problems.add(`${path}.image.tag`, image.tag, tag);
  const allowed = settings.cluster.allowedPullPolicies;
  problems.check(
    allowed.includes(pullPolicy),
    `${path}.pullPolicy`,
    pullPolicy,
    `cluster ${settings.cluster.name} uses images from its own store: must be one of ${allowed.join(", ")}`,
  );
}

function checkResources(problems: ProblemList, path: string, resources: Resources): void {
  for (const resource of ["cpu", "memory"] as const) {
    const request = resources.requests[resource];
    const limit = resources.limits[resource];
    const requestValue = parseQuantity(request);
    const limitValue = parseQuantity(limit);
    problems.check(requestValue !== undefined, `${path}.resources.requests.${resource}`, request, "must be a Kubernetes quantity");
    problems.check(limitValue !== undefined, `${path}.resources.limits.${resource}`, limit, "must be a Kubernetes quantity");
    if (requestValue !== undefined && limitValue !== undefined) {
      problems.check(requestValue <= limitValue, `${path}.resources.requests.${resource}`, request, `must not exceed the limit (${limit})`);
    }
  }
}

/** `openai-api-key`, `database.url` and `DATABASE_URL` are one name to the secret-looking check. */
function normalisedKey(key: string): string {
  return key.toUpperCase().replace(/[-.]/g, "_");
}

function checkConfig(problems: ProblemList, path: string, config: Record<string, string>): void {
  for (const [key, value] of Object.entries(config)) {
    problems.check(CONFIG_KEY.test(key), `${path}.config.${key}`, key, "a ConfigMap key must match [-._a-zA-Z0-9]+");
    problems.check(
      !SECRET_LOOKING_KEY.test(normalisedKey(key)),
      `${path}.config.${key}`,
      key,
      "looks like a secret (PASSWORD, SECRET, TOKEN, API_KEY…, in any case, with - or . for _): put it in a Secret, never in a ConfigMap",
    );
    if (typeof value !== "string") {
      problems.add(`${path}.config.${key}`, value, "ConfigMap values must be strings");
    } else if (URL_WITH_PASSWORD.test(value)) {
      // The error names the value without the password: it is printed in logs and CI.
      problems.add(
        `${path}.config.${key}`,
        value.replace(new RegExp(URL_WITH_PASSWORD.source, "gi"), "$1***@"),
        "a URL with a password (scheme://user:password@host) is a credential: put it in a Secret, never in a ConfigMap",
      );
    }
  }
}

function checkProbe(problems: ProblemList, probePath: string, kind: string, probe: ProbeSettings): void {
  if (typeof probe.path !== "string" || !probe.path.startsWith("/")) {
    problems.add(`${probePath}.path`, probe.path, "must start with /");
  } else {
    problems.check(
      URL_PATH.test(probe.path),
      `${probePath}.path`,
      probe.path,
      "must be a URL path: no spaces; letters, digits, -._~!$&'()*+,;=:@/ or %XX escapes, then an optional ?query",
    );
  }
  integerIn(problems, `${probePath}.initialDelaySeconds`, probe.initialDelaySeconds, 0, 3600);
  for (const field of ["periodSeconds", "timeoutSeconds", "failureThreshold"] as const) {
    integerIn(problems, `${probePath}.${field}`, probe[field], 1, 3600);
  }
  if (kind === "readiness") {
    integerIn(problems, `${probePath}.successThreshold`, probe.successThreshold, 1, 3600);
  } else {
    problems.check(probe.successThreshold === 1, `${probePath}.successThreshold`, probe.successThreshold, `must be 1: Kubernetes accepts no other value for a ${kind} probe`);
  }
}

function checkApp(problems: ProblemList, path: "frontend" | "backend", app: AppSettings, settings: Settings): void {
  checkImage(problems, path, app.image, app.pullPolicy, settings);
  integerIn(problems, `${path}.replicas`, app.replicas, 1, 10);
  checkResources(problems, path, app.resources);
  for (const [kind, probe] of Object.entries(app.probes)) checkProbe(problems, `${path}.probes.${kind}`, kind, probe);
  const { service } = app;
  problems.check(["ClusterIP", "NodePort"].includes(service.type), `${path}.service.type`, service.type, "must be ClusterIP or NodePort");
  integerIn(problems, `${path}.service.port`, service.port, 1, 65535);
  if (service.nodePort !== undefined) {
    problems.check(service.type === "NodePort", `${path}.service.nodePort`, service.nodePort, "only a NodePort Service has a nodePort");
    integerIn(problems, `${path}.service.nodePort`, service.nodePort, 30000, 32767);
  }
  const { autoscaling } = app;
  if (autoscaling.enabled) {
    integerIn(problems, `${path}.autoscaling.minReplicas`, autoscaling.minReplicas, 1, 10);
    integerIn(problems, `${path}.autoscaling.maxReplicas`, autoscaling.maxReplicas, 1, 10);
    problems.check(
      autoscaling.minReplicas <= autoscaling.maxReplicas,
      `${path}.autoscaling.minReplicas`,
      autoscaling.minReplicas,
      `must not exceed maxReplicas (${autoscaling.maxReplicas})`,
    );
    integerIn(problems, `${path}.autoscaling.targetCPUUtilizationPercentage`, autoscaling.targetCPUUtilizationPercentage, 1, 100);
  }
  checkConfig(problems, path, app.config);
  app.apiAccess.forEach((rule, i) => {
    const rulePath = `${path}.apiAccess[${i}]`;
    for (const field of ["apiGroups", "resources", "verbs", "resourceNames"] as const) {
      const values = rule[field] ?? [];
      problems.check(!values.includes("*"), `${rulePath}.${field}`, values, "no wildcards: name exactly what the component uses");
    }
    for (const verb of rule.verbs) {
      problems.check(!FORBIDDEN_VERBS.has(verb), `${rulePath}.verbs`, verb, "bind, escalate and impersonate are never granted");
    }
  });
}

/** Worst case: every workload at its largest plus one surge pod, and both hook Jobs, must fit the quota. */
function checkQuota(problems: ProblemList, settings: Settings): void {
  const quota = settings.namespaceSettings.quota;
  const apps = [settings.frontend, settings.backend];
  const pods: { count: number; resources: Resources }[] = apps.map((app) => ({ count: maxReplicas(app) + 1, resources: app.resources }));
  if (settings.database.mode === "in-cluster") pods.push({ count: 1, resources: settings.database.resources });
  pods.push({ count: 1, resources: settings.backend.resources }); // the migration Job runs beside the backend
  if (settings.dapr.enabled) pods.push({ count: 2, resources: settings.dapr.redis.resources }); // Redis and its rolling-update surge
  // An ACME challenge runs cert-manager's HTTP-01 solver pod in the namespace (one host: one pod at a time).
  if (usesAcme(settings)) pods.push({ count: 1, resources: settings.cluster.certManager.http01Solver.resources });
  // The injected Dapr sidecar counts against the quota in every backend pod: more containers, not more pods.
  const sidecars = settings.dapr.enabled ? [{ count: maxReplicas(settings.backend) + 1, resources: settings.dapr.sidecar.resources }] : [];
  for (const [field, pick] of [
    ["requests.cpu", (r: Resources) => r.requests.cpu],
    ["requests.memory", (r: Resources) => r.requests.memory],
    ["limits.cpu", (r: Resources) => r.limits.cpu],
    ["limits.memory", (r: Resources) => r.limits.memory],
  ] as const) {
    const hard = quota[field];
    if (hard === undefined) continue;
    const hardValue = parseQuantity(hard);
    if (hardValue === undefined) {
      problems.add(`namespaceSettings.quota.${field}`, hard, "must be a Kubernetes quantity");
      continue;
    }
    const needed = [...pods, ...sidecars].reduce((sum, pod) => sum + pod.count * (parseQuantity(pick(pod.resources)) ?? 0), 0);
    problems.check(
      needed <= hardValue,
      `namespaceSettings.quota.${field}`,
      hard,
      `too small for the workloads at their largest (they need ${Math.ceil(needed * 1000) / 1000}${field.endsWith("memory") ? " bytes" : " cores"})`,
    );
  }
  const podCount = pods.reduce((sum, pod) => sum + pod.count, 0) + 1; // + the smoke test
  if (quota.pods !== undefined) {
    problems.check(Number(quota.pods) >= podCount, "namespaceSettings.quota.pods", quota.pods, `too small: up to ${podCount} pods run at once`);
  }
}

/** A Dapr tracing sampling rate: a decimal from 0 to 1, written as a string. */
const SAMPLING_RATE = /^(0(\.\d+)?|1(\.0+)?)$/;

/** The injected sidecar and Redis: checked only while Dapr is on (their defaults are valid anyway). */
function checkDapr(problems: ProblemList, settings: Settings): void {
  const { dapr } = settings;
  if (!dapr.enabled) return;
  // Dapr app-ids name Kubernetes objects (the operator's `<app-id>-dapr` Service) and may not contain dots.
  problems.check(
    DNS_1123_LABEL.test(dapr.appId) && dapr.appId.length <= 58,
    "dapr.appId",
    dapr.appId,
    "must be a DNS-1123 label of at most 58 characters (the Dapr operator names a Service `<app-id>-dapr`)",
  );
  checkResources(problems, "dapr.sidecar", dapr.sidecar.resources);
  checkWithinContainerMax(problems, "dapr.sidecar", dapr.sidecar.resources, settings);
  checkImage(problems, "dapr.redis", dapr.redis.image, dapr.redis.pullPolicy, settings, false);
  checkResources(problems, "dapr.redis", dapr.redis.resources);
  checkWithinContainerMax(problems, "dapr.redis", dapr.redis.resources, settings);
  if (dapr.tracing.enabled) {
    problems.check(SAMPLING_RATE.test(dapr.tracing.samplingRate), "dapr.tracing.samplingRate", dapr.tracing.samplingRate, "must be a decimal from 0 to 1, e.g. \"1\" or \"0.1\"");
  }
}

/** The LimitRange refuses a container whose limits exceed its max: an injected sidecar would never start. */
function checkWithinContainerMax(problems: ProblemList, path: string, resources: Resources, settings: Settings): void {
  const max = settings.namespaceSettings.containerLimits.max;
  for (const resource of ["cpu", "memory"] as const) {
    const limit = parseQuantity(resources.limits[resource]);
    const ceiling = parseQuantity(max[resource]);
    if (limit === undefined || ceiling === undefined) continue;
    problems.check(
      limit <= ceiling,
      `${path}.resources.limits.${resource}`,
      resources.limits[resource],
      `must not exceed the LimitRange maximum for a container (${max[resource]})`,
    );
  }
}

/** A contact address, as far as a settings check can tell: one @, no spaces, a dot in the domain. */
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s.]+$/;
/**
 * Special-use and reserved names that no public resolver answers (RFC 2606,
 * 6761, 6762, 8375), so no ACME server can reach them over HTTP-01.
 */
const NON_PUBLIC_SUFFIXES = [".local", ".localhost", ".test", ".example", ".invalid", ".internal", ".home.arpa"];

/** ingress.tls: the issuer is one we render, and an ACME issuer has an address to write to and a host it can reach. */
function checkTls(problems: ProblemList, settings: Settings): void {
  const { tls, host } = settings.ingress;
  problems.check(typeof tls.enabled === "boolean", "ingress.tls.enabled", tls.enabled, "must be true or false");
  problems.check((TLS_ISSUERS as readonly string[]).includes(tls.issuer), "ingress.tls.issuer", tls.issuer, `must be one of: ${TLS_ISSUERS.join(", ")}`);
  if (!usesAcme(settings) || !(TLS_ISSUERS as readonly string[]).includes(tls.issuer)) return;
  problems.check(
    typeof tls.acmeEmail === "string" && EMAIL.test(tls.acmeEmail),
    "ingress.tls.acmeEmail",
    tls.acmeEmail,
    `${tls.issuer} needs the ACME account's e-mail address (Let's Encrypt writes to it about expiring certificates)`,
  );
  const reserved = NON_PUBLIC_SUFFIXES.find((suffix) => `.${host}`.endsWith(suffix));
  problems.check(
    reserved === undefined && host.includes("."),
    "ingress.tls.issuer",
    tls.issuer,
    `${tls.issuer} issues only for a public DNS name that resolves to this cluster's ingress; ingress.host "${host}" ${reserved ? `ends in ${reserved}, which` : "is a single label, which"} no public resolver answers: use "local-ca", or a public host`,
  );
}

/** Settings with no default value, so absent from defaultSettings(). */
const OPTIONAL_SETTINGS = new Set(["frontend.service.nodePort", "backend.service.nodePort"]);

/**
 * Settings that exist but are not the environment file's to state, and where
 * each belongs. The types forbid them too, but `npm run render` does not typecheck.
 */
function misplacedSettingRule(environment: string, keyPath: string): string | undefined {
  switch (keyPath) {
    case "name":
      return `the environment's name is its file name (environments/${environment}.ts): an environment file cannot set it`;
    case "cluster":
      return "cluster facts belong in clusters/minikube/cluster.ts, shared by every environment: an environment file cannot set them";
    case "frontend.image":
    case "backend.image":
      return `released images belong in environments/${environment}.images.json, which npm run release edits: an environment file cannot set them`;
    case "sealedSecrets":
      return `sealed values belong in environments/${environment}.sealed.json, which npm run seal writes: an environment file cannot set them`;
    default:
      return undefined;
  }
}

/** Each scalar (or empty object) under `value`, with its path: a misplaced setting is reported where it is written. */
function leaves(value: unknown, path: string): [string, unknown][] {
  if (typeof value !== "object" || value === null || Array.isArray(value) || Object.keys(value).length === 0) return [[path, value]];
  return Object.entries(value).flatMap(([key, item]) => leaves(item, `${path}.${key}`));
}

/** Keys an environment file states that the settings do not have (a typo would otherwise be ignored), or that belong elsewhere. */
function checkOverrideKeys(problems: ProblemList, overrides: unknown, defaults: unknown, path: string): void {
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) return;
  if (typeof defaults !== "object" || defaults === null || Array.isArray(defaults)) return;
  for (const [key, value] of Object.entries(overrides)) {
    const keyPath = path ? `${path}.${key}` : key;
    const misplaced = misplacedSettingRule(problems.environment, keyPath);
    if (misplaced) {
      for (const [leafPath, leaf] of leaves(value, keyPath)) problems.add(leafPath, leaf, misplaced);
      continue;
    }
    // Free-form maps: any key is a legitimate entry.
    if (["config", "quota", "nodeSelector"].includes(key)) continue;
    if (!(key in defaults) && !OPTIONAL_SETTINGS.has(keyPath)) {
      problems.add(keyPath, value, "unknown setting");
      continue;
    }
    checkOverrideKeys(problems, value, (defaults as Record<string, unknown>)[key], keyPath);
  }
}

function checkMigrationCommand(problems: ProblemList, command: unknown): void {
  const path = "backend.migration.command";
  if (!Array.isArray(command)) {
    problems.add(path, command, "must be a list: the program, then each argument");
    return;
  }
  problems.check(command.length > 0, path, command, "must not be empty");
  command.forEach((argument, i) =>
    problems.check(typeof argument === "string" && argument !== "", `${path}[${i}]`, argument, "must be a non-empty string (the container runtime refuses an empty program or argument)"),
  );
}

const LINK_LOCAL = parseCidr("169.254.0.0/16")!;

/** The external database's egress: named ranges only, never "anywhere" and never the metadata endpoint. */
function checkExternalCidrs(problems: ProblemList, database: Settings["database"]): void {
  const cidrs = database.externalCidrs;
  if (!Array.isArray(cidrs)) {
    problems.add("database.externalCidrs", cidrs, "must be a list of IPv4 CIDR ranges, e.g. [\"203.0.113.0/24\"]");
    return;
  }
  if (database.mode === "external" && cidrs.length === 0) {
    problems.add(
      "database.externalCidrs",
      cidrs,
      "an external database needs its address range(s): the backend and the migration may reach it there only (e.g. your provider's published range, or the address as /32)",
    );
  }
  if (database.mode !== "external" && cidrs.length > 0) {
    problems.add("database.externalCidrs", cidrs, "only for database.mode external: the in-cluster database is reached by its pods' labels");
  }
  cidrs.forEach((cidr, i) => {
    const path = `database.externalCidrs[${i}]`;
    const range = typeof cidr === "string" ? parseCidr(cidr) : undefined;
    if (!range) problems.add(path, cidr, "must be an IPv4 CIDR range (a.b.c.d/n)");
    else if (!isNetworkAddress(range)) problems.add(path, cidr, "must be the network address of its range (no host bits set), e.g. 203.0.113.0/24");
    else if (range.prefix < 8) problems.add(path, cidr, "is wider than /8: name the database's own range, not most of the internet");
    else if (overlaps(range, LINK_LOCAL)) problems.add(path, cidr, "overlaps link-local 169.254.0.0/16 (cloud metadata endpoints)");
  });
}

function checkStorage(problems: ProblemList, storage: Settings["database"]["storage"]): void {
  const size = parseQuantity(storage.size);
  if (size === undefined) problems.add("database.storage.size", storage.size, "must be a Kubernetes quantity");
  else problems.check(size > 0, "database.storage.size", storage.size, "must be greater than zero (e.g. 1Gi)");
  if (!PVC_ACCESS_MODES.includes(storage.accessMode)) {
    problems.add("database.storage.accessMode", storage.accessMode, `must be a PersistentVolumeClaim access mode: ${DATABASE_ACCESS_MODES.join(" or ")} for the database`);
  } else {
    problems.check(
      DATABASE_ACCESS_MODES.includes(storage.accessMode),
      "database.storage.accessMode",
      storage.accessMode,
      `the database is a single-replica StatefulSet that writes its volume: must be ${DATABASE_ACCESS_MODES.join(" or ")}`,
    );
  }
}

function checkPodPlacement(problems: ProblemList, settings: Settings): void {
  for (const [key, value] of Object.entries(settings.nodeSelector)) {
    const path = `nodeSelector["${key}"]`;
    const keyRule = keyProblem(key);
    if (keyRule) problems.add(path, key, `node label key: ${keyRule}`);
    const valueRule = labelValueProblem(value);
    if (valueRule) problems.add(path, value, `node label value: ${valueRule}`);
  }
  if (!Array.isArray(settings.imagePullSecrets)) {
    problems.add("imagePullSecrets", settings.imagePullSecrets, "must be a list of Secret names");
    return;
  }
  settings.imagePullSecrets.forEach((name, i) => {
    const path = `imagePullSecrets[${i}]`;
    problems.check(typeof name === "string" && DNS_1123_SUBDOMAIN.test(name), path, name, "must be a Secret name (DNS-1123 subdomain)");
    problems.check(settings.imagePullSecrets.indexOf(name) === i, path, name, "is listed twice");
    problems.check(!SEALABLE_SECRETS.has(name), path, name, "is a Secret the workloads read: a pull Secret is a separate docker-registry Secret");
  });
}

/** Every problem in one environment's settings. */
export function settingsProblems(settings: Settings, overrides: EnvironmentOverrides = {}): SettingsProblem[] {
  const problems = new ProblemList(settings.name);
  problems.check(DNS_1123_LABEL.test(settings.name), "environment", settings.name, "an environment name must be a DNS-1123 label");
  problems.check(DNS_1123_LABEL.test(settings.namespace), "namespace", settings.namespace, "must be a DNS-1123 label (lowercase letters, digits, '-'; at most 63)");
  problems.check(
    settings.partOf !== "" && labelValueProblem(settings.partOf) === undefined,
    "partOf",
    settings.partOf,
    "becomes the app.kubernetes.io/part-of label: must be a label value (at most 63 characters: letters, digits, -, _ and ., starting and ending with a letter or digit)",
  );
  checkOverrideKeys(problems, overrides, defaultSettings(settings.name, settings.cluster, { frontend: settings.frontend.image, backend: settings.backend.image }), "");

  checkApp(problems, "frontend", settings.frontend, settings);
  checkApp(problems, "backend", settings.backend, settings);
  checkMigrationCommand(problems, settings.backend.migration.command);
  integerIn(problems, "backend.migration.backoffLimit", settings.backend.migration.backoffLimit, 0, 10);
  integerIn(problems, "backend.migration.activeDeadlineSeconds", settings.backend.migration.activeDeadlineSeconds, 1, 86400);

  const { database } = settings;
  problems.check(["in-cluster", "external"].includes(database.mode), "database.mode", database.mode, "must be in-cluster or external");
  integerIn(problems, "database.port", database.port, 1, 65535);
  problems.check(/^[a-z][a-z0-9+.-]*$/.test(database.urlScheme), "database.urlScheme", database.urlScheme, "must be a URL scheme");
  checkExternalCidrs(problems, database);
  if (database.mode === "in-cluster") {
    checkImage(problems, "database", database.image, database.pullPolicy, settings, false);
    checkResources(problems, "database", database.resources);
    checkStorage(problems, database.storage);
  }

  const { ingress } = settings;
  if (ingress.enabled) {
    problems.check(DNS_1123_SUBDOMAIN.test(ingress.host), "ingress.host", ingress.host, "must be a valid lowercase hostname");
    ingress.frontendApiPrefixes.forEach((prefix, i) =>
      problems.check(/^\/api\/[-a-zA-Z0-9_./]+$/.test(prefix), `ingress.frontendApiPrefixes[${i}]`, prefix, "must be a path under /api/"),
    );
    checkTls(problems, settings);
  }
  checkPodPlacement(problems, settings);
  integerIn(problems, "smokeTest.backoffLimit", settings.smokeTest.backoffLimit, 0, 10);
  integerIn(problems, "smokeTest.activeDeadlineSeconds", settings.smokeTest.activeDeadlineSeconds, 1, 3600);
  checkDapr(problems, settings);
  checkQuota(problems, settings);
  problems.problems.push(...sealedFileProblems(settings, settings.sealedSecrets));
  return problems.problems;
}

/** Rules across environments that share one cluster: namespaces, hosts and node ports must not collide. */
export function crossEnvironmentProblems(all: Settings[]): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  const claim = new Map<string, string>();
  const take = (settings: Settings, key: string, path: string, value: unknown, what: string) => {
    const owner = claim.get(key);
    if (owner && owner !== settings.name) {
      problems.push({ environment: settings.name, path, value, rule: `${what} is already used by ${owner} on the same cluster` });
    } else claim.set(key, settings.name);
  };
  for (const settings of all) {
    take(settings, `namespace:${settings.namespace}`, "namespace", settings.namespace, "this namespace");
    if (settings.ingress.enabled) take(settings, `host:${settings.ingress.host}`, "ingress.host", settings.ingress.host, "this host");
    for (const component of ["frontend", "backend"] as const) {
      const nodePort = settings[component].service.nodePort;
      if (settings[component].service.type === "NodePort" && nodePort !== undefined) {
        take(settings, `nodePort:${nodePort}`, `${component}.service.nodePort`, nodePort, "this node port");
      }
    }
  }
  return problems;
}
