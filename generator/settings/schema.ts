/**
 * Every setting an environment has, declared once: its shape, its default,
 * its documentation and its rules, with zod. The TypeScript types
 * (generator/settings.ts), the check at render time, the defaults an
 * environment file leaves out and the README's settings reference all come
 * from here, so they cannot disagree.
 *
 * An environment file (environments/<env>.ts) states only what differs;
 * unknown keys, wrong types and out-of-range values are refused with the
 * file, the path, the value given and the rule. Rules that span several
 * settings, files or environments (the quota, the sealed values, hosts and
 * node ports across environments) are in rules.ts, written against the type
 * declared here.
 *
 * To add a setting: add it here (type, default, `.describe()`, rules), use
 * it in a component, and run `npm run settings:reference` for the README's
 * table. Nothing else lists settings.
 */
import * as z from "zod";
import { type ClusterFacts, PULL_POLICIES } from "../cluster-facts.ts";
import { type AppImageFacts, type ThirdPartyImageFacts, backendImage, frontendImage, postgresImage, redisImage } from "../images.ts";
import { IMAGE_DIGEST, IMAGE_DIGEST_RULE, formatImageReference } from "../lib/image-reference.ts";
import { isNetworkAddress, overlaps, parseCidr } from "../lib/cidr.ts";
import { parseQuantity } from "../lib/quantity.ts";
import { SEALABLE_SECRETS } from "../secrets/catalogue.ts";
import { STANDARD_QUOTA_RESOURCES, isIntegerQuotaResource, quotaResourceProblem } from "../validation/resource-quota.ts";
import { closestName, shownAsIs } from "./problems.ts";
import { credentialValueProblem, secretKeyProblem } from "../validation/credentials.ts";
import { labelValueProblem } from "../validation/labels.ts";
import { SEMVER, always, dnsLabel, dnsSubdomain, entriesOf, integer, labelMap, quantity, rule } from "./declare.ts";

/** What an environment's defaults and rules depend on besides its own settings. */
export interface EnvironmentContext {
  /** The environment's name: its file name, environments/<name>.ts. */
  name: string;
  /** The clusters there are, by name: one per clusters/<name>/cluster.ts. */
  clusters?: ReadonlyMap<string, ClusterFacts> | undefined;
  /**
   * What its file states under `delivery`, read first: the cluster it runs on
   * (absent when it names none that exists: that is reported, and the rules
   * that need the cluster's facts wait) and the tags it accepts.
   */
  delivery?: { cluster?: ClusterFacts | undefined; tags?: TagPolicy | undefined } | undefined;
}

/** `mutable`: any valid tag, `latest` included. `pinned`: only a semantic version or a git SHA, which always names the same build. */
export const TAG_POLICIES = ["mutable", "pinned"] as const;
export type TagPolicy = (typeof TAG_POLICIES)[number];

/**
 * Who signs an environment's certificate (ingress.tls.issuer): the cluster's
 * own CA, or Let's Encrypt's production or staging directory over ACME
 * (components/tls.ts renders each).
 */
export const TLS_ISSUERS = ["local-ca", "letsencrypt", "letsencrypt-staging"] as const;

// ---------------------------------------------------------------- building blocks (and declare.ts)

/**
 * An absolute URL path with an optional query (RFC 3986 pchars, `%XX` escapes):
 * the kubelet puts it in a request line, where a space or a stray `%` breaks it.
 */
