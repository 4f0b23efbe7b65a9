/**
 * What the generator needs to know about the cluster an environment runs on.
 * The facts themselves live with each cluster (clusters/<name>/cluster.ts);
 * the generator's core only sees them as values of this type, passed in.
 */

export type PullPolicy = "Always" | "IfNotPresent" | "Never";

export interface ClusterFacts {
  /** Short name, used in messages and as the Argo CD destination's name. */
  readonly name: string;
  /** `minikube start --profile`. */
  readonly profile: string;
  /** `minikube start --kubernetes-version`. */
  readonly kubernetesVersion: string;
  readonly cpus: number;
  /** `minikube start --memory`, in MiB. */
  readonly memoryMiB: number;
  readonly addons: readonly string[];
  /**
   * The network plugin. Minikube's default (bridge, or kindnet) ignores
   * NetworkPolicy, so the default-deny and every allow rule the generator
   * renders would do nothing on the cluster; this one enforces them.
   */
  readonly cni: PolicyEnforcingCni;
  /**
   * `minikube start --container-runtime`, given when the profile is created
   * (Minikube's default, stated so that it cannot drift). cri-o is not
   * supported: with it the ingress addon runs on the host network and the
   * NetworkPolicies that admit it by pod labels no longer match
   * (clusters/minikube/profile.ts).
   */
  readonly containerRuntime: "docker" | "containerd";
  /**
   * The pods' address range: Minikube's default pod CIDR
   * (kubernetes/minikube pkg/minikube/cni/cni.go, DefaultPodCIDR), which
   * kubeadm gets as its podSubnet and Calico's manifest, with
   * CALICO_IPV4POOL_CIDR unset (pkg/minikube/cni/calico.yaml), takes for its
   * IP pool. A NodePort admits every source outside it (network-policies.ts).
   */
  readonly podCIDR: string;
  /** StorageClass that provisions PersistentVolumes (Minikube's hostpath provisioner). */
  readonly storageClass: string;
  /** IngressClass served by the ingress addon. */
  readonly ingressClass: string;
  /** Where the ingress controller's pods run, for NetworkPolicies that admit them. */
  readonly ingressController: {
    readonly namespace: string;
    readonly podLabels: Readonly<Record<string, string>>;
  };
  /** Where cluster DNS runs, for the DNS egress NetworkPolicy. */
  readonly dns: {
    readonly namespace: string;
    readonly podLabels: Readonly<Record<string, string>>;
  };
  /**
   * Images are built straight into the node's image store (`npm run images`),
   * so a policy that forces a registry pull (`Always`) can never succeed.
   */
  readonly allowedPullPolicies: readonly PullPolicy[];
  /** The API server as Argo CD, running inside this cluster, addresses it. */
  readonly server: string;
  /** Namespace Argo CD is installed in (argocd/install) and its Applications live in. */
  readonly argocdNamespace: string;
  /** The Git repository Argo CD syncs from, and the revision it tracks. */
  readonly git: {
    readonly repoURL: string;
    readonly targetRevision: string;
  };
  /** The Dapr control plane Argo CD installs from its Helm chart (argocd/apps/application-dapr.yaml). */
  readonly dapr: DaprControlPlane;
  /** The Sealed Secrets controller Argo CD installs (argocd/apps/application-sealed-secrets.yaml). */
  readonly sealedSecrets: SealedSecretsController;
  /** cert-manager, which Argo CD installs while an environment serves TLS (argocd/apps/application-cert-manager.yaml). */
  readonly certManager: CertManagerControlPlane;
}

/**
 * cert-manager, from its official chart. The labels and ports are the
 * release's own: the chart's templates (webhook) and the controller's
 * source (HTTP-01 solver pods), at the pinned tag.
 */
