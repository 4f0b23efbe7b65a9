/**
 * Argo CD's view of this repository:
 *
 *   argocd/bootstrap/  applied once by `npm run cluster:up`: the `platform`
 *                      AppProject and the root Application (app of apps).
 *   argocd/apps/       synced by the root Application: the `todo` AppProject
 *                      and one Application per environment, and each control
 *                      plane (Sealed Secrets, Dapr) with a project of its own.
 */
import type { IAppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { ClusterFacts } from "../cluster-facts.ts";
import type { KubeObject } from "../kube-object.ts";
import { recommendedLabels } from "../lib/labels.ts";
import { byCodePoint } from "../lib/order.ts";
import { SYNC_WAVE_ANNOTATION } from "../lib/sync-waves.ts";
import type { Settings } from "../settings.ts";
import { GENERATOR_VERSION } from "../version.ts";
import { BACKEND } from "./backend.ts";
import { FRONTEND } from "./frontend.ts";

export const ARGOCD_APPS_DIR = "argocd/apps";
export const ARGOCD_BOOTSTRAP_DIR = "argocd/bootstrap";
export const APP_PROJECT = "todo";
export const PLATFORM_PROJECT = "platform";
export const ROOT_APPLICATION = "root";
export const DAPR_APPLICATION = "dapr";
export const SEALED_SECRETS_APPLICATION = "sealed-secrets";

/**
 * Waves of the root Application's children: projects, then the control
 * planes (and so their CRDs), then the environments. The root waits for each
 * wave to be Healthy because argocd-cm adds a health check for Applications
 * (argocd/install/application-health.lua). An environment synced by hand
 * ahead of its control plane is covered by SkipDryRunOnMissingResource on
 * the Dapr objects and by the sync retry.
 */
const PROJECT_WAVE = "-1";
const CONTROL_PLANE_WAVE = "0";
const ENVIRONMENT_WAVE = "1";

/** Deleting an Application deletes what it deployed (Namespace and PVC excepted: they are marked Delete=false). */
const RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io";

function argoLabels(name: string, component: string, partOf: string) {
  return recommendedLabels({ name, instance: name, version: GENERATOR_VERSION, component, partOf });
}

const retry = { limit: 5, backoff: { duration: "5s", factor: 2, maxDuration: "3m" } };

/** The Deployments an HPA scales: their replica count belongs to the HPA. */
function hpaOwnedReplicas(settings: Settings): NonNullable<IApplication["spec"]>["ignoreDifferences"] {
  return [FRONTEND, BACKEND]
    .filter((who) => settings[who.component as "frontend" | "backend"].autoscaling.enabled)
    .map((who) => ({ group: "apps", kind: "Deployment", name: who.name, jsonPointers: ["/spec/replicas"] }));
}

export function environmentApplication(settings: Settings): IApplication {
  const { cluster } = settings;
  const ignoreDifferences = hpaOwnedReplicas(settings) ?? [];
  // delivery.sync: prod is synced by hand, which keeps the UI's History and Rollback
  // available (Argo CD refuses a rollback while automated sync is on).
  const automated = settings.delivery.sync === "automated";
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: `todo-${settings.name}`,
      namespace: cluster.argocdNamespace,
      labels: argoLabels(`todo-${settings.name}`, "application", settings.partOf),
      annotations: { [SYNC_WAVE_ANNOTATION]: ENVIRONMENT_WAVE },
      finalizers: [RESOURCES_FINALIZER],
    },
    spec: {
      project: APP_PROJECT,
      source: {
        repoURL: cluster.git.repoURL,
        targetRevision: cluster.git.targetRevision,
        path: `manifests/${settings.name}`,
        directory: { recurse: true },
      },
      destination: { server: cluster.server, namespace: settings.namespace },
      syncPolicy: {
        ...(automated ? { automated: { prune: true, selfHeal: true } } : {}),
        syncOptions: [
          // The Namespace is rendered (with its Pod Security labels); Argo CD must not invent one.
          "CreateNamespace=false",
          // Deletions wait until everything new is healthy.
          "PruneLast=true",
          "ApplyOutOfSyncOnly=true",
          ...(ignoreDifferences.length ? ["RespectIgnoreDifferences=true"] : []),
        ],
        retry,
      },
      ...(ignoreDifferences.length ? { ignoreDifferences } : {}),
      revisionHistoryLimit: 10,
      info: [
        { name: "Environment", value: settings.name },
        { name: "Sync", value: automated ? "automated (prune, self-heal)" : "manual: sync and roll back from the UI" },
      ],
    },
  };
}

