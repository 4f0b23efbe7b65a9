/**
 * What the generator needs to know about the cluster an environment runs on,
 * declared once with zod: the type below is inferred from it, and the loader
 * checks every clusters/<name>/cluster.ts against it when it loads the file
 * (unknown keys, wrong types, and the rules each fact has), exactly as it
 * checks an environment file. The facts themselves live with each cluster;
 * the generator's core only sees them as values of this type, passed in.
 */
import * as z from "zod";
import { isNetworkAddress, parseCidr } from "./lib/cidr.ts";
import { SEMVER, dnsLabel, dnsSubdomain, integer, labelMap, quantity, rule } from "./settings/declare.ts";

export const PULL_POLICIES = ["Always", "IfNotPresent", "Never"] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

/**
 * A minikube profile name (kubernetes/minikube pkg/minikube/config/profile.go
 * ProfileNameValid): DNS labels joined by dots, of two characters at least.
 * Minikube names the kubectl context after it.
 */
const PROFILE_NAME = /^(?=.{2,})(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])$/;

/** A Go duration, as Dapr's Sentry reads it (time.ParseDuration): 24h, 15m, 1h30m. */
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/** Where Argo CD fetches a Git repository: an http(s), ssh or git URL, or scp-like `git@host:org/repo.git` (Argo CD's repository URLs). */
function gitUrlProblem(value: string): string | undefined {
  const rule = "must be a Git repository URL Argo CD can fetch: https://host/org/repo.git, ssh://git@host/org/repo.git or git@host:org/repo.git";
  if (/^[\w.-]+@[\w.-]+\.[a-z]{2,}:[^\s/][^\s]*$/i.test(value)) return undefined;
  const url = urlOf(value);
  if (!url || !["https:", "http:", "ssh:", "git:"].includes(url.protocol) || !url.hostname || url.pathname.length < 2) return rule;
  return undefined;
}

/** A Helm repository: https (or oci://, for a registry). */
function helmRepositoryProblem(value: string): string | undefined {
  const url = urlOf(value);
  return url && ["https:", "http:", "oci:"].includes(url.protocol) && url.hostname ? undefined : "must be a Helm repository URL: https://host/path (or oci://registry/path)";
}