const URL_PATH = /^\/(?:[-A-Za-z0-9._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*(?:\?(?:[-A-Za-z0-9._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)?$/;
const urlPath = rule(z.string(), (value) => {
  if (!value.startsWith("/")) return "must start with /";
  if (!URL_PATH.test(value)) return "must be a URL path: no spaces; letters, digits, -._~!$&'()*+,;=:@/ or %XX escapes, then an optional ?query";
  return undefined;
});

const LINK_LOCAL = parseCidr("169.254.0.0/16")!;

/** An external database's address range: a named network, never "anywhere" and never the cloud metadata endpoint. */
function externalCidrProblem(cidr: string): string | undefined {
  const range = parseCidr(cidr);
  if (!range) return "must be an IPv4 CIDR range (a.b.c.d/n)";
  if (!isNetworkAddress(range)) return "must be the network address of its range (no host bits set), e.g. 203.0.113.0/24";
  if (range.prefix < 8) return "is wider than /8: name the database's own range, not most of the internet";
  if (overlaps(range, LINK_LOCAL)) return "overlaps link-local 169.254.0.0/16 (cloud metadata endpoints)";
  return undefined;
}

// ---------------------------------------------------------------- images

/** An image name: lowercase path components, optionally behind a registry host[:port]. */
const IMAGE_REPOSITORY = /^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const GIT_SHA = /^[0-9a-f]{7,40}$/;

const imageRepository = z.string().regex(IMAGE_REPOSITORY, { error: "must be a lowercase image name ([registry/]path)" });

/** A tag's syntax, and its use as the app.kubernetes.io/version label of the objects that run it. */
function tagSyntaxProblem(tag: string): string | undefined {
  if (!tag) return "an image tag is required";
  if (!IMAGE_TAG.test(tag)) return "must be a valid image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})";
  if (labelValueProblem(tag) !== undefined) return "becomes the app.kubernetes.io/version label: at most 63 characters, starting and ending with a letter or digit";
  return undefined;
}

/** A release tag an environment with this tag policy accepts, or the rule it breaks. */
export function tagProblem(tag: string, policy: TagPolicy): string | undefined {
  const syntax = tagSyntaxProblem(tag);
  if (syntax) return syntax;
  if (policy === "mutable" || SEMVER.test(tag) || GIT_SHA.test(tag)) return undefined;
  const pinned = 'delivery.tags is "pinned": a tag must be a semantic version or a git SHA (7-40 hex digits)';
  return tag === "latest" ? `"latest" names whatever was pushed last: ${pinned}` : pinned;
}

/** A manifest digest: `sha256:` and 64 lowercase hex digits (lib/image-reference.ts); public, so a problem shows it. */
const imageDigest = shownAsIs(z.string().regex(IMAGE_DIGEST, { error: IMAGE_DIGEST_RULE }));

/**
 * A third-party image (PostgreSQL, Redis), pinned in every environment to a
 * version and the digest of that version's image index (images.ts `pinned`,
 * with where the digest comes from). The default digest belongs to the
 * default tag: an environment that states another tag must state that tag's
 * digest too, or the kubelet would pull the old release under the new name.
 */
function pinnedImage(image: ThirdPartyImageFacts) {
  const { tag, digest } = image.pinned;
  return z
    .strictObject({
      repository: imageRepository.default(image.repository).describe("Image name, from any registry the cluster can pull from (a mirror keeps the digest)."),
      tag: rule(z.string(), (value) => tagSyntaxProblem(value) ?? (value === "latest" ? "a third-party image must be pinned to a version, never latest" : undefined))
        .default(tag)
        .describe("A version, never `latest`; the app.kubernetes.io/version label."),
      digest: imageDigest
        .default(digest)
        .describe(
          "The digest of the tag's multi-platform image index, which the kubelet pulls instead of the tag (`repository:tag@digest`). Required with another tag: docker-library/repo-info's repos/<image>/remote/<tag>.md, or `docker buildx imagetools inspect <image>:<tag>`.",
        ),
    })
    .check((payload) => {
      if (payload.value.tag !== tag && payload.value.digest === digest) {
        payload.issues.push({
          code: "custom",
          message: `is the digest of ${formatImageReference({ repository: image.repository, tag })}, not of tag ${payload.value.tag}: state the digest of ${formatImageReference({ repository: payload.value.repository, tag: payload.value.tag })} too (docker buildx imagetools inspect ${payload.value.repository}:${payload.value.tag}), a digest belongs to one tag`,
          input: payload.value.digest,
          path: ["digest"],
        });
      }
    })
    .prefault({});
}

/** An image the release commands set: environments/<env>.images.json. */
function releasedImage(env: EnvironmentContext) {
  return z.strictObject({
    repository: imageRepository.describe("Image name; each environment keeps its own (promote copies tag and digest, never the repository)."),
    tag: rule(z.string(), (value) => (env.delivery?.tags ? tagProblem(value, env.delivery.tags) : tagSyntaxProblem(value))).describe(
      "What `npm run release` and `promote` set; the environment's delivery.tags says which tags it accepts.",
    ),
    digest: imageDigest
      .optional()
      .describe(
        "The digest the tag pointed at when it was released (`npm run release -- <env> backend=<tag>@sha256:…`), pulled instead of the tag; a release without one removes it. None for an image built into the cluster's own store (`npm run images`), which has no registry digest.",
      ),
  });
}

function pullPolicy(cluster: ClusterFacts | undefined) {
  return rule(z.enum(PULL_POLICIES), (value) => {
    if (!cluster || cluster.allowedPullPolicies.includes(value)) return undefined;
    return `cluster ${cluster.name} uses images from its own store: must be one of ${cluster.allowedPullPolicies.join(", ")}`;
  })
    .default("IfNotPresent")
    .describe("When the kubelet pulls the image; the cluster may allow only some (cluster facts: allowedPullPolicies).");
}

// ---------------------------------------------------------------- workloads

interface CpuMemory {
  cpu: string;
  memory: string;
}

function cpuMemory(defaults: CpuMemory) {
  return z
    .strictObject({
      cpu: quantity.default(defaults.cpu).describe("CPU, e.g. 100m (a tenth of a core) or 1."),
      memory: quantity.default(defaults.memory).describe("Memory, e.g. 128Mi or 1Gi."),
    })
    .prefault({});
}

/** A container's requests and limits; a request above its limit is refused (Kubernetes would refuse the pod). */
function resources(defaults: { requests: CpuMemory; limits: CpuMemory }) {
  return z
    .strictObject({
      requests: cpuMemory(defaults.requests).describe("What the scheduler reserves for the container."),
      limits: cpuMemory(defaults.limits).describe("What the container may use at most."),
    })
    .check((payload) => {
      for (const resource of ["cpu", "memory"] as const) {
        const request = parseQuantity(payload.value.requests[resource])!;
        const limit = parseQuantity(payload.value.limits[resource])!;
        if (request > limit) {
          payload.issues.push({
            code: "custom",
            message: `must not exceed the limit (${payload.value.limits[resource]})`,
            input: payload.value.requests[resource],
            path: ["requests", resource],
          });
        }
      }
    })
    .prefault({});
}

type ProbeKind = "liveness" | "readiness" | "startup";

/**
 * Probe timings from the seeds' ProbeConfig table: liveness every 10 s
 * (2 s timeout, 3 failures), readiness every 5 s (5 s, 3), startup every 5 s
 * (2 s, 6 failures: a 30 s window before liveness takes over). One success
 * ends a failure for every probe: Kubernetes requires successThreshold 1 for
 * liveness and startup, and a readiness probe that must pass twice would only
 * keep a recovered pod out of its Service for longer.
 */
const PROBE_TIMINGS: Record<ProbeKind, { periodSeconds: number; timeoutSeconds: number; failureThreshold: number }> = {
  liveness: { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
  readiness: { periodSeconds: 5, timeoutSeconds: 5, failureThreshold: 3 },
  startup: { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 6 },
};

function probe(kind: ProbeKind, path: string) {
  const timings = PROBE_TIMINGS[kind];
  return z
    .strictObject({
      path: urlPath.default(path).describe("HTTP path the kubelet GETs on the container port named `http`."),
      initialDelaySeconds: integer(0, 3600).default(0).describe("Seconds before the first probe."),
      periodSeconds: integer(1, 3600).default(timings.periodSeconds).describe("Seconds between probes."),
      timeoutSeconds: integer(1, 3600).default(timings.timeoutSeconds).describe("Seconds a probe may take."),
      failureThreshold: integer(1, 3600).default(timings.failureThreshold).describe("Failures in a row that count."),
      successThreshold: (kind === "readiness"
        ? integer(1, 3600)
        : z.literal(1, { error: `must be 1: Kubernetes accepts no other value for a ${kind} probe` })
      )
        .default(1)
        .describe(kind === "readiness" ? "Successes in a row that mark the container ready again." : "Always 1: Kubernetes accepts no other value here."),
    })
    .prefault({});
}

/**
 * What a config entry's key must be: the entries reach the container as its
 * environment (envFrom, lib/app-workload.ts), and the apps read them as
 * environment variables (Python's os.environ, Node's process.env), by a
 * C-identifier name. POSIX's portable name (IEEE Std 1003.1, 8.1
 * Environment Variable Definition) is the narrower of what Kubernetes and a
 * ConfigMap accept ([-._a-zA-Z0-9]+), so a key such as "bad key!" or
 * "log.level" is refused for what it is, not read as something else.
 */
const CONFIG_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The checks every ConfigMap entry gets, even when another entry has the
 * wrong type: a valid key, and nothing that looks like a credential, by its
 * name or by its value (never printed: the problem is marked secret).
 */
function configMapEntries(entries: Record<string, unknown>, ctx: z.core.$RefinementCtx): void {
  for (const [key, value] of entriesOf(entries)) {
    const add = (message: string, secret = false) => ctx.addIssue({ code: "custom", message, input: value, path: [key], ...(secret ? { params: { secret: true } } : {}) });
    const byValue = typeof value === "string" ? credentialValueProblem(value) : undefined;
    if (!CONFIG_KEY.test(key)) {
      // Refused for its name alone: the credential rule reads a name as the app would, and the app cannot read this one
      // ("bad key!" is not BAD_KEY), so its value is shown unless it looks like a credential itself.
      ctx.addIssue({
        code: "custom",
        message: "must be an environment variable name (letters, digits and _, not starting with a digit): the entries reach the container as its environment, and the app reads them by such names",
        input: value,
        path: [key],
        params: byValue ? { secret: true } : { shown: true },
      });
    } else {
      const byName = secretKeyProblem(key);
      if (byName) add(byName, true);
    }
    if (byValue) add(byValue, true);
  }
}

/**
 * ConfigMap entries: the keys a component declares (with their defaults),
 * then any others an environment adds, all strings. An environment's entries
 * are merged over the defaults.
 */
function configMap<Shape extends z.core.$ZodLooseShape>(declared: Shape) {
  return z
    .object(declared)
    .catchall(z.string({ error: "must be a string: a ConfigMap holds strings (quote numbers and booleans)" }))
    .superRefine((entries, ctx) => configMapEntries(entries, ctx as z.core.$RefinementCtx), { when: always })
    .prefault({} as never);
}

const FORBIDDEN_VERBS = new Set(["bind", "escalate", "impersonate"]);
const noWildcard = (values: string[]) => (values.includes("*") ? "no wildcards: name exactly what the component uses" : undefined);

const apiAccessRule = z.strictObject({
  apiGroups: rule(z.array(z.string()), noWildcard).describe('API groups, e.g. [""] for the core group.'),
  resources: rule(z.array(z.string()), noWildcard).describe("Resource types, e.g. configmaps."),
  verbs: rule(z.array(z.string()), (verbs) => noWildcard(verbs) ?? (verbs.some((verb) => FORBIDDEN_VERBS.has(verb)) ? "bind, escalate and impersonate are never granted" : undefined)).describe(
    "Verbs, e.g. get, list, watch.",
  ),
  resourceNames: rule(z.array(z.string()), noWildcard).optional().describe("Only these objects, by name."),
});

/** What the frontend and the backend share: their Deployment, Service and autoscaler; the pull policy depends on the cluster. */
function appSettings(cluster: ClusterFacts | undefined, image: AppImageFacts, defaults: { resources: { requests: CpuMemory; limits: CpuMemory } }) {
  return {
    pullPolicy: pullPolicy(cluster),
    replicas: integer(1, 10).default(1).describe("Pods, while autoscaling is off (the HPA owns the count while it is on)."),
    resources: resources(defaults.resources).describe("The container's requests and limits."),
    probes: z
      .strictObject({
        liveness: probe("liveness", image.health.live).describe("Restarts the container when it fails."),
        readiness: probe("readiness", image.health.ready).describe("Takes the pod out of its Service while it fails."),
        startup: probe("startup", image.health.live).describe("Holds the other probes back until the app has started."),
      })
      .prefault({}),
    service: z
      .strictObject({
        type: z.enum(["ClusterIP", "NodePort"]).default("ClusterIP").describe("ClusterIP, or NodePort to reach it from outside the cluster."),
        port: integer(1, 65535).default(image.port).describe("Port the Service exposes; the target is always the container port named `http`."),
        nodePort: integer(30000, 32767).optional().describe("Only with type NodePort: a fixed port in 30000–32767."),
      })
      .check((payload) => {
        if (payload.value.nodePort !== undefined && payload.value.type !== "NodePort") {
          payload.issues.push({ code: "custom", message: "only a NodePort Service has a nodePort", input: payload.value.nodePort, path: ["nodePort"] });
        }
      })
      .prefault({}),
    autoscaling: z
      .strictObject({
        enabled: z.boolean().default(false).describe("A HorizontalPodAutoscaler owns the replica count."),
        minReplicas: integer(1, 10).default(1).describe("Fewest pods the autoscaler keeps."),
        maxReplicas: integer(1, 10).default(3).describe("Most pods the autoscaler starts."),
        targetCPUUtilizationPercentage: integer(1, 100).default(80).describe("Average CPU use, in percent of the request, the autoscaler aims at."),
      })
      .check((payload) => {
        const { minReplicas, maxReplicas } = payload.value;
        if (minReplicas > maxReplicas) {
          payload.issues.push({ code: "custom", message: `must not exceed maxReplicas (${maxReplicas})`, input: minReplicas, path: ["minReplicas"] });
        }
      })
      .prefault({}),
  };
}

const CONFIG_DESCRIPTION = "ConfigMap entries, merged over the component's own, which reach the container as its environment: each key an environment variable name (letters, digits and _, not starting with a digit); never a credential.";

const apiAccess = z
  .array(apiAccessRule)
  .default(() => [])
  .describe("Kubernetes API access the component really uses; empty: no Role, and no service account token is mounted.");

/** A key the environment file may not state, with where its value belongs instead. */
function elsewhere(where: string) {
  return z.never({ error: where }).optional();
}

// ---------------------------------------------------------------- the environment

/** A Dapr tracing sampling rate: a decimal from 0 to 1, written as a string. */
const SAMPLING_RATE = /^(0(\.\d+)?|1(\.0+)?)$/;
const PVC_ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"] as const;
/** The database is a single-replica StatefulSet whose one pod writes its volume. */
const DATABASE_ACCESS_MODES: readonly string[] = ["ReadWriteOnce", "ReadWriteOncePod"];

const partOf = rule(z.string(), (value) =>
  value === "" || labelValueProblem(value) !== undefined
    ? "becomes the app.kubernetes.io/part-of label: must be a label value (at most 63 characters: letters, digits, -, _ and ., starting and ending with a letter or digit)"
    : undefined,
)
  .default("todo-chatbot")
  .describe("Value of the recommended app.kubernetes.io/part-of label.");

/** Each quota entry as the API server checks it (validation/resource-quota.ts): a resource name it knows, and a whole number where it counts. */
function quotaEntries(quota: Record<string, unknown>, ctx: z.core.$RefinementCtx): void {
  for (const [name, value] of entriesOf(quota)) {
    const nameRule = quotaResourceProblem(name);
    if (nameRule) {
      const meant = closestName(name, STANDARD_QUOTA_RESOURCES);
      ctx.addIssue({ code: "custom", message: meant ? `${nameRule}; did you mean ${meant}?` : nameRule, input: value, path: [name] });
      continue;
    }
    const amount = typeof value === "string" ? parseQuantity(value) : undefined;
    if (amount !== undefined && isIntegerQuotaResource(name) && Math.round(amount * 1000) % 1000 !== 0) {
      ctx.addIssue({ code: "custom", message: "must be a whole number: the API server counts this resource in whole objects or units", input: value, path: [name] });
    }
  }
}

const namespaceSettings = z
  .strictObject({
    // Room for every workload at its largest (HPA maximum plus the rolling-update
    // surge) and both hook Jobs; rules.ts refuses a quota that is too small.
    quota: z
      .object({
        "requests.cpu": quantity.default("4").describe("CPU all pods together may request."),
        "requests.memory": quantity.default("8Gi").describe("Memory all pods together may request."),
        "limits.cpu": quantity.default("12").describe("CPU limits of all pods together."),
        "limits.memory": quantity.default("16Gi").describe("Memory limits of all pods together."),
        pods: quantity.default("30").describe("Pods at once, hooks and rolling-update surges included."),
        persistentvolumeclaims: quantity.default("2").describe("PersistentVolumeClaims (the database holds one)."),
        "services.nodeports": quantity.default("2").describe("NodePort Services."),
        "services.loadbalancers": quantity.default("0").describe("LoadBalancer Services (none: Minikube has no load balancer)."),
      })
      .catchall(
        quantity.describe(
          "Any other resource the API server accepts in a ResourceQuota: a standard name (e.g. configmaps, requests.storage), hugepages-<size>, or a qualified name with a / (count/jobs.batch, requests.nvidia.com/gpu); counts are whole numbers.",
        ),
      )
      .superRefine((quota, ctx) => quotaEntries(quota, ctx as z.core.$RefinementCtx), { when: always })
      .prefault({})
      .describe("ResourceQuota `spec.hard`: these and any other resource; checked to fit every workload at its largest."),
    // Applies to any container that states no resources of its own (e.g. a sidecar).
    containerLimits: z
      .strictObject({
        defaultRequest: cpuMemory({ cpu: "100m", memory: "128Mi" }).describe("Requests of a container that states none."),
        default: cpuMemory({ cpu: "500m", memory: "512Mi" }).describe("Limits of a container that states none."),
        max: cpuMemory({ cpu: "2", memory: "2Gi" }).describe("The most any one container may ask for."),
      })
      .prefault({})
      .describe("LimitRange defaults and bounds for each container."),
  })
  .prefault({});

const frontendConfig = configMap({}).describe(CONFIG_DESCRIPTION);

/** The backend's own ConfigMap entries but ENVIRONMENT, which is the environment's name (CORS_ORIGINS is its Ingress URL: components/backend.ts). */
const backendConfig = {
  // The level names Python's logging module defines (logging.getLevelName); the app passes the value to it as is.
  LOG_LEVEL: z
    .enum(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], { error: "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (Python's log levels, in capitals)" })
    .default("INFO")
    .describe("Python log level: DEBUG, INFO, WARNING, ERROR or CRITICAL."),
  PYTHONUNBUFFERED: z.string().default("1").describe("Log lines reach the pod's log at once."),
  JWT_ALGORITHM: z.string().default("HS256").describe("Signature algorithm of the app's JWTs."),
  JWT_EXPIRATION_DAYS: z.string().default("7").describe("Days a JWT stays valid."),
};

const migration = z
  .strictObject({
    command: z
      .array(z.string().min(1, { error: "must be a non-empty string (the container runtime refuses an empty program or argument)" }), {
        error: "must be a list: the program, then each argument",
      })
      .min(1, { error: "must not be empty" })
      .default(() => ["alembic", "upgrade", "head"])
      .describe("Run in the backend image before the backend rolls (an Argo CD Sync hook)."),
    backoffLimit: integer(0, 10).default(2).describe("Retries before the Job fails."),
    activeDeadlineSeconds: integer(1, 86400).default(300).describe("Seconds before the Job is stopped."),
  })
  .prefault({});

/** A contact address, as far as a settings check can tell: one @, no spaces, a dot in the domain. */
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s.]+$/;
const ACME_EMAIL_RULE =
  "is not an e-mail address: it must be local-part@domain, with a dot in the domain and no spaces (e.g. ops@example.com); Let's Encrypt refuses an account whose contact is malformed";

const ingress = {
  enabled: z.boolean().default(true).describe("An Ingress for the frontend and /api."),
  frontendApiPrefixes: z
    .array(z.string().regex(/^\/api\/[-a-zA-Z0-9_./]+$/, { error: "must be a path under /api/" }))
    .default(() => ["/api/auth"])
    .describe("Paths under /api that the frontend serves itself (e.g. better-auth's /api/auth): longer prefixes win."),
  tls: z
    .strictObject({
      enabled: z.boolean().default(true).describe("A cert-manager Certificate for `ingress.host`, `tls` on the Ingress, and HTTP redirected to HTTPS."),
      issuer: z
        .enum(TLS_ISSUERS)
        .default("local-ca")
        .describe(
          "Who signs the certificate. `local-ca`: the CA cert-manager creates in the cluster (trust its root once: the README's TLS section). `letsencrypt`, `letsencrypt-staging`: Let's Encrypt over ACME, HTTP-01 through the ingress class, for a host the internet resolves to the cluster (staging: untrusted certificates, far higher rate limits).",
        ),
      acmeEmail: rule(z.string(), (value) => (value === "" || EMAIL.test(value) ? undefined : ACME_EMAIL_RULE))
        .default("")
        .describe("The ACME account's contact (expiry and policy notices): required by the Let's Encrypt issuers, unused by `local-ca`."),
    })
    .prefault({})
    .describe("HTTPS on the Ingress, with a certificate cert-manager issues and renews; on unless an environment turns it off."),
};

const smokeTest = z
  .strictObject({
    enabled: z.boolean().default(true).describe("A PostSync hook that calls the backend's readiness and the frontend's health."),
    backoffLimit: integer(0, 10).default(1).describe("Retries before the Job fails."),
    activeDeadlineSeconds: integer(1, 3600).default(120).describe("Seconds before the Job is stopped."),
  })
  .prefault({});

const nodeSelector = labelMap("node")
  .default(() => ({}))
  .describe("Node labels every pod requires (each pod's nodeSelector); empty: any node (Minikube has one).");

const imagePullSecrets = z
  .array(
    rule(dnsSubdomain("a Secret name"), (name) =>
      SEALABLE_SECRETS.has(name) ? "is a Secret the workloads read: a pull Secret is a separate docker-registry Secret" : undefined,
    ),
  )
  .superRefine(
    (names, ctx) =>
      entriesOf(names).forEach(([i, name]) => {
        if ((names as unknown[]).indexOf(name) !== Number(i)) ctx.addIssue({ code: "custom", message: "is listed twice", input: name, path: [Number(i)] });
      }),
    { when: always },
  )
  .default(() => [])
  .describe("docker-registry Secrets on every ServiceAccount, for a private registry; created by hand.");

/** The settings that depend on the cluster an environment runs on (its pull policies). */
function onClusterSettings(cluster: ClusterFacts | undefined) {
  return {
    frontend: appSettings(cluster, frontendImage, { resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } } }),
    backend: appSettings(cluster, backendImage, { resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1000m", memory: "1Gi" } } }),
    database: z
      .strictObject({
        mode: z
          .enum(["in-cluster", "external"])
          .default("in-cluster")
          .describe("`in-cluster`: a PostgreSQL StatefulSet in the namespace. `external` (e.g. Neon): nothing is rendered; DATABASE_URL comes from todo-backend-secret."),
        port: integer(1, 65535).default(postgresImage.port).describe("PostgreSQL's port, in-cluster or external (egress is opened to it)."),
        externalCidrs: z
          .array(rule(z.string(), externalCidrProblem))
          .default(() => [])
          .describe(
            "`external` only, and required there: the IPv4 ranges (CIDR) the database's address lies in. The backend and the migration may reach `port` there and nowhere else. Each a network address of /8 or longer, not link-local (169.254.0.0/16).",
          ),
        urlScheme: z
          .string()
          .regex(/^[a-z][a-z0-9+.-]*$/, { error: "must be a URL scheme" })
          .default("postgresql")
          .describe("Scheme of the DATABASE_URL composed for the in-cluster database."),
        image: pinnedImage(postgresImage),
        pullPolicy: pullPolicy(cluster),
        resources: resources({ requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } }),
        storage: z
          .strictObject({
            size: rule(quantity, (value) => (parseQuantity(value)! > 0 ? undefined : "must be greater than zero (e.g. 1Gi)"))
              .default("1Gi")
              .describe("The volume's size."),
            accessMode: rule(z.enum(PVC_ACCESS_MODES, { error: `must be a PersistentVolumeClaim access mode: ${DATABASE_ACCESS_MODES.join(" or ")} for the database` }), (value) =>
              DATABASE_ACCESS_MODES.includes(value) ? undefined : `the database is a single-replica StatefulSet that writes its volume: must be ${DATABASE_ACCESS_MODES.join(" or ")}`,
            )
              .default("ReadWriteOnce")
              .describe("ReadWriteOnce or ReadWriteOncePod."),
          })
          .prefault({}),
      })
      .prefault({}),
    dapr: z
      .strictObject({
        enabled: z.boolean().default(false).describe("A Dapr sidecar on the backend, with Redis-backed Components; needs the Dapr control plane and todo-redis-secret."),
        appId: rule(dnsLabel, (value) => (value.length > 58 ? "must be a DNS-1123 label of at most 58 characters (the Dapr operator names a Service `<app-id>-dapr`)" : undefined))
          .default("todo-backend")
          .describe("The backend's Dapr app-id: the Components are scoped to it."),
        // daprd idles at about 50Mi; the limit leaves room for the Redis clients and bursts.
        sidecar: z
          .strictObject({ resources: resources({ requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } }) })
          .prefault({})
          .describe("The injected daprd container (pod annotations)."),
        redis: z
          .strictObject({
            image: pinnedImage(redisImage),
            pullPolicy: pullPolicy(cluster),
            resources: resources({ requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "256Mi" } }),
          })
          .prefault({})
          .describe("In-cluster Redis behind the state store and pub/sub, rendered only while Dapr is on."),
        tracing: z
          .strictObject({
            enabled: z.boolean().default(false).describe("Spans written to the sidecar's log (no collector is reachable)."),
            samplingRate: z.string().regex(SAMPLING_RATE, { error: 'must be a decimal from 0 to 1, e.g. "1" or "0.1"' }).default("1").describe("Share of requests traced."),
          })
          .prefault({}),
        metrics: z
          .strictObject({ enabled: z.boolean().default(false).describe("Prometheus metrics on the sidecar's port 9090 (no scraper is admitted yet).") })
          .prefault({}),
      })
      .prefault({}),
  };
}

