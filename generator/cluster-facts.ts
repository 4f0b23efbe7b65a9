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
  /** Where kubeseal looks by default: `npm run seal` and kubeseal need no flags. */
  readonly namespace: string;
  /** The controller's Deployment and Service (the chart's fullnameOverride). */
  readonly name: string;
  /** The official chart, from the project's repository at the release tag. */
  readonly chart: { readonly repoURL: string; readonly path: string; readonly targetRevision: string };
  /** The controller image tag the chart runs, pinned independently of the chart's default. */
  readonly version: string;
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
  /** Where sidecars get their certificates: the dapr-sentry Service (port 443, to the pods' 50001). */
  readonly sentryAddress: string;
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
