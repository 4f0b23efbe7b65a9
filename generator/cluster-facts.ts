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
const helmChart = z.strictObject({
  repoURL: rule(z.string(), helmRepositoryProblem),
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: "must be a chart's name (lowercase letters, digits and '-')" }),
  version: chartVersion,
});

/** What a cluster's pods are found by: a namespace and labels. */
const podsIn = (what: string) => z.strictObject({ namespace: dnsLabel, podLabels: labelMap(what) });

/** A control-plane service that Dapr sidecars dial. */
const daprControlPlaneService = z.strictObject({
  /** Labels the chart gives the service's pods (its Service selects them by these). */
  podLabels: labelMap("pod"),
  /** The pods' port. NetworkPolicies see traffic after Service translation, so this, not the Service port. */
  port,
});

const cpuMemory = z.strictObject({ cpu: quantity, memory: quantity });

export const clusterFactsSchema = z.strictObject({
  /** Short name, used in messages and as the Argo CD destination's name: the name of its directory, clusters/<name>/. */
  name: dnsLabel,
  /** `minikube start --profile`; minikube names the kubectl context after it. */
  profile: z.string().regex(PROFILE_NAME, { error: "must be a minikube profile name: letters, digits and '-', in labels joined by '.', at least 2 characters" }),
  /** `minikube start --kubernetes-version`, pinned: "stable" or "latest" would change under the cluster. */
  kubernetesVersion: z.string().regex(/^v\d+\.\d+\.\d+$/, { error: "must be v<major>.<minor>.<patch>, e.g. v1.35.0 (minikube start --kubernetes-version, pinned)" }),
  /** `minikube start --cpus` (minikube's minimumCPUS is 2: cmd/minikube/cmd/start_flags.go). */
  cpus: integer(2, 256, " (minikube start --cpus; minikube needs 2 at least)"),
  /** `minikube start --memory`, in MiB (minikube's minUsableMem, 1800: Kubernetes will not start with less). */
  memoryMiB: integer(1800, 1_048_576, " MiB (minikube start --memory; Kubernetes will not start with less than 1800)"),
  /** `minikube addons enable`, each. */
  addons: rule(z.array(z.string().regex(/^[a-z0-9][-a-z0-9]*$/, { error: "must be a minikube addon's name, e.g. ingress" })), (addons) =>
    addons.some((addon, i) => addons.indexOf(addon) !== i) ? "lists an addon twice" : undefined,
  ),
  /**
   * The network plugin. Minikube's default (bridge, or kindnet) ignores
   * NetworkPolicy, so the default-deny and every allow rule the generator
   * renders would do nothing on the cluster; this one enforces them.
   */
  cni: z.strictObject({
    /**
     * `minikube start --cni`, given when the profile is created: a profile keeps
     * the CNI it was created with (another one needs `cluster:down -- --delete`).
     */
    name: z.enum(["calico", "cilium"], { error: "must be calico or cilium: minikube's network plugins that enforce NetworkPolicy (bridge and kindnet ignore it)" }),
    /**
     * The DaemonSet minikube deploys for it: present means the profile runs this
     * CNI; rolled out means new pods get a network and their policies apply.
     */
    daemonSet: z.strictObject({ namespace: dnsLabel, name: dnsSubdomain("a DaemonSet's name") }),
  }),
  /**
   * `minikube start --container-runtime`, given when the profile is created
   * (Minikube's default, stated so that it cannot drift). cri-o is not
   * supported: with it the ingress addon runs on the host network and the
   * NetworkPolicies that admit it by pod labels no longer match
   * (clusters/minikube/profile.ts).
   */
  containerRuntime: z.enum(["docker", "containerd"], {
    error: "must be docker or containerd: with cri-o the ingress addon runs on the host network, where the NetworkPolicies that admit it do not match",
  }),
  /**
   * The pods' address range: Minikube's default pod CIDR
   * (kubernetes/minikube pkg/minikube/cni/cni.go, DefaultPodCIDR), which
   * kubeadm gets as its podSubnet and Calico's manifest, with
   * CALICO_IPV4POOL_CIDR unset (pkg/minikube/cni/calico.yaml), takes for its
   * IP pool. A NodePort admits every source outside it (network-policies.ts).
   */
  podCIDR: rule(z.string(), (value) => {
    const range = parseCidr(value);
    if (!range) return "must be an IPv4 CIDR range (a.b.c.d/n)";
    return isNetworkAddress(range) ? undefined : "must be the network address of its range (no host bits set), e.g. 10.244.0.0/16";
  }),
  /** StorageClass that provisions PersistentVolumes (Minikube's hostpath provisioner). */
  storageClass: dnsSubdomain("a StorageClass's name"),
  /** IngressClass served by the ingress addon. */
  ingressClass: dnsSubdomain("an IngressClass's name"),
  /** Where the ingress controller's pods run, for NetworkPolicies that admit them. */
  ingressController: podsIn("pod"),
  /** Where cluster DNS runs, for the DNS egress NetworkPolicy. */
  dns: podsIn("pod"),
  /**
   * Images are built straight into the node's image store (`npm run images`),
   * so a policy that forces a registry pull (`Always`) can never succeed.
   */
  allowedPullPolicies: z.array(z.enum(PULL_POLICIES)).min(1, { error: "must name at least one pull policy" }),
  /** The API server as Argo CD, running inside this cluster, addresses it. */
  server: rule(z.string(), (value) => (urlOf(value)?.protocol === "https:" ? undefined : "must be the API server's https:// URL, e.g. https://kubernetes.default.svc")),
  /** Namespace Argo CD is installed in (argocd/install) and its Applications live in. */
  argocdNamespace: dnsLabel,
  /** The Git repository Argo CD syncs from, and the revision it tracks. */
  git: z.strictObject({ repoURL: rule(z.string(), gitUrlProblem), targetRevision: gitRevision }),
  /** The Dapr control plane Argo CD installs from its Helm chart (argocd/apps/application-dapr.yaml). */
  dapr: z.strictObject({
    namespace: dnsLabel,
    /** The official chart, pinned. */
    chart: helmChart,
    /** Trust domain of the control plane's identities (the chart's global.mtls.controlPlaneTrustDomain). */
    trustDomain: dnsSubdomain("a trust domain"),
    /** Sentry issues workload certificates for this long and tolerates this much clock skew, cluster-wide. */
    mtls: z.strictObject({
      workloadCertTTL: z.string().regex(GO_DURATION, { error: "must be a duration, e.g. 24h or 90m" }),
      allowedClockSkew: z.string().regex(GO_DURATION, { error: "must be a duration, e.g. 15m" }),
    }),
    /** What every sidecar connects to, from the chart's templates for this version. */
    controlPlane: z.strictObject({
      /** Certificate authority: a sidecar gets its mTLS certificate here. */
      sentry: daprControlPlaneService,
      /** dapr-api: Components and Configurations, pushed to sidecars. */
      operator: daprControlPlaneService,
      /** Actor placement tables. */
      placement: daprControlPlaneService,
      /** Jobs, reminders and workflows (on by default since 1.15). */
      scheduler: daprControlPlaneService,
    }),
  }),
  /** The Sealed Secrets controller Argo CD installs (argocd/apps/application-sealed-secrets.yaml). */
  sealedSecrets: z.strictObject({
    /**
     * A namespace of its own, so that Pod Security can enforce `restricted`
     * there (kube-system, kubeseal's default, also runs Minikube's privileged
     * pods). `npm run seal` reads it from here; kubeseal needs
     * `--controller-namespace`.
     */
    namespace: dnsLabel,
    /** The controller's Deployment and Service (the chart's fullnameOverride). */
    name: dnsLabel,
    /** The official chart, from the project's repository at the release tag. */
    chart: z.strictObject({
      repoURL: rule(z.string(), gitUrlProblem),
      path: z.string().regex(/^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[\w.-]+(\/[\w.-]+)*$/, { error: "must be a path inside the repository, e.g. helm/sealed-secrets" }),
      targetRevision: gitRevision,
    }),
    /** The controller release: its image tag, pinned independently of the chart's default. */
    version: z.string().regex(SEMVER, { error: "must be the controller's release, a semantic version, e.g. 0.40.0" }),
    /** Where that image comes from, stated rather than left to the chart's default. */
    image: z.strictObject({
      registry: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d+)?$/, { error: "must be a registry's host[:port], e.g. docker.io" }),
      repository: z.string().regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/, { error: "must be a lowercase image path, e.g. bitnami/sealed-secrets-controller" }),
    }),
    /**
     * Who may reach the controller through the API server's service proxy
     * (the chart's service-proxier RoleBinding): `npm run seal` and
     * `kubeseal --fetch-cert` read its certificate there, and the same route
     * leads to /v1/verify and /v1/rotate. The chart binds every authenticated
     * identity (`system:authenticated`) by default; here a group you grant on
     * purpose (cluster admins need no grant).
     */
    proxySubjects: z.array(
      z.strictObject({
        apiGroup: z.literal("rbac.authorization.k8s.io", { error: 'must be "rbac.authorization.k8s.io" (the API group of a Group or User subject)' }),
        kind: z.enum(["Group", "User"]),
        name: z.string().min(1, { error: "must name the group or user" }),
      }),
    ),
  }),
  /**
   * cert-manager, which Argo CD installs from its official chart while an
   * environment serves TLS (argocd/apps/application-cert-manager.yaml). The
   * labels and ports are the release's own: the chart's templates (webhook)
   * and the controller's source (HTTP-01 solver pods), at the pinned tag.
   */
  certManager: z.strictObject({
    namespace: dnsLabel,
    /** The official chart; its versions are the release tags (`v1.21.1`). */
    chart: helmChart,
    /**
     * The webhook the API server calls on every cert-manager object it admits
     * (the chart's webhook.securePort): cert-manager's own namespace, reached
     * from the API server, never from an environment's pods.
     */
    webhook: z.strictObject({ podLabels: labelMap("pod"), port }),
    /**
     * The pods cert-manager starts in an environment's namespace to answer an
     * ACME HTTP-01 challenge, which the ingress controller forwards to
     * (pkg/apis/acme/v1/types.go SolverIdentificationLabelKey;
     * pkg/issuer/acme/http/http.go acmeSolverListenPort), and the resources the
     * controller gives them by default (internal/apis/config/controller/v1alpha1/defaults.go).
     */
    http01Solver: z.strictObject({ podLabels: labelMap("pod"), port, resources: z.strictObject({ requests: cpuMemory, limits: cpuMemory }) }),
  }),
});

type DeepReadonly<T> = T extends readonly (infer Item)[] ? readonly DeepReadonly<Item>[] : T extends object ? { readonly [Key in keyof T]: DeepReadonly<T[Key]> } : T;

/** A cluster's facts, as clusters/<name>/cluster.ts states them and the loader checks them. */
export type ClusterFacts = DeepReadonly<z.output<typeof clusterFactsSchema>>;
