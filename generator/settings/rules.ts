/**
 * The rules that span more than one setting's declaration: the quota against
 * every workload, the Dapr sidecar and Redis against the LimitRange, the
 * external database's address ranges against its mode, an ACME issuer
 * against its e-mail address and host, the sealed file against what the
 * environment reads, and across environments
 * (they share a cluster: namespaces, hosts and node ports must not collide).
 * Written against the declared type (settings.ts), checked once each
 * environment's files have parsed.
 */
import { usesAcme } from "../components/tls.ts";
import { environmentFileName } from "../environment-files.ts";
import type { SettingsProblem } from "../errors.ts";
import { maxReplicas } from "../lib/app-workload.ts";
import { parseQuantity } from "../lib/quantity.ts";
import type { Resources, Settings } from "../settings.ts";

/** Records a problem at a setting's path, with the value it has and the rule it breaks. */
type Add = (path: string, value: unknown, rule: string) => void;

/** Worst case: every workload at its largest plus one surge pod, and both hook Jobs, must fit the quota. */
function quotaProblems(settings: Settings, add: Add): void {
  const quota = settings.namespaceSettings.quota as Record<string, string | undefined>;
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
    const needed = [...pods, ...sidecars].reduce((sum, pod) => sum + pod.count * (parseQuantity(pick(pod.resources)) ?? 0), 0);
    if (needed > parseQuantity(hard)!) {
      add(
        `namespaceSettings.quota["${field}"]`,
        hard,
        `too small for the workloads at their largest (they need ${Math.ceil(needed * 1000) / 1000}${field.endsWith("memory") ? " bytes" : " cores"})`,
      );
    }
  }
  const podCount = pods.reduce((sum, pod) => sum + pod.count, 0) + 1; // + the smoke test
  if (quota.pods !== undefined && parseQuantity(quota.pods)! < podCount) add("namespaceSettings.quota.pods", quota.pods, `too small: up to ${podCount} pods run at once`);
}

/** The LimitRange refuses a container whose limits exceed its max: an injected sidecar (or Redis) would never start. */
function containerMaxProblems(settings: Settings, add: Add): void {
  if (!settings.dapr.enabled) return;
  const max = settings.namespaceSettings.containerLimits.max;
  for (const [path, resources] of [
    ["dapr.sidecar", settings.dapr.sidecar.resources],
    ["dapr.redis", settings.dapr.redis.resources],
  ] as const) {
    for (const resource of ["cpu", "memory"] as const) {
      if (parseQuantity(resources.limits[resource])! > parseQuantity(max[resource])!) {
        add(`${path}.resources.limits.${resource}`, resources.limits[resource], `must not exceed the LimitRange maximum for a container (${max[resource]})`);
      }
    }
  }
}

/** database.externalCidrs belongs to an external database, and an external one needs it: its egress is opened there only. */
function externalDatabaseProblems(settings: Settings, add: Add): void {
  const { mode, externalCidrs } = settings.database;
  if (mode === "external" && externalCidrs.length === 0) {
    add(
      "database.externalCidrs",
      externalCidrs,
      "an external database needs its address range(s): the backend and the migration may reach it there only (e.g. your provider's published range, or the address as /32)",
    );
  }
  if (mode !== "external" && externalCidrs.length > 0) {
    add("database.externalCidrs", externalCidrs, "only for database.mode external: the in-cluster database is reached by its pods' labels");
  }
}

/**
 * Special-use and reserved names that no public resolver answers (RFC 2606,
 * 6761, 6762, 8375), so no ACME server can reach them over HTTP-01.
 */
const NON_PUBLIC_SUFFIXES = [".local", ".localhost", ".test", ".example", ".invalid", ".internal", ".home.arpa"];

/** An ACME issuer (Let's Encrypt) needs an address to write to and a host the internet resolves to this cluster. */
function acmeProblems(settings: Settings, add: Add): void {
  if (!usesAcme(settings)) return;
  const { tls, host } = settings.ingress;
  // Its form is the declaration's (schema.ts); here, that there is one.
  if (tls.acmeEmail === "") {
    add("ingress.tls.acmeEmail", tls.acmeEmail, `${tls.issuer} needs the ACME account's e-mail address (Let's Encrypt writes to it about expiring certificates)`);
  }
  const reserved = NON_PUBLIC_SUFFIXES.find((suffix) => `.${host}`.endsWith(suffix));
  if (reserved !== undefined || !host.includes(".")) {
    add(
      "ingress.tls.issuer",
      tls.issuer,
      `${tls.issuer} issues only for a public DNS name that resolves to this cluster's ingress; ingress.host "${host}" ${reserved ? `ends in ${reserved}, which` : "is a single label, which"} no public resolver answers: use "local-ca", or a public host`,
    );
  }
}