/** How an environment is delivered; the cluster it names must be one there is. */
function delivery(clusters: ReadonlyMap<string, ClusterFacts> | undefined) {
  const names = [...(clusters?.keys() ?? [])];
  return z
    .strictObject(
      {
        cluster: rule(z.string(), (value) =>
          clusters === undefined || clusters.has(value) ? undefined : `must be a cluster of clusters/<name>/cluster.ts: ${names.length ? names.join(", ") : "there is none"}`,
        ).describe("The cluster it runs on: clusters/<cluster>/cluster.ts holds its facts."),
        sync: z
          .enum(["automated", "manual"])
          .default("manual")
          .describe("How Argo CD syncs it: `automated` (prune, self-heal) follows the branch; `manual` waits for Sync and keeps the UI's History and Rollback usable."),
        tags: z.enum(TAG_POLICIES).default("pinned").describe("The image tags it accepts: `mutable` (any, `latest` included) or `pinned` (a semantic version or a git SHA)."),
        promotedFrom: dnsLabel
          .optional()
          .describe("The environment `npm run promote -- <it> <this one>` copies image tags from; none: only `npm run release` changes its images."),
      },
      { error: (issue) => (issue.input === undefined ? `is required: every environment names its cluster, e.g. delivery: { cluster: "${names[0] ?? "minikube"}" }` : undefined) },
    )
    .describe("How it is delivered: where it runs, how Argo CD syncs it, which tags it accepts and where they come from.");
}