/** Group and kind of each object, as AppProject whitelists spell them. */
function groupKinds(objects: KubeObject[]): { group: string; kind: string }[] {
  const seen = new Map<string, { group: string; kind: string }>();
  for (const { apiVersion, kind } of objects) {
    const group = apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
    seen.set(`${group}/${kind}`, { group, kind });
  }
  return [...seen.values()].sort((a, b) => byCodePoint(`${a.group}/${a.kind}`, `${b.group}/${b.kind}`));
}

/**
 * The `todo` project: this repository only, the todo-* namespaces only, the
 * Namespace as the only cluster-scoped kind, and exactly the namespaced
 * kinds the environments render.
 */
export function appProject(cluster: ClusterFacts, partOf: string, rendered: KubeObject[]): IAppProject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: {
      name: APP_PROJECT,
      namespace: cluster.argocdNamespace,
      labels: argoLabels(APP_PROJECT, "project", partOf),
      annotations: { [SYNC_WAVE_ANNOTATION]: PROJECT_WAVE },
    },
    spec: {
      description: "The Todo chatbot's environments, rendered into manifests/ by the generator.",
      sourceRepos: [cluster.git.repoURL],
      destinations: [{ server: cluster.server, namespace: "todo-*" }],
      clusterResourceWhitelist: [{ group: "", kind: "Namespace" }],
      namespaceResourceWhitelist: groupKinds(rendered.filter((object) => object.kind !== "Namespace")),
    },
  };
}

/**
 * What the Dapr chart installs, from its templates (1.16): the CRDs, the
 * control plane's cluster RBAC and the injector's mutating webhook
 * cluster-wide, and (the Namespace aside, created by CreateNamespace) its
 * workloads and their configuration in dapr-system.
 */
const DAPR_CLUSTER_KINDS = [
  { group: "", kind: "Namespace" },
  { group: "admissionregistration.k8s.io", kind: "MutatingWebhookConfiguration" },
  { group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" },
  { group: "rbac.authorization.k8s.io", kind: "ClusterRole" },
  { group: "rbac.authorization.k8s.io", kind: "ClusterRoleBinding" },
];
const DAPR_NAMESPACED_KINDS = [
  { group: "", kind: "ConfigMap" },
  { group: "", kind: "Secret" },
  { group: "", kind: "Service" },
  { group: "", kind: "ServiceAccount" },
  { group: "apps", kind: "Deployment" },
  { group: "apps", kind: "StatefulSet" },
  { group: "dapr.io", kind: "Configuration" },
  { group: "policy", kind: "PodDisruptionBudget" },
  { group: "rbac.authorization.k8s.io", kind: "Role" },
  { group: "rbac.authorization.k8s.io", kind: "RoleBinding" },
];

type GroupKind = { group: string; kind: string };

/** A control plane installed from its upstream chart: its project admits that chart, its namespace and its kinds, nothing else. */
interface ControlPlane {
  name: string;
  description: string;
  repoURL: string;
  namespace: string;
  clusterKinds: GroupKind[];
  namespacedKinds: GroupKind[];
}

function controlPlaneProject(cluster: ClusterFacts, partOf: string, plane: ControlPlane): IAppProject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: {
      name: plane.name,
      namespace: cluster.argocdNamespace,
      labels: argoLabels(plane.name, "project", partOf),
      annotations: { [SYNC_WAVE_ANNOTATION]: PROJECT_WAVE },
    },
    spec: {
      description: plane.description,
      sourceRepos: [plane.repoURL],
      destinations: [{ server: cluster.server, namespace: plane.namespace }],
      clusterResourceWhitelist: plane.clusterKinds,
      namespaceResourceWhitelist: plane.namespacedKinds,
    },
  };
}

