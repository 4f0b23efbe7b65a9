/**
 * Facts about the Minikube cluster every environment deploys to.
 *
 * This is the only place these facts are written down: the generator, the
 * Argo CD Applications and the cluster scripts (`npm run cluster:*`) all read
 * them from here.
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
}

export const minikube: ClusterFacts = {
  name: "minikube",
  profile: "todo",
  kubernetesVersion: "v1.35.0",
  cpus: 4,
  memoryMiB: 8192,
  addons: ["ingress", "metrics-server"],
  storageClass: "standard",
  ingressClass: "nginx",
  ingressController: {
    namespace: "ingress-nginx",
    podLabels: {
      "app.kubernetes.io/name": "ingress-nginx",
      "app.kubernetes.io/component": "controller",
    },
  },
  dns: {
    namespace: "kube-system",
    podLabels: { "k8s-app": "kube-dns" },
  },
  allowedPullPolicies: ["Never", "IfNotPresent"],
  server: "https://kubernetes.default.svc",
  argocdNamespace: "argocd",
  git: {
    // Change this to your fork: Argo CD syncs whatever this URL serves.
    repoURL: "https://github.com/your-org/todo-gitops.git",
    targetRevision: "main",
  },
};