/** Every problem of one environment's parsed settings that no single setting's declaration can see. */
export function environmentProblems(settings: Settings): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  const file = environmentFileName(settings.name);
  const add = (path: string, value: unknown, rule: string) => problems.push({ environment: settings.name, file, path, value, rule });
  quotaProblems(settings, add);
  containerMaxProblems(settings, add);
  externalDatabaseProblems(settings, add);
  acmeProblems(settings, add);
  return problems;
}

/** The environments, from the first to the last, that images are promoted along, e.g. `dev → staging → prod`; one chain per last environment. */
export function promotionPaths(all: readonly Settings[]): string[] {
  const byName = new Map(all.map((settings) => [settings.name, settings]));
  const sources = new Set(all.flatMap((settings) => (settings.delivery.promotedFrom ? [settings.delivery.promotedFrom] : [])));
  return all
    .filter((settings) => !sources.has(settings.name) && settings.delivery.promotedFrom !== undefined)
    .map((last) => {
      const chain = [last.name];
      for (let from = last.delivery.promotedFrom; from && !chain.includes(from); from = byName.get(from)?.delivery.promotedFrom) chain.unshift(from);
      return chain.join(" → ");
    })
    .sort();
}

/** Why `promote <from> <to>` is not on the declared path, or undefined when it is. */
export function promotionProblem(all: readonly Settings[], from: string, to: string): string | undefined {
  const target = all.find((settings) => settings.name === to);
  if (!target || target.delivery.promotedFrom === from) return undefined;
  const paths = promotionPaths(all);
  const declared = paths.length ? `the promotion path${paths.length > 1 ? "s are" : " is"} ${paths.join("; ")}` : "no environment is promoted from another";
  const where = `delivery.promotedFrom in ${environmentFileName(to)}`;
  if (target.delivery.promotedFrom === undefined) {
    return `${to} is not promoted from any environment (no ${where}): its images change by npm run release -- ${to} <component>=<tag>; ${declared}`;
  }
  return `${to} is promoted from ${target.delivery.promotedFrom} (${where}), not from ${from}: ${declared}`;
}

/**
 * Rules across environments: they share one cluster (argocd/ is rendered
 * for it), so namespaces, hosts and node ports must not collide; and each
 * promotes from another environment that exists, with no loop.
 * `unchecked`: environments that exist but whose settings are not known (a
 * release skips one whose files do not load): a promotion source may be one
 * (the chain is followed no further), and nothing else about them is checked.
 */
export function crossEnvironmentProblems(all: readonly Settings[], unchecked: readonly string[] = []): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  const names = [...all.map((settings) => settings.name), ...unchecked];
  const add = (settings: Settings, path: string, value: unknown, rule: string) =>
    problems.push({ environment: settings.name, file: environmentFileName(settings.name), path, value, rule });
  const first = all[0];
  for (const settings of all) {
    if (first && settings.delivery.cluster !== first.delivery.cluster) {
      add(settings, "delivery.cluster", settings.delivery.cluster, `every environment runs on one cluster (${first.name} runs on ${first.delivery.cluster}): argocd/ is rendered for one Argo CD`);
    }
    const from = settings.delivery.promotedFrom;
    if (from === undefined) continue;
    if (from === settings.name || !names.includes(from)) {
      add(settings, "delivery.promotedFrom", from, `must be another environment: ${names.filter((name) => name !== settings.name).join(", ")}`);
      continue;
    }
    const seen = [settings.name];
    for (let next: string | undefined = from; next !== undefined; next = all.find((other) => other.name === next)?.delivery.promotedFrom) {
      if (seen.includes(next)) {
        add(settings, "delivery.promotedFrom", from, `promotion runs in a circle (← reads "is promoted from"): ${[...seen, next].join(" ← ")}`);
        break;
      }
      seen.push(next);
    }
  }
  const claim = new Map<string, string>();
  const take = (settings: Settings, key: string, path: string, value: unknown, what: string) => {
    const owner = claim.get(key);
    if (owner && owner !== settings.name) {
      problems.push({ environment: settings.name, file: environmentFileName(settings.name), path, value, rule: `${what} is already used by ${owner} on the same cluster` });
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