/**
 * Most of the declaration does not depend on the environment, and building
 * zod schemas costs more than checking with them: the parts that depend on
 * the cluster, or on the clusters there are, are built once for each and
 * shared (schemas are immutable, so sharing them is safe).
 */
const built = new Map<string, unknown>();
function once<T>(key: string, build: () => T): T {
  if (!built.has(key)) built.set(key, build());
  return built.get(key) as T;
}

/** Everything environments/<env>.ts may state, with the default of each setting it leaves out. */
export function environmentSchema(env: EnvironmentContext) {
  const cluster = env.delivery?.cluster;
  const shared = once(`cluster ${cluster ? `${cluster.name}: ${cluster.allowedPullPolicies.join(",")}` : "(none)"}`, () => onClusterSettings(cluster));
  const clusters = env.clusters;
  const deliveryOf = once(`clusters ${clusters ? [...clusters.keys()].join(",") : "(any)"}`, () => delivery(clusters));
  const images = elsewhere(`released images belong in environments/${env.name}.images.json, which npm run release edits: an environment file cannot set them`);
  return z.strictObject({
    name: elsewhere(`the environment's name is its file name (environments/${env.name}.ts): an environment file cannot set it`),
    cluster: elsewhere("cluster facts belong in clusters/<name>/cluster.ts, shared by the environments on it: an environment names its cluster with delivery.cluster"),
    sealedSecrets: elsewhere(`sealed values belong in environments/${env.name}.sealed.json, which npm run seal writes: an environment file cannot set them`),
    delivery: deliveryOf,
    namespace: dnsLabel.prefault(`todo-${env.name}`).describe("The environment's namespace."),
    partOf,
    namespaceSettings,
    frontend: z
      .strictObject({ image: images, ...shared.frontend, config: frontendConfig, apiAccess })
      .prefault({})
      .describe("The Next.js frontend; its ConfigMap also gets API_BASE_URL (the backend's Service)."),
    backend: z
      .strictObject({
        image: images,
        ...shared.backend,
        config: configMap({ ENVIRONMENT: z.string().default(env.name).describe("The environment's name, as the app reports it."), ...backendConfig }).describe(CONFIG_DESCRIPTION),
        apiAccess,
        migration,
      })
      .prefault({})
      .describe("The FastAPI backend and its database migration."),
    database: shared.database,
    ingress: z
      .strictObject({ enabled: ingress.enabled, host: dnsSubdomain("a valid lowercase hostname").prefault(`${env.name}.todo.local`).describe("The host it answers on."), frontendApiPrefixes: ingress.frontendApiPrefixes, tls: ingress.tls })
      .prefault({}),
    smokeTest,
    nodeSelector,
    imagePullSecrets,
    dapr: shared.dapr,
  });
}

/** The components whose images are released (`npm run release`): each has a line in environments/<env>.images.json. */
export const RELEASED_COMPONENTS = ["frontend", "backend"] as const;
export type ReleasedComponent = (typeof RELEASED_COMPONENTS)[number];

/** environments/<env>.images.json: the released components and nothing else, each with exactly a repository, a tag and optionally a digest. */
export function imagesFileSchema(env: EnvironmentContext) {
  const image = releasedImage(env);
  return z.strictObject(Object.fromEntries(RELEASED_COMPONENTS.map((component) => [component, image])) as Record<ReleasedComponent, typeof image>);
}

/** What environments/<env>.ts may state (every key optional where it has a default). */
export type EnvironmentFileInput = z.input<ReturnType<typeof environmentSchema>>;
/** Its settings once parsed: every default filled in. */
export type EnvironmentFileSettings = z.output<ReturnType<typeof environmentSchema>>;
export type ImagesFile = z.output<ReturnType<typeof imagesFileSchema>>;