/**
 * The chart's values: mTLS as the cluster facts say, and every injected
 * sidecar admitted by the restricted Pod Security Standard (the injector
 * drops ALL capabilities only when asked; the pods' annotations add the
 * seccomp profile).
 */
export function daprValues(cluster: ClusterFacts): Record<string, unknown> {
  const { dapr } = cluster;
  return {
    global: {
      ha: { enabled: false },
      seccompProfile: "RuntimeDefault",
      mtls: {
        enabled: true,
        workloadCertTTL: dapr.mtls.workloadCertTTL,
        allowedClockSkew: dapr.mtls.allowedClockSkew,
        controlPlaneTrustDomain: dapr.trustDomain,
      },
    },
    dapr_sidecar_injector: {
      sidecarRunAsNonRoot: true,
      sidecarReadOnlyRootFilesystem: true,
      sidecarDropALLCapabilities: true,
    },
    // Its default is a Role in the `default` namespace, which nothing here uses.
    dapr_rbac: { secretReader: { enabled: false } },
  };
}

/**
 * The Dapr control plane, from the official chart, pinned. No resources
 * finalizer: deleting this Application must not delete the CRDs, and with
 * them every Component and Configuration in every namespace.
 */
export function daprApplication(cluster: ClusterFacts, partOf: string): IApplication {
  const { dapr } = cluster;
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: DAPR_APPLICATION,
      namespace: cluster.argocdNamespace,
      labels: argoLabels(DAPR_APPLICATION, "application", partOf),
      annotations: { [SYNC_WAVE_ANNOTATION]: CONTROL_PLANE_WAVE },
    },
    spec: {
      project: DAPR_APPLICATION,
      source: {
        repoURL: dapr.chart.repoURL,
        chart: dapr.chart.name,
        targetRevision: dapr.chart.version,
        helm: { releaseName: DAPR_APPLICATION, valuesObject: daprValues(cluster) },
      },
      destination: { server: cluster.server, namespace: dapr.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: [
          "CreateNamespace=true",
          // The CRDs are too large for client-side apply's last-applied annotation.
          "ServerSideApply=true",
          // Self-heal must not undo what the control plane writes at run time (below).
          "RespectIgnoreDifferences=true",
        ],
        retry,
      },
      // Sentry fills the trust bundle it generates; the injector and the operator patch their CA bundles in.
      ignoreDifferences: [
        { group: "", kind: "Secret", name: "dapr-trust-bundle", namespace: dapr.namespace, jsonPointers: ["/data"] },
        { group: "", kind: "ConfigMap", name: "dapr-trust-bundle", namespace: dapr.namespace, jsonPointers: ["/data"] },
        {
          group: "admissionregistration.k8s.io",
          kind: "MutatingWebhookConfiguration",
          name: "dapr-sidecar-injector",
          jqPathExpressions: [".webhooks[]?.clientConfig.caBundle"],
        },
        {
          group: "apiextensions.k8s.io",
          kind: "CustomResourceDefinition",
          name: "subscriptions.dapr.io",
          jsonPointers: ["/spec/conversion/webhook/clientConfig/caBundle"],
        },
      ],
      revisionHistoryLimit: 10,
      info: [{ name: "Dapr", value: `control plane ${dapr.chart.version}, for the environments with dapr.enabled` }],
    },
  };
}

/** Bootstrap: the project the root Application lives in, and the root itself. */
export function bootstrap(cluster: ClusterFacts, partOf: string): KubeObject[] {
  const project: IAppProject = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: {
      name: PLATFORM_PROJECT,
      namespace: cluster.argocdNamespace,
      labels: argoLabels(PLATFORM_PROJECT, "project", partOf),
    },
    spec: {
      description: "Argo CD's own objects: AppProjects and Applications, from this repository.",
      sourceRepos: [cluster.git.repoURL],
      destinations: [{ server: cluster.server, namespace: cluster.argocdNamespace }],
      namespaceResourceWhitelist: [
        { group: "argoproj.io", kind: "AppProject" },
        { group: "argoproj.io", kind: "Application" },
      ],
    },
  };
  const root: IApplication = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: ROOT_APPLICATION,
      namespace: cluster.argocdNamespace,
      labels: argoLabels(ROOT_APPLICATION, "application", partOf),
    },
    spec: {
      project: PLATFORM_PROJECT,
      source: {
        repoURL: cluster.git.repoURL,
        targetRevision: cluster.git.targetRevision,
        path: ARGOCD_APPS_DIR,
        directory: { recurse: true },
      },
      destination: { server: cluster.server, namespace: cluster.argocdNamespace },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ["PruneLast=true"], retry },
      revisionHistoryLimit: 10,
    },
  };
  return [project, root];
}

