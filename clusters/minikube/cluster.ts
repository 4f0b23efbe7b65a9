/**
 * Facts about the Minikube cluster every environment deploys to.
 *
 * This is the only place these facts are written down: the generator, the
 * Argo CD Applications and the cluster scripts (`npm run cluster:*`) all read
 * them from here. Their type belongs to the generator (generator/cluster-facts.ts),
 * whose core never imports this file: the facts are passed to it as values.
 */
import type { ClusterFacts } from "../../generator/cluster-facts.ts";

/** The Sealed Secrets release: the controller image, and the chart at the same git tag. */
const SEALED_SECRETS_VERSION = "0.36.6";

export const minikube: ClusterFacts = {
  name: "minikube",
  profile: "todo",
  kubernetesVersion: "v1.35.0",
  cpus: 4,
  memoryMiB: 8192,
  addons: ["ingress", "metrics-server"],
  cni: { name: "calico", daemonSet: { namespace: "kube-system", name: "calico-node" } },
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
    sentryAddress: "dapr-sentry.dapr-system.svc.cluster.local:443",
    mtls: { workloadCertTTL: "24h", allowedClockSkew: "15m" },
    controlPlane: {
      sentry: { podLabels: { app: "dapr-sentry" }, port: 50001 },
      operator: { podLabels: { app: "dapr-operator" }, port: 6500 },
      placement: { podLabels: { app: "dapr-placement-server" }, port: 50005 },
      scheduler: { podLabels: { app: "dapr-scheduler-server" }, port: 50006 },
    },
  },
  sealedSecrets: {
    namespace: "kube-system",
    name: "sealed-secrets-controller",
    chart: { repoURL: "https://github.com/bitnami-labs/sealed-secrets.git", path: "helm/sealed-secrets", targetRevision: `v${SEALED_SECRETS_VERSION}` },
    version: SEALED_SECRETS_VERSION,
  },
};

/** What the loader reads (generator/load/environments.ts): environments name this cluster with `delivery: { cluster: "minikube" }`. */
export default minikube;
