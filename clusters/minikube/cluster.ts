/**
 * Facts about the Minikube cluster every environment deploys to.
 *
 * This is the only place these facts are written down: the generator, the
 * Argo CD Applications and the cluster scripts (`npm run cluster:*`) all read
 * them from here. Their type belongs to the generator (generator/cluster-facts.ts),
 * whose core never imports this file: the facts are passed to it as values.
 */
import type { ClusterFacts } from "../../generator/cluster-facts.ts";

/**
 * The Sealed Secrets release: the controller image, and the chart at the same
 * git tag. v0.40.0 is the first release with both fixes for the one-bit
 * decryption oracles: /v1/verify (PR #2019, first in v0.39.0) and /v1/rotate
 * (PR #2049, "[Security] Stop /v1/rotate from acting as a decryption oracle",
 * RELEASE-NOTES.md "## v0.40.0"). It is pinned rather than a later v0.41.x
 * because it can be checked: its release notes name both fixes, and other
 * public repositories run docker.io/bitnami/sealed-secrets-controller:0.40.0
 * (the image upstream's controller.yaml names), while no source we could read
 * shows a v0.41.x image or release notes, the pattern of the incomplete
 * releases v0.36.2–v0.36.6.
 */
const SEALED_SECRETS_VERSION = "0.40.0";

export const minikube: ClusterFacts = {
  name: "minikube",
  profile: "todo",
  kubernetesVersion: "v1.35.0",
  cpus: 4,
  memoryMiB: 8192,
  addons: ["ingress", "metrics-server"],
  cni: { name: "calico", daemonSet: { namespace: "kube-system", name: "calico-node" } },
  containerRuntime: "docker",
  podCIDR: "10.244.0.0/16",
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
  dapr: {
    namespace: "dapr-system",
    chart: { repoURL: "https://dapr.github.io/helm-charts/", name: "dapr", version: "1.16.19" },
    trustDomain: "cluster.local",
    mtls: { workloadCertTTL: "24h", allowedClockSkew: "15m" },
    controlPlane: {
      sentry: { podLabels: { app: "dapr-sentry" }, port: 50001 },
      operator: { podLabels: { app: "dapr-operator" }, port: 6500 },
      placement: { podLabels: { app: "dapr-placement-server" }, port: 50005 },
      scheduler: { podLabels: { app: "dapr-scheduler-server" }, port: 50006 },
    },
  },
  sealedSecrets: {
    namespace: "sealed-secrets",
    name: "sealed-secrets-controller",
    // The project moved from bitnami-labs to the bitnami organisation on 2026-06-15 (bitnami/sealed-secrets#1982).
    chart: { repoURL: "https://github.com/bitnami/sealed-secrets.git", path: "helm/sealed-secrets", targetRevision: `v${SEALED_SECRETS_VERSION}` },
    version: SEALED_SECRETS_VERSION,
    // The chart's own default registry and repository (helm/sealed-secrets/values.yaml, image.*).
    image: { registry: "docker.io", repository: "bitnami/sealed-secrets-controller" },
    proxySubjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "sealed-secrets:certificate-readers" }],
  },
  certManager: {
    namespace: "cert-manager",
    chart: { repoURL: "https://charts.jetstack.io", name: "cert-manager", version: "v1.21.1" },
    webhook: {
      podLabels: { "app.kubernetes.io/name": "webhook", "app.kubernetes.io/instance": "cert-manager", "app.kubernetes.io/component": "webhook" },
      port: 10250,
    },
    http01Solver: {
      podLabels: { "acme.cert-manager.io/http01-solver": "true" },
      port: 8089,
      resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
    },
  },
};

/** What the loader reads (generator/load/environments.ts): environments name this cluster with `delivery: { cluster: "minikube" }`. */
export default minikube;
