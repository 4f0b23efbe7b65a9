/**
 * The policy bar: the public checks of kube-linter, kube-score and Polaris
 * (upstream.ts names the releases), and this repository's own
 * (`todo/…`, upstream.ts OWN_CHECKS), each written once as a line of data — its
 * upstream ids, why it matters, and a predicate over the rendered objects — in
 * the style of components/network-policies.ts. Where a check does not fit this
 * repository, the same line says so and why: `exempt` with no `check` for a
 * check that is not run at all, `exempt.where` for the objects it waives while
 * the check still runs on every other object.
 *
 * The predicates follow the upstream sources (templates, Go code, JSON
 * schemas), not their prose: e.g. kube-score asks for anti-affinity, not a
 * topology spread, and Polaris asks for `spec.replicas` even under an HPA.
 */
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { IProbe } from "kubernetes-models/v1/Probe";
import { backendImage, frontendImage, postgresImage, redisImage } from "../images.ts";
import type { KubeObject } from "../kube-object.ts";
import { parse } from "yaml";
import { externalSecrets } from "../secrets.ts";
import type { Settings } from "../settings.ts";
import { tagProblem } from "../settings/schema.ts";
import { imageReference } from "../lib/app-workload.ts";
import { isPinnedByDigest } from "../lib/image-reference.ts";
import { ACME_SOLVER } from "../components/network-policies.ts";

/** One set of objects the tools would lint together: an environment's manifests, or argocd/. */
export interface PolicyTarget {
  name: string;
  objects: KubeObject[];
  /** The environment's settings; absent for the Argo CD objects. */
  settings?: Settings;
}

/** Why an object fails a rule: one message per problem found. */
export type Check = (object: KubeObject, target: PolicyTarget) => string[];

export interface Exemption {
  why: string;
  /** Only these objects are waived (the check runs on every other one); absent: the check is not run at all. */
  where?: (object: KubeObject, target: PolicyTarget) => boolean;
  /** For a check about kinds this repository never renders: the test holds that none is rendered. */
  kinds?: readonly string[];
}

export interface PolicyRule {
  /** `tool/check-id`, as upstream.ts lists them (`todo/<id>` for this repository's own). */
  upstream: readonly string[];
  why: string;
  check?: Check;
  exempt?: Exemption | readonly Exemption[];
}

export interface Finding {
  target: string;
  object: string;
  upstream: readonly string[];
  message: string;
  why: string;
}

// ---------------------------------------------------------------------------
// Reading objects (loosely typed: a check must also see a field the models would not allow)

// Rendered objects read as plain data: a check must also see fields the typed models would refuse.
type Data = any;

interface PodTemplate {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  spec: IPodSpec;
}

const POD_OWNERS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"];

/** The pod template of a workload (a CronJob's through its Job template), or the Pod itself. */
export function podTemplateOf(object: KubeObject): PodTemplate | undefined {
  const o = object as Data;
  const template = object.kind === "Pod" ? o : object.kind === "CronJob" ? o.spec?.jobTemplate?.spec?.template : POD_OWNERS.includes(object.kind) ? o.spec?.template : undefined;
  if (!template?.spec) return undefined;
  return { labels: template.metadata?.labels ?? {}, annotations: template.metadata?.annotations ?? {}, spec: template.spec };
}

interface ContainerOf {
  container: IContainer;
  init: boolean;
}

function containersOf(object: KubeObject): ContainerOf[] {
  const spec = podTemplateOf(object)?.spec;
  if (!spec) return [];
  return [...(spec.initContainers ?? []).map((container) => ({ container, init: true })), ...spec.containers.map((container) => ({ container, init: false }))];
}

/** Runs `problem` on every container (init containers too, unless `includeInit` is false). */
function perContainer(problem: (c: IContainer, spec: IPodSpec) => string | string[] | undefined, includeInit = true): Check {
  return (object) => {
    const spec = podTemplateOf(object)?.spec;
    if (!spec) return [];
    return containersOf(object)
      .filter(({ init }) => includeInit || !init)
      .flatMap(({ container }) => [problem(container, spec) ?? []].flat().map((message) => `container ${container.name}: ${message}`));
  };
}

function onKind(kinds: string | readonly string[], check: (o: Data, target: PolicyTarget) => string | string[] | undefined): Check {
  const list = typeof kinds === "string" ? [kinds] : kinds;
  return (object, target) => (list.includes(object.kind) ? [check(object, target) ?? []].flat() : []);
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Kubernetes label-selector semantics; an empty selector selects everything. */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case "In": return key in labels && values.includes(labels[key]!);
      case "NotIn": return !(key in labels) || !values.includes(labels[key]!);
      case "Exists": return key in labels;
      case "DoesNotExist": return !(key in labels);
      default: return false;
    }
  });
  return byLabels && byExpressions;
}

/** A Service's selector is a plain map that must be non-empty to select anything. */
function serviceSelects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return !!selector && Object.keys(selector).length > 0 && selects({ matchLabels: selector }, labels);
}

function workloads(target: PolicyTarget): KubeObject[] {
  return target.objects.filter((o) => podTemplateOf(o) !== undefined);
}

function named(target: PolicyTarget, kind: string, name: string | undefined): Data | undefined {
  return target.objects.find((o) => o.kind === kind && o.metadata?.name === name);
}

function hpaFor(object: KubeObject, target: PolicyTarget): Data | undefined {
  return target.objects.find((o) => {
    const ref = (o as Data).spec?.scaleTargetRef;
    return o.kind === "HorizontalPodAutoscaler" && ref?.kind === object.kind && ref?.name === object.metadata?.name;
  });
}

/** How many pods a workload can run at most: its HPA's maximum, else its replica count (1 when unset). */
function maxPods(object: KubeObject, target: PolicyTarget): number {
  return hpaFor(object, target)?.spec?.maxReplicas ?? (object as Data).spec?.replicas ?? 1;
}

const isJob = (object: KubeObject) => object.kind === "Job" || object.kind === "CronJob";

/** Image reference without a digest; its tag is what follows the last `:` after the last `/`. */
function imageTag(image: string | undefined): string | undefined {
  const name = (image ?? "").split("@")[0]!;
  const last = name.slice(name.lastIndexOf("/") + 1);
  return last.includes(":") ? last.slice(last.indexOf(":") + 1) : undefined;
}

/** A probe's port, checked against the container's ports (kube-linter `util.CheckProbePort`). */
function probePortProblem(container: IContainer, probe: IProbe | undefined, kind: string): string | undefined {
  const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port ?? probe?.grpc?.port;
  if (port === undefined) return undefined;
  const ports = container.ports ?? [];
  const found = typeof port === "string" ? ports.some((p) => p.name === port) : ports.some((p) => p.containerPort === port);
  return found ? undefined : `${kind} probe port ${port} is not a port of the container`;
}

/** IANA_SVC_NAME (RFC 6335 §5.1), as Kubernetes' IsValidPortName checks it. */
function portNameProblem(name: string): string | undefined {
  if (name.length > 15) return `port name ${name} is longer than 15 characters`;
  if (!/^[a-z0-9-]+$/.test(name) || !/[a-z]/.test(name) || name.startsWith("-") || name.endsWith("-") || name.includes("--")) {
    return `port name ${name} is not an IANA service name`;
  }
  return undefined;
}