function urlOf(value: string): URL | undefined {
  if (/\s/.test(value)) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** A branch, tag or commit, as `git check-ref-format` allows a name (no spaces, ~ ^ : ? * [ \ or ..). */
const gitRevision = rule(z.string(), (value) =>
  value === "" || /[\s~^:?*[\\]|\.\.|^[./]|[./]$|@\{/.test(value) ? "must be a branch, tag or commit SHA (git check-ref-format: no spaces, ~ ^ : ? * [ \\ or ..)" : undefined,
);

const port = integer(1, 65535);

const chartVersion = z.string().regex(SEMVER, { error: "must be a chart version: a semantic version, e.g. 1.16.19 or v1.21.1 (never a range: the chart is pinned)" });
/** A chart from a Helm repository, pinned: `what` is the software it installs. */
const helmChart = (what: string) =>
  z.strictObject({
    repoURL: rule(z.string(), helmRepositoryProblem).describe(`The Helm repository ${what}'s chart comes from.`),
    name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: "must be a chart's name (lowercase letters, digits and '-')" }).describe("The chart's name in that repository."),
    version: chartVersion.describe("The chart's version, exact (never a range)."),
  });

/** What a cluster's pods are found by: a namespace and labels. */
const podsIn = (whose: string) =>
  z.strictObject({
    namespace: dnsLabel.describe(`Namespace ${whose} run in.`),
    podLabels: labelMap("pod").describe(`Labels ${whose} carry: the NetworkPolicies select them by these.`),
  });

/** A control-plane service that Dapr sidecars dial: `name` and what a sidecar gets there. */
const daprControlPlaneService = (name: string, role: string) =>
  z.strictObject({
    podLabels: labelMap("pod").describe(`Labels the chart gives ${name}'s pods (its Service selects them by these). ${role}`),
    port: port.describe(`The port of ${name}'s pods, not its Service's: NetworkPolicies see traffic after Service translation.`),
  });

const cpuMemory = (which: string) =>
  z.strictObject({
    cpu: quantity.describe(`CPU ${which}.`),
    memory: quantity.describe(`Memory ${which}.`),
  });

/**
 * Every fact is required (none has a default: a cluster file states them
 * all), and each has its `.describe()`, from which
 * README's "Cluster facts reference" is generated (settings/reference.ts).
 */
export const clusterFactsSchema = z.strictObject({
  name: dnsLabel.describe("Short name, used in messages and as the Argo CD destination's name: the name of its directory, clusters/<name>/."),
  profile: z
    .string()
    .regex(PROFILE_NAME, { error: "must be a minikube profile name: letters, digits and '-', in labels joined by '.', at least 2 characters" })
    .describe("`minikube start --profile`; minikube names the kubectl context after it, and every command that reaches the cluster uses that context."),
  kubernetesVersion: z
    .string()
    .regex(/^v\d+\.\d+\.\d+$/, { error: "must be v<major>.<minor>.<patch>, e.g. v1.35.0 (minikube start --kubernetes-version, pinned)" })
    .describe('`minikube start --kubernetes-version`, pinned: "stable" or "latest" would change under the cluster.'),
  // minikube's minimumCPUS is 2 (cmd/minikube/cmd/start_flags.go).
  cpus: integer(2, 256, " (minikube start --cpus; minikube needs 2 at least)").describe("`minikube start --cpus`."),
  // minikube's minUsableMem is 1800 MiB: Kubernetes will not start with less.
  memoryMiB: integer(1800, 1_048_576, " MiB (minikube start --memory; Kubernetes will not start with less than 1800)").describe("`minikube start --memory`, in MiB."),
  addons: rule(z.array(z.string().regex(/^[a-z0-9][-a-z0-9]*$/, { error: "must be a minikube addon's name, e.g. ingress" })), (addons) =>
    addons.some((addon, i) => addons.indexOf(addon) !== i) ? "lists an addon twice" : undefined,
  ).describe("`minikube addons enable`, each."),
  /**
   * The network plugin. Minikube's default (bridge, or kindnet) ignores
   * NetworkPolicy, so the default-deny and every allow rule the generator
   * renders would do nothing on the cluster; this one enforces them.
   */
  cni: z.strictObject({
    name: z
      .enum(["calico", "cilium"], { error: "must be calico or cilium: minikube's network plugins that enforce NetworkPolicy (bridge and kindnet ignore it)" })
      .describe(
        "`minikube start --cni`: a network plugin that enforces NetworkPolicy (Minikube's default ignores it). Given when the profile is created: a profile keeps its CNI (another one needs `cluster:down -- --delete`).",
      ),
    daemonSet: z.strictObject({
      namespace: dnsLabel.describe("Namespace of the DaemonSet minikube deploys for the CNI."),
      name: dnsSubdomain("a DaemonSet's name").describe("The CNI's DaemonSet: present means the profile runs this CNI; rolled out means new pods get a network and their policies apply."),
    }),
  }),
  // cri-o is not supported: with it the ingress addon runs on the host network and the
  // NetworkPolicies that admit it by pod labels no longer match (clusters/minikube/profile.ts).
  containerRuntime: z
    .enum(["docker", "containerd"], {
      error: "must be docker or containerd: with cri-o the ingress addon runs on the host network, where the NetworkPolicies that admit it do not match",
    })
    .describe("`minikube start --container-runtime`, given when the profile is created (Minikube's default, stated so that it cannot drift); cri-o is not supported."),
  // Minikube's default pod CIDR (kubernetes/minikube pkg/minikube/cni/cni.go, DefaultPodCIDR), which kubeadm
  // gets as its podSubnet and Calico's manifest, with CALICO_IPV4POOL_CIDR unset (pkg/minikube/cni/calico.yaml), takes for its IP pool.
  podCIDR: rule(z.string(), (value) => {
    const range = parseCidr(value);
    if (!range) return "must be an IPv4 CIDR range (a.b.c.d/n)";
    return isNetworkAddress(range) ? undefined : "must be the network address of its range (no host bits set), e.g. 10.244.0.0/16";
  }).describe("The pods' address range (Minikube's default pod CIDR): a NodePort admits every source outside it."),
  storageClass: dnsSubdomain("a StorageClass's name").describe("StorageClass that provisions PersistentVolumes (Minikube's hostpath provisioner)."),
  ingressClass: dnsSubdomain("an IngressClass's name").describe("IngressClass served by the ingress addon."),
  ingressController: podsIn("the ingress controller's pods"),
  // For the DNS egress NetworkPolicy.
  dns: podsIn("the cluster DNS's pods"),
  allowedPullPolicies: z
    .array(z.enum(PULL_POLICIES))
    .min(1, { error: "must name at least one pull policy" })
    .describe("The image pull policies an environment may use: images are built straight into the node's image store (`npm run images`), so `Always` (a registry pull) can never succeed."),
  server: rule(z.string(), (value) => (urlOf(value)?.protocol === "https:" ? undefined : "must be the API server's https:// URL, e.g. https://kubernetes.default.svc")).describe(
    "The API server as Argo CD, running inside this cluster, addresses it.",
  ),
  argocdNamespace: dnsLabel.describe("Namespace Argo CD is installed in (argocd/install) and its Applications live in."),
  git: z.strictObject({
    repoURL: rule(z.string(), gitUrlProblem).describe("The Git repository Argo CD syncs from: your fork, never your working tree."),
    targetRevision: gitRevision.describe("The branch (or tag, or commit) of it Argo CD tracks."),
  }),
  dapr: z.strictObject({
    namespace: dnsLabel.describe("Namespace of the Dapr control plane Argo CD installs (argocd/apps/application-dapr.yaml)."),
    chart: helmChart("Dapr"),
    trustDomain: dnsSubdomain("a trust domain").describe("Trust domain of the control plane's identities (the chart's global.mtls.controlPlaneTrustDomain)."),
    mtls: z.strictObject({
      workloadCertTTL: z.string().regex(GO_DURATION, { error: "must be a duration, e.g. 24h or 90m" }).describe("How long Sentry's workload certificates last, cluster-wide (a Go duration: 24h)."),
      allowedClockSkew: z.string().regex(GO_DURATION, { error: "must be a duration, e.g. 15m" }).describe("The clock skew Sentry tolerates, cluster-wide (a Go duration: 15m)."),
    }),
    // What every sidecar connects to, from the chart's templates for this version.
    controlPlane: z.strictObject({
      sentry: daprControlPlaneService("Sentry", "The certificate authority: a sidecar gets its mTLS certificate there."),
      operator: daprControlPlaneService("the operator", "dapr-api: Components and Configurations, pushed to sidecars."),
      placement: daprControlPlaneService("placement", "Actor placement tables."),
      scheduler: daprControlPlaneService("the scheduler", "Jobs, reminders and workflows (on by default since 1.15)."),
    }),
  }),
  sealedSecrets: z.strictObject({
    namespace: dnsLabel.describe(
      "Namespace of the Sealed Secrets controller Argo CD installs (argocd/apps/application-sealed-secrets.yaml): its own, so that Pod Security can enforce `restricted` there (kube-system, kubeseal's default, also runs Minikube's privileged pods). `npm run seal` reads it from here; kubeseal needs `--controller-namespace`.",
    ),
    name: dnsLabel.describe("The controller's Deployment and Service (the chart's fullnameOverride)."),
    chart: z.strictObject({
      repoURL: rule(z.string(), gitUrlProblem).describe("The project's Git repository, which holds the official chart."),
      path: z
        .string()
        .regex(/^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[\w.-]+(\/[\w.-]+)*$/, { error: "must be a path inside the repository, e.g. helm/sealed-secrets" })
        .describe("The chart's directory in that repository."),
      targetRevision: gitRevision.describe("The release tag the chart is taken at."),
    }),
    version: z.string().regex(SEMVER, { error: "must be the controller's release, a semantic version, e.g. 0.40.0" }).describe("The controller release: its image tag, pinned independently of the chart's default."),
    image: z.strictObject({
      registry: z
        .string()
        .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d+)?$/, { error: "must be a registry's host[:port], e.g. docker.io" })
        .describe("The registry of the controller's image, stated rather than left to the chart's default."),
      repository: z
        .string()
        .regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/, { error: "must be a lowercase image path, e.g. bitnami/sealed-secrets-controller" })
        .describe("The controller image's repository in that registry."),
    }),
    // The chart's service-proxier RoleBinding binds every authenticated identity (`system:authenticated`) by default.
    proxySubjects: z
      .array(
        z.strictObject({
          apiGroup: z.literal("rbac.authorization.k8s.io", { error: 'must be "rbac.authorization.k8s.io" (the API group of a Group or User subject)' }),
          kind: z.enum(["Group", "User"]),
          name: z.string().min(1, { error: "must name the group or user" }),
        }),
      )
      .describe(
        "Who may reach the controller through the API server's service proxy, where `npm run seal` and `kubeseal --fetch-cert` read its certificate (the same route leads to /v1/verify and /v1/rotate): a group you grant on purpose, not the chart's default of every authenticated identity (cluster admins need no grant).",
      ),
  }),
  // The labels and ports are the release's own: the chart's templates (webhook) and the controller's source (HTTP-01 solver pods), at the pinned tag.
  certManager: z.strictObject({
    namespace: dnsLabel.describe("Namespace of cert-manager, which Argo CD installs while an environment serves TLS (argocd/apps/application-cert-manager.yaml)."),
    chart: helmChart("cert-manager"),
    webhook: z.strictObject({
      podLabels: labelMap("pod").describe("Labels of the webhook's pods, which the API server calls on every cert-manager object it admits (reached from the API server, never from an environment's pods)."),
      port: port.describe("The webhook pods' port (the chart's webhook.securePort)."),
    }),
    // pkg/apis/acme/v1/types.go SolverIdentificationLabelKey; pkg/issuer/acme/http/http.go acmeSolverListenPort;
    // the resources: internal/apis/config/controller/v1alpha1/defaults.go.
    http01Solver: z.strictObject({
      podLabels: labelMap("pod").describe("Labels of the pods cert-manager starts in an environment's namespace to answer an ACME HTTP-01 challenge."),
      port: port.describe("The port those pods listen on, which the ingress controller forwards the challenge to."),
      resources: z.strictObject({ requests: cpuMemory("the solver pods request (cert-manager's default)"), limits: cpuMemory("limit of the solver pods (cert-manager's default)") }),
    }),
  }),
});

type DeepReadonly<T> = T extends readonly (infer Item)[] ? readonly DeepReadonly<Item>[] : T extends object ? { readonly [Key in keyof T]: DeepReadonly<T[Key]> } : T;

/** A cluster's facts, as clusters/<name>/cluster.ts states them and the loader checks them. */
export type ClusterFacts = DeepReadonly<z.output<typeof clusterFactsSchema>>;