const daprControlPlane = (cluster: ClusterFacts): ControlPlane => ({
  name: DAPR_APPLICATION,
  description: "The Dapr control plane, from its official chart, in its own namespace.",
  repoURL: cluster.dapr.chart.repoURL,
  namespace: cluster.dapr.namespace,
  clusterKinds: DAPR_CLUSTER_KINDS,
  namespacedKinds: DAPR_NAMESPACED_KINDS,
});

/** What the Sealed Secrets chart installs with its default values (templates and crds/). */
const sealedSecretsControlPlane = (cluster: ClusterFacts): ControlPlane => ({
  name: SEALED_SECRETS_APPLICATION,
  description: "The Sealed Secrets controller, from its official chart at the release tag.",
  repoURL: cluster.sealedSecrets.chart.repoURL,
  namespace: cluster.sealedSecrets.namespace,
  clusterKinds: [
    { group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" },
    { group: "rbac.authorization.k8s.io", kind: "ClusterRole" },
    { group: "rbac.authorization.k8s.io", kind: "ClusterRoleBinding" },
  ],
  namespacedKinds: [
    { group: "", kind: "Service" },
    { group: "", kind: "ServiceAccount" },
    { group: "apps", kind: "Deployment" },
    { group: "rbac.authorization.k8s.io", kind: "Role" },
    { group: "rbac.authorization.k8s.io", kind: "RoleBinding" },
  ],
});

/**
 * The Sealed Secrets controller, always installed: `npm run seal` fetches its
 * certificate, and an environment's SealedSecrets need its CRD. No resources
 * finalizer: deleting this Application must not delete the CRD, which would
 * delete every SealedSecret and, through them, every Secret it created.
 */
export function sealedSecretsApplication(cluster: ClusterFacts, partOf: string): IApplication {
  const controller = cluster.sealedSecrets;
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: SEALED_SECRETS_APPLICATION,
      namespace: cluster.argocdNamespace,
      labels: argoLabels(SEALED_SECRETS_APPLICATION, "application", partOf),
      annotations: { [SYNC_WAVE_ANNOTATION]: CONTROL_PLANE_WAVE },
    },
    spec: {
      project: SEALED_SECRETS_APPLICATION,
      source: {
        repoURL: controller.chart.repoURL,
        path: controller.chart.path,
        targetRevision: controller.chart.targetRevision,
        helm: {
          releaseName: controller.name,
          valuesObject: { fullnameOverride: controller.name, image: { tag: controller.version } },
        },
      },
      destination: { server: cluster.server, namespace: controller.namespace },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ["ServerSideApply=true"], retry },
      revisionHistoryLimit: 10,
      info: [{ name: "Sealed Secrets", value: `controller ${controller.version}; back up its sealing key (README, "Secrets")` }],
    },
  };
}

/** Everything under argocd/apps for these environments and what they render. */
export function argocdApps(environments: { settings: Settings; objects: KubeObject[] }[]): KubeObject[] {
  const first = environments[0]?.settings;
  if (!first) return [];
  const { cluster, partOf } = first;
  const usesDapr = environments.some(({ settings }) => settings.dapr.enabled);
  return [
    appProject(cluster, partOf, environments.flatMap(({ objects }) => objects)),
    controlPlaneProject(cluster, partOf, sealedSecretsControlPlane(cluster)),
    sealedSecretsApplication(cluster, partOf),
    ...(usesDapr ? [controlPlaneProject(cluster, partOf, daprControlPlane(cluster)), daprApplication(cluster, partOf)] : []),
    ...environments.map(({ settings }) => environmentApplication(settings)),
  ];
}