/** The same probe in kube-score's sense: same HTTP path and port, same TCP port, or the same command. */
function sameProbe(a: IProbe, b: IProbe): boolean {
  if (a.httpGet && b.httpGet) return a.httpGet.path === b.httpGet.path && a.httpGet.port === b.httpGet.port;
  if (a.tcpSocket && b.tcpSocket) return a.tcpSocket.port === b.tcpSocket.port;
  if (a.exec && b.exec) return JSON.stringify(a.exec.command) === JSON.stringify(b.exec.command);
  return false;
}

/** Quantity → number, enough to tell zero, equal and ordered apart (Ki, Mi, Gi, m, plain). */
function quantity(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(String(value));
  if (!match) return Number.NaN;
  const units: Record<string, number> = { "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
  return Number(match[1]) * (units[match[2]!] ?? Number.NaN);
}

function missingResources(container: IContainer, names: readonly string[]): string[] {
  const r = container.resources ?? {};
  return names.flatMap((name) => [
    ...(quantity(r.requests?.[name] as string) ? [] : [`no ${name} request`]),
    ...(quantity(r.limits?.[name] as string) ? [] : [`no ${name} limit`]),
  ]);
}

/** Effective security context fields: the container's, else the pod's. */
function effective<K extends "runAsUser" | "runAsGroup" | "runAsNonRoot" | "seccompProfile">(container: IContainer, spec: IPodSpec, key: K) {
  return (container.securityContext as Data)?.[key] ?? (spec.securityContext as Data)?.[key];
}

const SECRET_LIKE_NAME = [/^AWS_SECRET_ACCESS_KEY$/i, /^GOOGLE_APPLICATION_CREDENTIALS$/i, /^AZURE_.+KEY$/i, /^OCI_CLI_KEY_CONTENT$/i, /password/i, /token/i, /bearer/i, /secret/i];
const PRIVATE_KEY = /\s*-BEGIN\s+.*PRIVATE KEY-\s*/i;

const DEPRECATED_APIS: Readonly<Record<string, readonly string[]>> = {
  "extensions/v1beta1": ["*"],
  "apps/v1beta1": ["Deployment", "StatefulSet"],
  "apps/v1beta2": ["Deployment", "StatefulSet", "DaemonSet"],
  "batch/v1beta1": ["CronJob"],
  "policy/v1beta1": ["PodDisruptionBudget"],
  "networking.k8s.io/v1beta1": ["Ingress", "IngressClass"],
};

const CLUSTER_SCOPED = ["Namespace", "ClusterRole", "ClusterRoleBinding", "ClusterIssuer", "PriorityClass", "StorageClass", "CustomResourceDefinition", "IngressClass"];

interface RbacRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
}

const grants = (rule: RbacRule, resources: readonly string[], verbs: readonly string[]) =>
  (rule.resources ?? []).some((r) => r === "*" || resources.includes(r)) && (rule.verbs ?? []).some((v) => v === "*" || verbs.includes(v));

function roleProblems(rules: RbacRule[]): { wildcard: boolean; exec: boolean; secrets: boolean; createPods: boolean } {
  return {
    wildcard: rules.some((r) => [...(r.apiGroups ?? []), ...(r.resources ?? []), ...(r.verbs ?? [])].includes("*")),
    exec: rules.some((r) => (r.apiGroups ?? []).some((g) => g === "" || g === "*") && grants(r, ["pods/exec", "pods/attach"], ["get", "create"])),
    secrets: rules.some((r) => grants(r, ["secrets"], ["get", "list", "delete", "create", "watch"])),
    createPods: rules.some((r) => grants(r, ["pods", "deployments", "statefulsets", "replicasets", "cronjob", "jobs", "daemonsets"], ["create"])),
  };
}

// ---------------------------------------------------------------------------
// Where a check does not fit: the scopes the exemptions below share

/** A workload that runs one pod at most, by its nature (PostgreSQL, Redis) or by the environment's replica setting. */
const singleInstance = (object: KubeObject, target: PolicyTarget) => podTemplateOf(object) !== undefined && !isJob(object) && maxPods(object, target) <= 1;

/** The image's own user, as generator/images.ts states it (and docker/dockerfiles.test.ts checks against the Dockerfiles). */
const IMAGE_USERS = [frontendImage, backendImage, postgresImage, redisImage].map(({ uid, gid }) => `${uid}:${gid}`);

const SINGLE_INSTANCE_WHY =
  "one pod at most — PostgreSQL and Redis are single instances, dev runs one replica on a one-node Minikube: there is nothing to spread, a second replica or a budget over one pod protects nothing (a budget either blocks every drain or allows it); every workload that can run two pods has both (generator/disruption.test.ts)";

/**
 * ConfigMap and Secret references resolve — env, envFrom, and Secret volumes
 * with their items (kube-linter reads env only; a missing key of a Secret
 * volume's items keeps the pod from starting just the same: Redis' password
 * file). A Secret counts when sealed or declared to be created by hand
 * (secrets.ts).
 */
const referencesResolve: Check = (object, target) => {
  const configMaps = new Map(target.objects.filter((o) => o.kind === "ConfigMap").map((o) => [o.metadata?.name, (o as Data).data ?? {}]));
  const rendered = new Set(target.objects.filter((o) => o.kind === "Secret" || o.kind === "SealedSecret").map((o) => o.metadata?.name));
  const external = new Map((target.settings ? externalSecrets(target.settings) : []).map((s) => [s.name, s.keys]));
  const secretHas = (name: string | undefined, key: string) => rendered.has(name) || !!external.get(name!)?.includes(key);
  const volumes = (podTemplateOf(object)?.spec.volumes ?? []).flatMap((v) => {
    const secret = v.secret;
    if (!secret || secret.optional) return [];
    const keys = secret.items?.map((item) => item.key) ?? [];
    if (keys.length === 0) return rendered.has(secret.secretName) || external.has(secret.secretName!) ? [] : [`volume ${v.name}: Secret ${secret.secretName} is neither rendered nor created by hand`];
    return keys.filter((key) => !secretHas(secret.secretName, key)).map((key) => `volume ${v.name}: Secret ${secret.secretName}/${key} is neither rendered nor created by hand`);
  });
  return [
    ...perContainer((c) => [
      ...(c.env ?? []).flatMap((e) => {
        const cm = e.valueFrom?.configMapKeyRef;
        const secret = e.valueFrom?.secretKeyRef;
        if (cm && !cm.optional && configMaps.get(cm.name)?.[cm.key] === undefined) return [`env ${e.name}: no ConfigMap key ${cm.name}/${cm.key}`];
        if (secret && !secret.optional && !secretHas(secret.name, secret.key)) return [`env ${e.name}: Secret ${secret.name}/${secret.key} is neither rendered nor created by hand`];
        return [];
      }),
      ...(c.envFrom ?? []).flatMap((s) => (s.configMapRef && !configMaps.has(s.configMapRef.name) ? [`envFrom: no ConfigMap ${s.configMapRef.name}`] : [])),
    ])(object, target),
    ...volumes,
  ];
};