export interface CertManagerControlPlane {
  readonly namespace: string;
  /** The official chart; its versions are the release tags (`v1.21.1`). */
  readonly chart: { readonly repoURL: string; readonly name: string; readonly version: string };
  /**
   * The webhook the API server calls on every cert-manager object it admits
   * (the chart's webhook.securePort): cert-manager's own namespace, reached
   * from the API server, never from an environment's pods.
   */
  readonly webhook: { readonly podLabels: Readonly<Record<string, string>>; readonly port: number };
  /**
   * The pods cert-manager starts in an environment's namespace to answer an
   * ACME HTTP-01 challenge, which the ingress controller forwards to
   * (pkg/apis/acme/v1/types.go SolverIdentificationLabelKey;
   * pkg/issuer/acme/http/http.go acmeSolverListenPort), and the resources the
   * controller gives them by default (internal/apis/config/controller/v1alpha1/defaults.go).
   */
  readonly http01Solver: {
    readonly podLabels: Readonly<Record<string, string>>;
    readonly port: number;
    readonly resources: { readonly requests: { cpu: string; memory: string }; readonly limits: { cpu: string; memory: string } };
  };
}

/** One of minikube's built-in CNI plugins that enforce NetworkPolicy. */
export interface PolicyEnforcingCni {
  /**
   * `minikube start --cni`, given when the profile is created: a profile keeps
   * the CNI it was created with (another one needs `cluster:down -- --delete`).
   */
  readonly name: "calico" | "cilium";
  /**
   * The DaemonSet minikube deploys for it: present means the profile runs this
   * CNI; rolled out means new pods get a network and their policies apply.
   */
  readonly daemonSet: { readonly namespace: string; readonly name: string };
}

export interface SealedSecretsController {
  /**
   * A namespace of its own, so that Pod Security can enforce `restricted`
   * there (kube-system, kubeseal's default, also runs Minikube's privileged
   * pods). `npm run seal` reads it from here; kubeseal needs
   * `--controller-namespace`.
   */
  readonly namespace: string;
  /** The controller's Deployment and Service (the chart's fullnameOverride). */
  readonly name: string;
  /** The official chart, from the project's repository at the release tag. */
  readonly chart: { readonly repoURL: string; readonly path: string; readonly targetRevision: string };
  /** The controller release: its image tag, pinned independently of the chart's default. */
  readonly version: string;
  /** Where that image comes from, stated rather than left to the chart's default. */
  readonly image: { readonly registry: string; readonly repository: string };
  /**
   * Who may reach the controller through the API server's service proxy
   * (the chart's service-proxier RoleBinding): `npm run seal` and
   * `kubeseal --fetch-cert` read its certificate there, and the same route
   * leads to /v1/verify and /v1/rotate. The chart binds every authenticated
   * identity (`system:authenticated`) by default; here a group you grant on
   * purpose (cluster admins need no grant).
   */
  readonly proxySubjects: readonly { readonly apiGroup: string; readonly kind: "Group" | "User"; readonly name: string }[];
}

/** A control-plane service that Dapr sidecars dial. */
export interface DaprControlPlaneService {
  /** Labels the chart gives the service's pods (its Service selects them by these). */
  readonly podLabels: Readonly<Record<string, string>>;
  /** The pods' port. NetworkPolicies see traffic after Service translation, so this, not the Service port. */
  readonly port: number;
}

export interface DaprControlPlane {
  readonly namespace: string;
  /** The official chart, pinned. */
  readonly chart: { readonly repoURL: string; readonly name: string; readonly version: string };
  /** Trust domain of the control plane's identities (the chart's global.mtls.controlPlaneTrustDomain). */
  readonly trustDomain: string;
  /** Sentry issues workload certificates for this long and tolerates this much clock skew, cluster-wide. */
  readonly mtls: { readonly workloadCertTTL: string; readonly allowedClockSkew: string };
  /** What every sidecar connects to, from the chart's templates for this version. */
  readonly controlPlane: {
    /** Certificate authority: a sidecar gets its mTLS certificate here. */
    readonly sentry: DaprControlPlaneService;
    /** dapr-api: Components and Configurations, pushed to sidecars. */
    readonly operator: DaprControlPlaneService;
    /** Actor placement tables. */
    readonly placement: DaprControlPlaneService;
    /** Jobs, reminders and workflows (on by default since 1.15). */
    readonly scheduler: DaprControlPlaneService;
  };
}