/**
 * Whether the environment accepts a mutable tag such as `latest` for the
 * images it releases: its own policy, `delivery.tags` in
 * environments/<env>.ts (today `mutable` in dev only, local images with
 * pullPolicy Never), through the tag rule that enforces it when the
 * environment loads (settings/schema.ts tagProblem). Asked here rather than
 * restated, so the exemption below follows the policy and the rule.
 */
function acceptsMutableTags(target: PolicyTarget): boolean {
  return target.settings !== undefined && tagProblem("latest", target.settings.delivery.tags) === undefined;
}

/** Every container whose image is mutable (`latest`, or no tag) runs one of the environment's released images, the ones the tag rule governs. */
function mutableImagesAreReleased(object: KubeObject, target: PolicyTarget): boolean {
  const released = releasedImages(target);
  return containersOf(object).every(({ container }) => {
    const tag = imageTag(container.image);
    return (tag !== undefined && tag !== "latest") || released.has(container.image!);
  });
}

/** The environment's released images (frontend, backend) as its containers name them; none for the Argo CD objects. */
function releasedImages(target: PolicyTarget): Set<string> {
  return new Set(target.settings ? [target.settings.frontend, target.settings.backend].map(imageReference) : []);
}

/**
 * Objects a Helm chart installs from an Application's values (cert-manager's
 * `extraObjects`: the local CA's ClusterIssuers and Certificate), which a
 * linter over argocd/ sees only after `helm template`: the bar checks them
 * beside the Applications that carry them.
 */
export function withChartExtraObjects(objects: readonly KubeObject[]): KubeObject[] {
  return objects.flatMap((object) => {
    const extra = object.kind === "Application" ? ((object as Data).spec?.source?.helm?.valuesObject?.extraObjects ?? []) : [];
    return [object, ...(extra as unknown[]).map((item) => (typeof item === "string" ? parse(item) : item) as KubeObject)];
  });
}

// ---------------------------------------------------------------------------
// The bar

export const POLICY: readonly PolicyRule[] = [
  // Pod security
  {
    upstream: ["kube-linter/host-network", "kube-linter/host-pid", "kube-linter/host-ipc", "polaris/hostNetworkSet", "polaris/hostPIDSet", "polaris/hostIPCSet"],
    why: "a pod sharing the node's network, process or IPC namespace sees and reaches everything on the node",
    check: (o) => { const s = podTemplateOf(o)?.spec as Data; return s ? ["hostNetwork", "hostPID", "hostIPC"].filter((k) => s[k] === true).map((k) => `${k} is true`) : []; },
  },
  {
    upstream: ["kube-linter/privileged-container", "kube-score/container-security-context-privileged", "polaris/runAsPrivileged"],
    why: "a privileged container has every device and capability of the host",
    check: perContainer((c) => (c.securityContext?.privileged ? "privileged" : undefined)),
  },
  {
    upstream: ["kube-linter/privilege-escalation-container", "polaris/privilegeEscalationAllowed"],
    why: "setuid binaries must not gain more privileges than the process has; Polaris wants allowPrivilegeEscalation: false stated",
    check: perContainer((c) => c.securityContext?.allowPrivilegeEscalation !== false ? "allowPrivilegeEscalation is not false" : c.securityContext.capabilities?.add?.includes("SYS_ADMIN") ? "adds SYS_ADMIN" : undefined),
  },
  {
    upstream: ["kube-linter/no-read-only-root-fs", "kube-score/container-security-context-readonlyrootfilesystem", "polaris/notReadOnlyRootFilesystem"],
    why: "a writable root filesystem lets an intruder change the image's binaries; each writable path is an emptyDir instead",
    check: perContainer((c) => (c.securityContext?.readOnlyRootFilesystem === true ? undefined : "readOnlyRootFilesystem is not true")),
  },
  {
    upstream: ["kube-linter/run-as-non-root", "polaris/runAsRootAllowed"],
    why: "root in a container is root on the node after one kernel bug",
    check: perContainer((c, spec) => {
      const user = effective(c, spec, "runAsUser");
      if (typeof user === "number" && user > 0) return undefined;
      return effective(c, spec, "runAsNonRoot") === true && user !== 0 ? undefined : "may run as root (no runAsNonRoot: true, no runAsUser > 0)";
    }),
  },
  {
    upstream: ["kube-score/container-security-context-user-group-id"],
    why: "kube-score wants UID and GID above 10000, clear of any user on the host",
    check: perContainer((c, spec) => {
      const user = effective(c, spec, "runAsUser");
      const group = effective(c, spec, "runAsGroup");
      return typeof user === "number" && user >= 10000 && typeof group === "number" && group >= 10000 ? undefined : `runs as ${user}:${group}, not above 10000`;
    }),
    exempt: {
      why: "each pod runs as its image's own user (generator/images.ts, checked against the Dockerfiles): nextjs 1001, appuser 1000, the official images' postgres 70 and redis 999; another UID would not own the files the image gives its user, and runAsNonRoot with every capability dropped already keeps it unprivileged",
      where: (o) => containersOf(o).every(({ container }) => { const spec = podTemplateOf(o)!.spec; return IMAGE_USERS.includes(`${effective(container, spec, "runAsUser")}:${effective(container, spec, "runAsGroup")}`); }),
    },
  },
  {
    upstream: ["kube-linter/drop-net-raw-capability", "polaris/insecureCapabilities", "polaris/dangerousCapabilities"],
    why: "every capability is dropped and none added back: NET_RAW alone allows spoofed packets",
    check: perContainer((c) => {
      const caps = c.securityContext?.capabilities;
      const dangerous = (caps?.add ?? []).filter((cap) => /^(ALL|SYS_ADMIN|NET_ADMIN|NET_RAW)$/i.test(cap));
      return [...(caps?.drop?.some((cap) => /^ALL$/i.test(cap)) ? [] : ["does not drop ALL capabilities"]), ...dangerous.map((cap) => `adds ${cap}`)];
    }),
  },
  {
    upstream: ["kube-score/container-seccomp-profile", "polaris/linuxHardening"],
    why: "the runtime's default seccomp profile blocks the syscalls containers never need",
    check: perContainer((c, spec) => (["RuntimeDefault", "Localhost"].includes(effective(c, spec, "seccompProfile")?.type) ? undefined : "no RuntimeDefault or Localhost seccomp profile")),
  },
  {
    upstream: ["kube-linter/unsafe-proc-mount", "polaris/procMount", "polaris/hostProcess"],
    why: "an unmasked /proc or a Windows host process escapes the container",
    check: (o) => {
      const spec = podTemplateOf(o)?.spec as Data;
      if (!spec) return [];
      return [
        ...containersOf(o).filter(({ container }) => ((container.securityContext as Data)?.procMount ?? "Default") !== "Default").map(({ container }) => `container ${container.name}: procMount is not Default`),
        ...[spec, ...containersOf(o).map(({ container }) => container)].filter((s: Data) => s.securityContext?.windowsOptions?.hostProcess === true).map(() => "hostProcess is true"),
      ];
    },
  },
  {
    upstream: ["kube-linter/docker-sock", "kube-linter/sensitive-host-mounts", "kube-linter/writable-host-mount", "polaris/hostPathSet"],
    why: "a hostPath volume hands the node's files (the container runtime's socket, /etc, /proc) to the pod",
    check: (o) => (podTemplateOf(o)?.spec.volumes ?? []).filter((v) => v.hostPath).map((v) => `volume ${v.name} is a hostPath (${v.hostPath!.path})`),
  },
  {
    upstream: ["polaris/hostPortSet", "kube-linter/ssh-port", "kube-linter/privileged-ports"],
    why: "a host port bypasses Services and NetworkPolicies; port 22 suggests an SSH server; ports below 1024 need a capability the pods drop",
    check: perContainer((c) => (c.ports ?? []).flatMap((p) => [
      ...(p.hostPort ? [`hostPort ${p.hostPort}`] : []),
      ...(p.containerPort === 22 ? ["port 22 (SSH)"] : []),
      ...(p.containerPort < 1024 && p.containerPort !== 22 ? [`privileged port ${p.containerPort}`] : []),
    ])),
  },
  {
    upstream: ["kube-linter/unsafe-sysctls"],
    why: "sysctls outside the namespaced safe set change the node for every pod on it",
    check: (o) => ((podTemplateOf(o)?.spec.securityContext?.sysctls ?? []) as { name: string }[]).filter(({ name }) => /^(kernel\.msg|kernel\.sem|kernel\.shm|fs\.mqueue\.|net\.)/.test(name)).map(({ name }) => `unsafe sysctl ${name}`),
  },

  // Resources
  {
    upstream: ["kube-linter/unset-cpu-requirements", "kube-linter/unset-memory-requirements", "kube-score/container-resources", "polaris/cpuRequestsMissing", "polaris/cpuLimitsMissing", "polaris/memoryRequestsMissing", "polaris/memoryLimitsMissing"],
    why: "requests let the scheduler place a pod where it fits; limits keep one pod from starving the node",
    check: perContainer((c) => missingResources(c, ["cpu", "memory"])),
  },
  {
    upstream: ["kube-score/container-ephemeral-storage-request-and-limit", "kube-score/container-ephemeral-storage-request-equals-limit"],
    why: "logs and emptyDirs fill the node's disk unless bounded; a request equal to the limit reserves what the pod may write",
    check: perContainer((c) => {
      const missing = missingResources(c, ["ephemeral-storage"]);
      if (missing.length) return missing;
      const r = c.resources!;
      return quantity(r.requests!["ephemeral-storage"] as string) === quantity(r.limits!["ephemeral-storage"] as string) ? undefined : "ephemeral-storage request differs from its limit";
    }),
  },
  {
    upstream: ["kube-score/container-resource-requests-equal-limits", "kube-score/container-cpu-requests-equal-limits", "kube-score/container-memory-requests-equal-limits"],
    why: "optional in kube-score: Guaranteed QoS (requests equal to limits)",
    exempt: { why: "not adopted: the pods are Burstable by design — requests are their steady need, limits their bursts; at the limits the three environments would reserve more than the 4-CPU Minikube has, and each namespace's ResourceQuota bounds the sum" },
  },

  // Images
  {
    upstream: ["kube-linter/latest-tag", "kube-score/container-image-tag", "polaris/tagNotSpecified"],
    why: "`latest` or no tag means whatever was pushed last runs, and a rollback cannot name what ran before",
    check: perContainer((c) => { const tag = imageTag(c.image); return tag === undefined ? `image ${c.image} has no tag` : tag === "latest" ? `image ${c.image} is latest` : undefined; }),
    exempt: {
      why: "an environment whose delivery.tags is `mutable` (today dev, by design; settings/schema.ts tagProblem enforces each environment's policy) runs images built on the developer's machine with pullPolicy Never, so `npm run release -- dev frontend=latest` is a supported step there; waived only for the images it releases (frontend, backend), never a third-party one, and every environment with `pinned` tags refuses `latest` before anything renders",
      where: (o, target) => acceptsMutableTags(target) && mutableImagesAreReleased(o, target),
    },
  },
  {
    upstream: ["todo/image-digest"],
    why: "a tag is whatever its publisher pushed last (the official images are rebuilt under the same tag whenever their base changes): named by digest, an image changes only with a diff in this repository",
    check: perContainer((c) => (isPinnedByDigest(c.image) ? undefined : `image ${c.image} is not pinned by digest (repository:tag@sha256:…)`)),
    exempt: {
      why: "the images an environment releases (frontend, backend) are built into the cluster's own store by `npm run images`, which has no registry digest to name; their tags follow the environment's delivery.tags (staging and prod: a semantic version or a git SHA only), and `npm run release -- <env> backend=<tag>@sha256:…` pins one where a registry serves it. Waived for those images only: PostgreSQL, Redis and any other third-party image must carry a digest (settings/schema.ts pinnedImage)",
      where: (o, target) => containersOf(o).every(({ container }) => isPinnedByDigest(container.image) || releasedImages(target).has(container.image!)),
    },
  },
  {
    upstream: ["kube-score/container-image-pull-policy", "polaris/pullPolicyNotAlways"],
    why: "Always re-checks the registry (and the pull Secret) on every start, so a re-pushed tag cannot run stale",
    check: perContainer((c) => (c.imagePullPolicy === "Always" ? undefined : `imagePullPolicy is ${c.imagePullPolicy ?? "unset"}`)),
    exempt: {
      why: "the cluster runs images from its own store with no registry to ask (clusters/minikube/cluster.ts allowedPullPolicies, `npm run images`): Always could never pull; what keeps an image from running stale is its digest for the third-party ones (todo/image-digest: a cached image under a digest is that digest's content) and the tag rule for the released ones (settings/schema.ts tagProblem: release versions or git SHAs, mutable tags only where delivery.tags says `mutable`, see the latest-tag exemption)",
      where: (_o, target) => target.settings !== undefined && !target.settings.cluster.allowedPullPolicies.includes("Always"),
    },
  },

  // Environment and configuration
  {
    upstream: ["kube-linter/duplicate-env-var", "kube-score/environment-variable-key-duplication"],
    why: "with a name twice, only the last value counts and the first is silently lost",
    check: perContainer((c) => { const names = (c.env ?? []).map((e) => e.name); return [...new Set(names.filter((n, i) => names.indexOf(n) !== i))].map((n) => `env ${n} is set twice`); }),
  },
  {
    upstream: ["kube-linter/env-var-secret", "polaris/sensitiveContainerEnvVar"],
    why: "a secret written as a literal env value sits in Git and in every `kubectl get -o yaml`; it must come from a Secret",
    check: perContainer((c) => (c.env ?? []).filter((e) => e.value && (SECRET_LIKE_NAME.some((p) => p.test(e.name)) || PRIVATE_KEY.test(e.value))).map((e) => `env ${e.name} has a literal value`)),
  },
  {
    upstream: ["polaris/sensitiveConfigmapContent"],
    why: "a ConfigMap is readable by anyone who may read the namespace's configuration",
    check: onKind("ConfigMap", (o) => Object.entries((o.data ?? {}) as Record<string, string>).filter(([key, value]) => SECRET_LIKE_NAME.some((p) => p.test(key)) || PRIVATE_KEY.test(value)).map(([key]) => `key ${key} looks secret`)),
  },
  {
    upstream: ["kube-linter/env-value-from"],
    why: "an env var (or a Secret volume's key) from a missing ConfigMap or Secret key keeps the pod from starting; Secrets count when sealed or declared to be created by hand (secrets.ts), which kube-linter cannot see",
    check: referencesResolve,
  },
  {
    upstream: ["kube-linter/read-secret-from-env-var"],
    why: "optional in kube-linter (CIS 5.4.1): prefer Secrets mounted as files",
    exempt: { why: "not adopted: the app's contract (docker/README.md) reads DATABASE_URL, BETTER_AUTH_SECRET and OPENAI_API_KEY from its environment, the PostgreSQL image reads POSTGRES_PASSWORD from it, and redis-cli in Redis' probes reads REDISCLI_AUTH; the values come from Secrets, never literals (kube-linter/env-var-secret). Where nothing demands the environment, a Secret is a file: Redis reads its password from a mounted one, never from its command line" },
  },

  // Probes
  {
    upstream: ["polaris/livenessProbeMissing", "polaris/readinessProbeMissing", "kube-score/pod-probes", "kube-linter/no-liveness-probe", "kube-linter/no-readiness-probe"],
    why: "without readiness a pod gets traffic before it can serve; without liveness a hung process is never restarted",
    check: perContainer((c) => [...(c.livenessProbe ? [] : ["no liveness probe"]), ...(c.readinessProbe ? [] : ["no readiness probe"])], false),
    exempt: { why: "Jobs run to completion: Polaris and kube-score skip them, kube-linter's optional checks do not; activeDeadlineSeconds and backoffLimit bound a hung Job", where: isJob },
  },
  {
    upstream: ["kube-linter/liveness-port", "kube-linter/readiness-port", "kube-linter/startup-port"],
    why: "a probe against a port the container does not expose always fails",
    check: perContainer((c) => [probePortProblem(c, c.livenessProbe, "liveness"), probePortProblem(c, c.readinessProbe, "readiness"), probePortProblem(c, c.startupProbe, "startup")].filter((m) => m !== undefined), false),
  },
  {
    upstream: ["kube-score/pod-probes-identical"],
    why: "a liveness probe that is the readiness probe restarts a pod that is only not ready yet (a database in crash recovery, a cache loading)",
    check: perContainer((c) => (c.livenessProbe && c.readinessProbe && sameProbe(c.livenessProbe, c.readinessProbe) ? "liveness and readiness probes are the same" : undefined), false),
    exempt: {
      why: "the frontend's contract has one health endpoint, /api/health, that checks nothing downstream (docker/README.md): not ready and not alive are the same fact there, and a TCP liveness check would miss a hung event loop",
      where: (o) => containersOf(o).every(({ container: c }) => [frontendImage, backendImage].some((image) => image.health.live === image.health.ready && c.livenessProbe?.httpGet?.path === image.health.live)),
    },
  },

  // Service accounts and RBAC
  {
    upstream: ["kube-linter/default-service-account", "kube-linter/non-existent-service-account", "kube-linter/deprecated-service-account-field"],
    why: "each workload has its own ServiceAccount, rendered beside it, named in serviceAccountName",
    check: (o, target) => {
      const spec = podTemplateOf(o)?.spec as Data;
      if (!spec) return [];
      const name = spec.serviceAccountName;
      return [
        ...(spec.serviceAccount !== undefined ? ["uses the deprecated serviceAccount field"] : []),
        ...(!name || name === "default" ? ["uses the default ServiceAccount"] : named(target, "ServiceAccount", name) ? [] : [`ServiceAccount ${name} is not rendered`]),
      ];
    },
  },
  {
    upstream: ["polaris/automountServiceAccountToken"],
    why: "a mounted API token is a credential for anyone who gets into the container",
    check: (o, target) => {
      const spec = podTemplateOf(o)?.spec;
      if (!spec || spec.automountServiceAccountToken === false) return [];
      if (spec.automountServiceAccountToken === true) return ["automountServiceAccountToken is true"];
      return named(target, "ServiceAccount", spec.serviceAccountName)?.automountServiceAccountToken === false ? [] : ["the ServiceAccount token is mounted by default"];
    },
    exempt: {
      why: "a component granted API access (settings apiAccess → Role and RoleBinding) needs its token; without apiAccess no token is mounted",
      where: (o, target) => target.objects.some((b) => b.kind === "RoleBinding" && ((b as Data).subjects ?? []).some((s: Data) => s.kind === "ServiceAccount" && s.name === podTemplateOf(o)?.spec.serviceAccountName)),
    },
  },
  {
    upstream: ["kube-linter/wildcard-in-rules", "polaris/rolebindingClusterAdminRole"],
    why: "a wildcard grants whatever the API adds later",
    check: onKind("Role", (o) => (roleProblems(o.rules ?? []).wildcard ? "a rule has a wildcard" : undefined)),
  },
  {
    upstream: ["polaris/rolePodExecAttach", "polaris/rolebindingRolePodExecAttach"],
    why: "exec or attach into pods is a shell in every workload of the namespace",
    check: onKind("Role", (o) => (roleProblems(o.rules ?? []).exec ? "grants pods/exec or pods/attach" : undefined)),
  },
  {
    upstream: ["kube-linter/access-to-secrets"],
    why: "reading Secrets through the API reads every credential of the namespace",
    check: onKind("Role", (o) => (roleProblems(o.rules ?? []).secrets ? "grants access to Secrets" : undefined)),
  },
  {
    upstream: ["kube-linter/access-to-create-pods"],
    why: "whoever may create pods may run any image with any ServiceAccount of the namespace",
    check: onKind("Role", (o) => (roleProblems(o.rules ?? []).createPods ? "grants create on pods or workloads" : undefined)),
  },
  {
    upstream: ["kube-linter/cluster-admin-role-binding", "polaris/rolebindingClusterAdminClusterRole", "polaris/rolebindingClusterRolePodExecAttach"],
    why: "a binding names the component's own rendered Role, never a ClusterRole (cluster-admin least of all)",
    check: onKind(["RoleBinding", "ClusterRoleBinding"], (o, target) =>
      o.roleRef?.kind !== "Role" ? `binds ${o.roleRef?.kind} ${o.roleRef?.name}` : named(target, "Role", o.roleRef.name) ? undefined : `Role ${o.roleRef.name} is not rendered`),
  },
  {
    upstream: ["polaris/clusterrolePodExecAttach", "polaris/clusterrolebindingPodExecAttach", "polaris/clusterrolebindingClusterAdmin"],
    why: "cluster-wide roles must not grant pods/exec or attach, nor bind cluster-admin",
    exempt: { why: "about kinds this repository never renders (an environment's AppProject admits no cluster-scoped kind but its own Namespace)", kinds: ["ClusterRole", "ClusterRoleBinding"] },
  },

  // Workload wiring
  {
    upstream: ["kube-linter/mismatching-selector", "kube-score/deployment-pod-selector-labels-match-template-metadata-labels", "kube-score/statefulset-pod-selector-labels-match-template-metadata-labels"],
    why: "a selector that misses its own pod template is refused, or adopts pods that are not its own",
    check: onKind(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"], (o) => (selects(o.spec?.selector, o.spec?.template?.metadata?.labels ?? {}) && Object.keys(o.spec?.selector?.matchLabels ?? {}).length + (o.spec?.selector?.matchExpressions?.length ?? 0) > 0 ? undefined : "selector does not select its pod template")),
  },
  {
    upstream: ["kube-score/deployment-strategy", "kube-linter/no-rolling-update-strategy"],
    why: "Recreate takes every pod down before the new ones start",
    check: (o) => { const type = o.kind === "Deployment" ? (o as Data).spec?.strategy?.type : o.kind === "StatefulSet" ? (o as Data).spec?.updateStrategy?.type : undefined; return type !== undefined && type !== "RollingUpdate" ? [`update strategy is ${type}`] : []; },
  },
  {
    upstream: ["kube-linter/dangling-service", "kube-score/service-targets-pod"],
    why: "a Service that selects no pod answers nothing",
    check: onKind("Service", (o, target) => (o.spec?.type === "ExternalName" || workloads(target).some((w) => serviceSelects(o.spec?.selector, podTemplateOf(w)!.labels)) ? undefined : "selects no pod")),
  },
  {
    upstream: ["kube-linter/invalid-target-ports", "kube-score/container-ports-check"],
    why: "a port name that is not an IANA service name is refused or never matched",
    check: (o) => [
      ...(o.kind === "Service" ? ((o as Data).spec?.ports ?? []).filter((p: Data) => typeof p.targetPort === "string").map((p: Data) => portNameProblem(p.targetPort)) : []),
      ...containersOf(o).flatMap(({ container }) => {
        const names = (container.ports ?? []).map((p) => p.name).filter((n): n is string => !!n);
        return [...names.map(portNameProblem), ...names.filter((n, i) => names.indexOf(n) !== i).map((n) => `port name ${n} is used twice`), ...(container.ports ?? []).filter((p) => !p.containerPort).map(() => "a port has no containerPort")];
      }),
    ].filter((m): m is string => m !== undefined),
  },
  {
    upstream: ["kube-score/service-type", "kube-linter/exposed-services"],
    why: "a NodePort opens a port on every node, around the Ingress",
    check: onKind("Service", (o) => (["NodePort", "LoadBalancer"].includes(o.spec?.type) ? `type ${o.spec.type}` : undefined)),
    exempt: {
      why: "an environment asks for it in its settings (dev: node port 30080, the app without DNS or the ingress); the NetworkPolicy's NodePort flow opens exactly that port, and only to clients outside the pod network (cluster podCIDR), and the ResourceQuota caps node ports",
      where: (o, target) => o.kind === "Service" && target.settings !== undefined && [target.settings.frontend, target.settings.backend].some((app) => app.service.type === "NodePort" && app.service.nodePort === (o as Data).spec?.ports?.[0]?.nodePort),
    },
  },
  {
    upstream: ["kube-score/statefulset-has-servicename"],
    why: "a StatefulSet needs its headless governing Service for its pods' DNS names",
    check: onKind("StatefulSet", (o, target) => { const s = named(target, "Service", o.spec?.serviceName); return s?.spec?.clusterIP === "None" && serviceSelects(s.spec?.selector, o.spec?.template?.metadata?.labels ?? {}) ? undefined : `no headless Service ${o.spec?.serviceName} selecting its pods`; }),
  },
  {
    upstream: ["kube-score/ingress-targets-service", "kube-linter/dangling-ingress"],
    why: "an Ingress path to a missing Service or port answers 503",
    check: onKind("Ingress", (o, target) => (o.spec?.rules ?? []).flatMap((rule: Data) => (rule.http?.paths ?? []).map((path: Data) => {
      const backend = path.backend?.service;
      const service = named(target, "Service", backend?.name);
      const port = (service?.spec?.ports ?? []).some((p: Data) => (backend?.port?.number ? p.port === backend.port.number : p.name === backend?.port?.name));
      return port ? undefined : `path ${path.path}: no Service ${backend?.name} with that port`;
    }).filter((m: string | undefined) => m !== undefined))),
  },
  {
    upstream: ["polaris/tlsSettingsMissing"],
    why: "an Ingress without TLS sends sessions and passwords in clear text",
    check: onKind("Ingress", (o) => ((o.spec?.tls ?? []).length > 0 ? undefined : "no tls")),
    exempt: { why: "TLS is a setting per environment (ingress.tls.enabled) and dev serves plain HTTP on todo.local (issue 15: dev may stay on HTTP)", where: (_o, target) => target.settings?.ingress.tls.enabled === false },
  },

  // Replicas, disruption and spread
  {
    upstream: ["kube-score/deployment-replicas", "polaris/deploymentMissingReplicas"],
    why: "one replica means downtime on every rollout of a node",
    check: onKind("Deployment", (o) => ((o.spec?.replicas ?? 0) >= 2 ? undefined : `replicas is ${o.spec?.replicas ?? "unset"}`)),
    exempt: [
      { why: SINGLE_INSTANCE_WHY, where: singleInstance },
      { why: "an HPA with minReplicas ≥ 2 owns the count: the Deployment states none, or Argo CD and the HPA would fight over it (kube-score/deployment-targeted-by-hpa-does-not-have-replicas-configured)", where: (o, target) => (hpaFor(o, target)?.spec?.minReplicas ?? 0) >= 2 },
    ],
  },
  {
    upstream: ["kube-linter/minimum-three-replicas", "kube-linter/hpa-minimum-three-replicas"],
    why: "optional in kube-linter: three replicas or an HPA minimum of three",
    exempt: { why: "not adopted: kube-score and Polaris default to two, which every multi-replica workload meets; with a budget of maxUnavailable 1 and a spread over nodes, two keep one pod serving through a drain" },
  },
  {
    upstream: ["kube-score/deployment-targeted-by-hpa-does-not-have-replicas-configured"],
    why: "a static replica count resets the HPA's choice on every sync",
    check: onKind("Deployment", (o, target) => (hpaFor(o, target) && o.spec?.replicas !== undefined ? "replicas is set although an HPA scales it" : undefined)),
  },
  {
    upstream: ["kube-score/horizontalpodautoscaler-has-target", "kube-linter/dangling-horizontalpodautoscaler"],
    why: "an HPA whose target is missing scales nothing",
    check: onKind("HorizontalPodAutoscaler", (o, target) => { const ref = o.spec?.scaleTargetRef; return target.objects.some((t) => t.apiVersion === ref?.apiVersion && t.kind === ref?.kind && t.metadata?.name === ref?.name) ? undefined : `target ${ref?.kind} ${ref?.name} is not rendered`; }),
  },
  {
    upstream: ["kube-score/horizontalpodautoscaler-replicas", "polaris/hpaMinAvailability", "polaris/hpaMaxAvailability"],
    why: "an HPA that may scale to one pod, or cannot scale at all, gives no availability",
    check: onKind("HorizontalPodAutoscaler", (o) => [...((o.spec?.minReplicas ?? 1) >= 2 ? [] : ["minReplicas below 2"]), ...(o.spec?.maxReplicas > (o.spec?.minReplicas ?? 1) ? [] : ["maxReplicas not above minReplicas"])]),
  },
  {
    upstream: ["kube-score/deployment-has-poddisruptionbudget", "kube-score/statefulset-has-poddisruptionbudget", "polaris/missingPodDisruptionBudget"],
    why: "without a budget a node drain may evict every replica at once",
    check: onKind(["Deployment", "StatefulSet"], (o, target) => (target.objects.some((b) => b.kind === "PodDisruptionBudget" && selects((b as Data).spec?.selector, o.spec?.template?.metadata?.labels ?? {})) ? undefined : "no PodDisruptionBudget selects its pods")),
    exempt: { why: SINGLE_INSTANCE_WHY, where: singleInstance },
  },
  {
    upstream: ["kube-score/poddisruptionbudget-has-policy", "kube-linter/pdb-max-unavailable", "kube-linter/pdb-min-available", "polaris/pdbDisruptionsIsZero", "polaris/pdbMinAvailableGreaterThanHPAMinReplicas"],
    why: "a budget must say what it allows, and allow at least one eviction, or a node drain hangs",
    check: onKind("PodDisruptionBudget", (o, target) => {
      const { minAvailable, maxUnavailable, selector } = o.spec ?? {};
      if (minAvailable === undefined && maxUnavailable === undefined) return "neither minAvailable nor maxUnavailable";
      if (maxUnavailable !== undefined && (maxUnavailable === 0 || maxUnavailable === "0%")) return "maxUnavailable allows no eviction";
      if (minAvailable === "100%") return "minAvailable is 100%";
      if (typeof minAvailable === "number") {
        const low = workloads(target).filter((w) => selects(selector, podTemplateOf(w)!.labels)).find((w) => (hpaFor(w, target)?.spec?.minReplicas ?? (w as Data).spec?.replicas ?? 1) <= minAvailable);
        if (low) return `minAvailable ${minAvailable} is not below the replicas of ${low.kind} ${low.metadata?.name}`;
      }
      return undefined;
    }),
  },
  {
    upstream: ["kube-linter/pdb-unhealthy-pod-eviction-policy"],
    why: "with the default policy a crash-looping pod blocks a node drain forever; AlwaysAllow (Kubernetes docs) lets it go",
    check: onKind("PodDisruptionBudget", (o) => (o.spec?.unhealthyPodEvictionPolicy === "AlwaysAllow" ? undefined : `unhealthyPodEvictionPolicy is ${o.spec?.unhealthyPodEvictionPolicy ?? "unset"}`)),
  },
  {
    upstream: ["kube-linter/no-anti-affinity", "kube-score/deployment-has-host-podantiaffinity", "kube-score/statefulset-has-host-podantiaffinity"],
    why: "replicas on one node all go with it; both tools ask for pod anti-affinity on the hostname, not only a topology spread",
    check: onKind(["Deployment", "StatefulSet"], (o) => {
      // kube-linter skips an unset replica count, kube-score does not (it may be an HPA's): only an explicit count below 2 is skipped.
      if (o.spec?.replicas !== undefined && o.spec.replicas < 2) return undefined;
      const labels = o.spec?.template?.metadata?.labels ?? {};
      const anti = o.spec?.template?.spec?.affinity?.podAntiAffinity ?? {};
      const terms = [...(anti.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p: Data) => p.podAffinityTerm), ...(anti.requiredDuringSchedulingIgnoredDuringExecution ?? [])];
      return terms.some((t: Data) => t?.topologyKey === "kubernetes.io/hostname" && selects(t.labelSelector, labels)) ? undefined : "no pod anti-affinity on kubernetes.io/hostname that selects its own pods";
    }),
  },
  {
    upstream: ["polaris/topologySpreadConstraint", "kube-score/pod-topology-spread-constraints"],
    why: "a spread rule keeps replicas apart across nodes and zones; kube-score checks each rule is well-formed",
    check: (o) => {
      const spec = podTemplateOf(o)?.spec;
      if (!spec || isJob(o)) return [];
      const spreads = spec.topologySpreadConstraints ?? [];
      return [
        ...(spreads.length ? [] : ["no topologySpreadConstraints"]),
        ...spreads.flatMap((s) => [
          ...(s.labelSelector ? [] : ["a spread rule has no labelSelector"]),
          ...(s.maxSkew > 0 ? [] : ["a spread rule's maxSkew is not positive"]),
          ...(s.minDomains === 0 ? ["a spread rule's minDomains is 0"] : []),
          ...(s.topologyKey ? [] : ["a spread rule has no topologyKey"]),
          ...(["DoNotSchedule", "ScheduleAnyway"].includes(s.whenUnsatisfiable) ? [] : [`whenUnsatisfiable ${s.whenUnsatisfiable}`]),
        ]),
      ];
    },
    exempt: { why: SINGLE_INSTANCE_WHY, where: singleInstance },
  },
  {
    upstream: ["kube-linter/priority-class-name", "polaris/priorityClassNotSet"],
    why: "a priority class decides which pods the scheduler preempts under pressure",
    exempt: { why: "PriorityClass is cluster-scoped (an environment's AppProject, argocd/bootstrap/appproject-todo-<env>.yaml, admits no cluster-scoped kind but its own Namespace): which environment's pods yield on a shared cluster is the cluster owner's choice, not the app's; kube-linter's optional check even accepts only the system-* classes, which are for node-critical pods" },
  },
  {
    upstream: ["kube-linter/no-node-affinity", "kube-linter/dnsconfig-options"],
    why: "optional in kube-linter: node affinity on every pod; resolver options (ndots)",
    exempt: { why: "not adopted: placement is the environment's nodeSelector setting (default none: Minikube has one node), and in-cluster names are already fully qualified (lib/service-dns.ts), so ndots changes nothing for them" },
  },

  // Jobs
  {
    upstream: ["kube-linter/job-ttl-seconds-after-finished"],
    why: "finished Jobs pile up unless something deletes them",
    check: onKind("Job", (o) => (o.spec?.ttlSecondsAfterFinished === undefined ? "no ttlSecondsAfterFinished" : undefined)),
    exempt: {
      why: "an Argo CD hook's delete policy owns its lifetime: a succeeded hook is deleted at once (HookSucceeded), a failed one stays for `kubectl logs` until the next sync replaces it (BeforeHookCreation; README, \"A hook is stuck\"); a TTL would delete the evidence while the sync still reports the failure",
      where: (o) => (o.metadata?.annotations?.["argocd.argoproj.io/hook-delete-policy"] ?? "").includes("BeforeHookCreation"),
    },
  },
  {
    upstream: ["kube-linter/restart-policy"],
    why: "optional in kube-linter: restartPolicy Always or OnFailure stated on every pod",
    exempt: { why: "not adopted: Always is the only value a Deployment or StatefulSet accepts (the API server fills it in), and the Jobs use Never so each retry is a new pod whose log is kept" },
  },
  {
    upstream: ["kube-score/cronjob-has-deadline", "kube-score/cronjob-restartpolicy"],
    why: "CronJob deadlines and restart policy",
    exempt: { why: "about a kind this repository never renders", kinds: ["CronJob"] },
  },

  // Network
  {
    upstream: ["kube-score/pod-networkpolicy", "kube-linter/non-isolated-pod"],
    why: "a pod no NetworkPolicy selects for both directions accepts and opens any connection",
    check: (o, target) => {
      const template = podTemplateOf(o);
      if (!template) return [];
      const policies = target.objects.filter((p) => p.kind === "NetworkPolicy" && selects((p as Data).spec?.podSelector, template.labels)) as Data[];
      const types = new Set(policies.flatMap((p) => p.spec?.policyTypes ?? ["Ingress", ...(p.spec?.egress?.length ? ["Egress"] : [])]));
      return ["Ingress", "Egress"].filter((t) => !types.has(t)).map((t) => `no NetworkPolicy isolates its ${t.toLowerCase()}`);
    },
  },
  {
    upstream: ["kube-score/networkpolicy-targets-pod", "kube-linter/dangling-networkpolicy"],
    why: "a NetworkPolicy that selects no pod is dead weight, usually a typo in a label",
    check: onKind("NetworkPolicy", (o, target) => (workloads(target).some((w) => selects(o.spec?.podSelector, podTemplateOf(w)!.labels)) ? undefined : "selects no rendered pod")),
    exempt: {
      why: "it admits the HTTP-01 solver pods cert-manager starts during an ACME challenge: no rendered object has them, and the policy must exist before they do",
      where: (o) => o.kind === "NetworkPolicy" && o.metadata?.name === ACME_SOLVER,
    },
  },
  {
    upstream: ["kube-linter/dangling-networkpolicypeer-podselector"],
    why: "a rule admitting pods no workload has opens nothing, usually a typo",
    check: onKind("NetworkPolicy", (o, target) => [...(o.spec?.ingress ?? []).flatMap((r: Data) => r.from ?? []), ...(o.spec?.egress ?? []).flatMap((r: Data) => r.to ?? [])]
      .filter((peer: Data) => peer.podSelector && !peer.namespaceSelector)
      .filter((peer: Data) => !workloads(target).some((w) => selects(peer.podSelector, podTemplateOf(w)!.labels)))
      .map((peer: Data) => `peer ${JSON.stringify(peer.podSelector.matchLabels ?? peer.podSelector)} selects no rendered pod`)),
  },
  {
    upstream: ["polaris/missingNetworkPolicy"],
    why: "every pod isolated for ingress and egress (enforced above as kube-score/pod-networkpolicy)",
    exempt: { why: "Polaris' schema wants one NetworkPolicy that names exactly one of the pod's labels (a oneOf over them: our selectors name two, app.kubernetes.io/name and instance) and holds both ingress and egress rules (a pod nothing calls has none, by design); upstream issues FairwindsOps/polaris#1202 and #1088" },
  },

  // Metadata (every object, the Argo CD objects too)
  {
    upstream: ["kube-score/label-values"],
    why: "a label value the API server refuses fails the whole sync",
    check: (o) => Object.entries(o.metadata?.labels ?? {}).filter(([, v]) => v.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v)).map(([k, v]) => `label ${k}=${v} is not a valid value`),
  },
  {
    upstream: ["kube-linter/use-namespace"],
    why: "an object without a namespace lands in whatever namespace the applier defaults to, often `default`",
    check: (o) => (CLUSTER_SCOPED.includes(o.kind) || (o.metadata?.namespace && o.metadata.namespace !== "default") ? [] : [`namespace is ${o.metadata?.namespace ?? "unset"}`]),
  },
  {
    upstream: ["kube-score/stable-version", "kube-linter/no-extensions-v1beta"],
    why: "deprecated API versions are removed in later Kubernetes releases",
    check: (o) => { const kinds = DEPRECATED_APIS[o.apiVersion]; return kinds && (kinds.includes("*") || kinds.includes(o.kind)) ? [`${o.apiVersion} ${o.kind} is deprecated`] : []; },
  },
  {
    upstream: ["polaris/metadataAndInstanceMismatched"],
    why: "Polaris wants app.kubernetes.io/instance equal to the object's name",
    exempt: { why: "the label names the app's instance, the environment (todo-dev), as the Kubernetes recommended labels define it (a Helm release's name), and it is half of every selector: equal to each object's name it would split one instance into five, and selectors cannot change on a live Deployment" },
  },
  {
    upstream: ["kube-linter/required-annotation-email", "kube-linter/required-label-owner", "kube-linter/sorted-keys"],
    why: "optional in kube-linter: organisation conventions (an owner's e-mail annotation, an owner label, keys in alphabetical order)",
    exempt: { why: "not adopted: the objects carry the Kubernetes recommended labels (part-of, managed-by) instead of an owner convention, and keys keep the API's field order, which reads better than sorted" },
  },
  {
    upstream: ["kube-linter/schema-validation"],
    why: "every object valid against its schema",
    exempt: { why: "run elsewhere, at render time, more strictly: every object is validated against the Kubernetes 1.36 OpenAPI and the closed custom-kind schemas, unknown fields refused (render.ts validateObjects)" },
  },
  {
    upstream: ["kube-linter/dangling-servicemonitor", "kube-linter/scc-deny-privileged-container"],
    why: "Prometheus ServiceMonitors; OpenShift SecurityContextConstraints",
    exempt: { why: "about kinds this repository never renders", kinds: ["ServiceMonitor", "SecurityContextConstraints"] },
  },
];

function exemptionsOf(rule: PolicyRule): readonly Exemption[] {
  return rule.exempt === undefined ? [] : Array.isArray(rule.exempt) ? rule.exempt : [rule.exempt as Exemption];
}

function describe(object: KubeObject): string {
  return `${object.kind} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata?.name}`;
}

/** Every finding of every rule, with the exemptions' `where` applied; `waived` lists what they let through. */
export function evaluate(targets: readonly PolicyTarget[], rules: readonly PolicyRule[] = POLICY): { findings: Finding[]; waived: Map<Exemption, Finding[]> } {
  const findings: Finding[] = [];
  const waived = new Map<Exemption, Finding[]>();
  for (const rule of rules) {
    if (!rule.check) continue;
    for (const target of targets) {
      for (const object of target.objects) {
        const messages = rule.check(object, target);
        if (!messages.length) continue;
        const found = messages.map((message) => ({ target: target.name, object: describe(object), upstream: rule.upstream, message, why: rule.why }));
        const exemption = exemptionsOf(rule).find((e) => e.where?.(object, target));
        if (exemption) waived.set(exemption, [...(waived.get(exemption) ?? []), ...found]);
        else findings.push(...found);
      }
    }
  }
  return { findings, waived };
}

export function formatFinding(finding: Finding): string {
  return `${finding.target}: ${finding.object}: ${finding.upstream.join(", ")}: ${finding.message} (why: ${finding.why})`;
}

export { exemptionsOf };
