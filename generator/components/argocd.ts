/**
 * Argo CD's view of this repository:
 *
 *   argocd/bootstrap/  applied by `npm run cluster:up` (kubectl, with the
 *                      cluster admin's credentials), never synced from Git:
 *                      every AppProject (the closed `default`, `platform`,
 *                      one per environment, one per control plane) and the
 *                      root Application (app of apps).
 *   argocd/apps/       synced by the root Application: Applications only, one
 *                      per environment and one per control plane (Sealed
 *                      Secrets, Dapr, cert-manager).
 *
 * A project's rights change only when someone runs the bootstrap again: the
 * `platform` project lets the root create Applications and nothing else, so
 * no file merged under argocd/apps/ can widen a project or add one.
 */
import type { IAppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { ClusterFacts } from "../cluster-facts.ts";
import type { KubeObject } from "../kube-object.ts";
import { recommendedLabels } from "../lib/labels.ts";
import { byCodePoint } from "../lib/order.ts";
import { podSecurityLabels } from "../lib/pod-security.ts";
import { SYNC_WAVE_ANNOTATION } from "../lib/sync-waves.ts";
import type { Settings } from "../settings.ts";
import { GENERATOR_VERSION } from "../version.ts";
import { BACKEND } from "./backend.ts";
import { certManagerValues, localCertificateAuthority } from "./cert-manager.ts";
import { FRONTEND } from "./frontend.ts";
import { servesTls } from "./tls.ts";

export const ARGOCD_APPS_DIR = "argocd/apps";
export const ARGOCD_BOOTSTRAP_DIR = "argocd/bootstrap";
export const PLATFORM_PROJECT = "platform";
export const DEFAULT_PROJECT = "default";
export const ROOT_APPLICATION = "root";
export const DAPR_APPLICATION = "dapr";
export const SEALED_SECRETS_APPLICATION = "sealed-secrets";
export const CERT_MANAGER_APPLICATION = "cert-manager";

/**
 * Waves: projects (applied by the bootstrap; the wave orders them when
 * cluster:up applies everything itself), then the control planes (and so
 * their CRDs), then the environments. The root waits for each
 * wave to be Healthy because argocd-cm adds a health check for Applications
 * (argocd/install/application-health.lua). An environment synced by hand
 * ahead of its control plane is covered by SkipDryRunOnMissingResource on
 * the Dapr objects and by the sync retry.
 */
const PROJECT_WAVE = "-1";
const CONTROL_PLANE_WAVE = "0";
const ENVIRONMENT_WAVE = "1";

/**
 * An environment's Application disappears from the cluster only when someone
 * deletes it on purpose (README, "Remove an environment on purpose"):
 *
 * - `Prune=false`: the root Application, which syncs argocd/apps/ with
 *   prune, leaves it in place when its file is gone (an environment file
 *   deleted, or a generator bug), showing it as "requires pruning";
 * - `Delete=false`: deleting the root Application does not delete it;
 * - no resources finalizer: deleting the Application itself deletes nothing
 *   it deployed. Deleting the workloads is its own step (`argocd app delete
 *   --cascade`, which adds the finalizer first, or deleting the namespace).
 *
 * The option names are the resource annotation of Argo CD's sync options
 * (docs/user-guide/sync-options.md, "No Prune Resources", "No Resource
 * Deletion"); the resource's own annotation overrides the root's prune policy.
 */
export const KEEP_UNLESS_DELETED_ON_PURPOSE = { "argocd.argoproj.io/sync-options": "Prune=false,Delete=false" };

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
      annotations: { [SYNC_WAVE_ANNOTATION]: ENVIRONMENT_WAVE, ...KEEP_UNLESS_DELETED_ON_PURPOSE },
    },
    spec: {
      project: environmentProjectName(settings),
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
function groupKinds(objects: Pick<KubeObject, "apiVersion" | "kind">[]): { group: string; kind: string }[] {
  const seen = new Map<string, { group: string; kind: string }>();
  for (const { apiVersion, kind } of objects) {
    const group = apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
    seen.set(`${group}/${kind}`, { group, kind });
  }
  return [...seen.values()].sort((a, b) => byCodePoint(`${a.group}/${a.kind}`, `${b.group}/${b.kind}`));
}

const SEALED_SECRET = { apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret" };

/** An environment's project: named like its Application. */
export function environmentProjectName(settings: Settings): string {
  return `todo-${settings.name}`;
}

/**
 * One project per environment, so that an environment's manifests can reach
 * nothing but its own namespace: this repository only; the destination is
 * exactly the environment's namespace; the one cluster-scoped object is its
 * own Namespace, by name; the namespaced kinds are exactly those it renders.
 *
 * Argo CD checks a destination only for namespaced objects, and the name of
 * a cluster-scoped object only when the whitelist entry names it
 * (AppProject.IsGroupKindNamePermitted and isNamedResourceInList in
 * pkg/apis/application/v1alpha1, argoproj/argo-cd): a `Namespace` entry
 * without a name would let dev's manifests create or relabel any namespace.
 * The `name` field (a filepath.Match glob; here an exact name) arrived in
 * Argo CD v3.3.0 (argoproj/argo-cd#24674); argocd/install pins a later v3.
 *
 * Taken from what it renders, TLS's kinds follow its settings: a Certificate
 * while it serves TLS, an Issuer while its certificate comes over ACME; a
 * ClusterIssuer (cluster-scoped) never, that is cert-manager's project.
 *
 * A kind the environment starts to render (Dapr or TLS turned on, Let's
 * Encrypt chosen) is refused until the project is applied again by `npm run
 * cluster:up`: widening a project is a bootstrap step, not something a
 * manifest can do. The one exception is SealedSecret: sealing values (`npm
 * run seal`) is routine, and a SealedSecret only ever yields a Secret in its
 * own namespace.
 */
export function environmentProject(settings: Settings, rendered: KubeObject[]): IAppProject {
  const { cluster } = settings;
  const name = environmentProjectName(settings);
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: {
      name,
      namespace: cluster.argocdNamespace,
      labels: argoLabels(name, "project", settings.partOf),
      annotations: { [SYNC_WAVE_ANNOTATION]: PROJECT_WAVE },
    },
    spec: {
      description: `The ${settings.name} environment: manifests/${settings.name} into namespace ${settings.namespace}, nothing else.`,
      sourceRepos: [cluster.git.repoURL],
      destinations: [{ server: cluster.server, namespace: settings.namespace }],
      clusterResourceWhitelist: [{ group: "", kind: "Namespace", name: settings.namespace }],
      namespaceResourceWhitelist: groupKinds([...rendered.filter((object) => object.kind !== "Namespace"), SEALED_SECRET]),
    },
  };
}

/**
 * What the Dapr chart installs, from its templates and crds/ at the pinned
 * version (dapr/dapr, charts/dapr at tag v1.16.19, rendered with
 * daprValues()): the CRDs, the control plane's cluster RBAC and the
 * injector's mutating webhook cluster-wide, each by name, and (the
 * Namespace aside, created by CreateNamespace) its workloads and their
 * configuration in dapr-system. A chart upgrade that adds or renames one
 * fails to sync until this list follows it.
 */
const daprClusterObjects = (cluster: ClusterFacts): NamedGroupKind[] => [
  { group: "", kind: "Namespace", name: cluster.dapr.namespace },
  { group: "admissionregistration.k8s.io", kind: "MutatingWebhookConfiguration", name: "dapr-sidecar-injector" },
  ...["components", "configurations", "httpendpoints", "resiliencies", "subscriptions"].map((plural) => ({
    group: "apiextensions.k8s.io",
    kind: "CustomResourceDefinition",
    name: `${plural}.dapr.io`,
  })),
  ...["ClusterRole", "ClusterRoleBinding"].flatMap((kind) =>
    ["dapr-injector", "dapr-operator-admin", "dapr-placement", "dapr-scheduler", "dapr-sentry"].map((name) => ({
      group: "rbac.authorization.k8s.io",
      kind,
      name,
    })),
  ),
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
/** A cluster-scoped object by name: a project grants it, not every object of its kind. */
type NamedGroupKind = GroupKind & { name: string };

/** A control plane installed from its upstream chart: its project admits that chart, its namespace and its kinds, nothing else. */
interface ControlPlane {
  name: string;
  description: string;
  repoURL: string;
  namespace: string;
  clusterObjects: NamedGroupKind[];
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
      clusterResourceWhitelist: plane.clusterObjects,
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

/** The Dapr control plane, from the official chart, pinned. */
export function daprApplication(cluster: ClusterFacts, partOf: string): IApplication {
  const { dapr } = cluster;
  return controlPlaneApplication(cluster, partOf, {
    name: DAPR_APPLICATION,
    namespace: dapr.namespace,
    source: {
      repoURL: dapr.chart.repoURL,
      chart: dapr.chart.name,
      targetRevision: dapr.chart.version,
      helm: { releaseName: DAPR_APPLICATION, valuesObject: daprValues(cluster) },
    },
    // Sentry fills the trust bundle it generates; the injector and the operator patch their CA bundles in.
    // The chart ships the Subscription CRD's conversion webhook with `namespace: replaceme` and a
    // placeholder caBundle; the operator patches both at start (dapr/dapr pkg/operator, patchCRDs).
    // Ignoring only the caBundle let self-heal put `replaceme` back and break the webhook; Dapr's own
    // Argo CD sample ignores both (dapr/samples dapr-argocd/gitops/dapr/application.yaml).
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
        jsonPointers: ["/spec/conversion/webhook/clientConfig/service/namespace", "/spec/conversion/webhook/clientConfig/caBundle"],
      },
    ],
    info: [{ name: "Dapr", value: `control plane ${dapr.chart.version}, for the environments with dapr.enabled` }],
  });
}

type ApplicationSpec = NonNullable<IApplication["spec"]>;

/** What sets one control plane's Application apart: its chart and namespace, what it writes at run time, what the UI shows. */
interface ControlPlaneApplication {
  /** The Application's name, which is also its project's. */
  name: string;
  namespace: string;
  source: ApplicationSpec["source"];
  /** Fields the control plane writes into its own objects at run time, which self-heal must leave alone. */
  ignoreDifferences?: ApplicationSpec["ignoreDifferences"];
  info: ApplicationSpec["info"];
}

/**
 * A control plane's Application: its chart into its own namespace (created
 * with the control planes' Pod Security labels), automated with prune and
 * self-heal, in the wave before the environments. No resources finalizer:
 * deleting the Application must not delete the chart's CRDs, and with them
 * every object of those kinds in every namespace (every Component and
 * Configuration, every SealedSecret and the Secrets it made, every
 * Certificate and the CA).
 */
function controlPlaneApplication(cluster: ClusterFacts, partOf: string, plane: ControlPlaneApplication): IApplication {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: plane.name,
      namespace: cluster.argocdNamespace,
      labels: argoLabels(plane.name, "application", partOf),
      annotations: { [SYNC_WAVE_ANNOTATION]: CONTROL_PLANE_WAVE },
    },
    spec: {
      project: plane.name,
      source: plane.source,
      destination: { server: cluster.server, namespace: plane.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: [
          "CreateNamespace=true",
          // The CRDs are too large for client-side apply's last-applied annotation.
          "ServerSideApply=true",
          // Self-heal must not undo what the control plane writes at run time.
          ...(plane.ignoreDifferences ? ["RespectIgnoreDifferences=true"] : []),
        ],
        managedNamespaceMetadata: { labels: controlPlanePodSecurity(cluster) },
        retry,
      },
      ...(plane.ignoreDifferences ? { ignoreDifferences: plane.ignoreDifferences } : {}),
      revisionHistoryLimit: 10,
      info: plane.info,
    },
  };
}

/**
 * Argo CD creates `default` with every source, destination and kind
 * (docs/user-guide/projects.md, "The Default Project"), and any Application
 * that names no project lands in it. Closed as upstream documents: no
 * source, no destination, no kind. It cannot be deleted, only emptied.
 */
export function closedDefaultProject(cluster: ClusterFacts, partOf: string): IAppProject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: {
      name: DEFAULT_PROJECT,
      namespace: cluster.argocdNamespace,
      labels: argoLabels(DEFAULT_PROJECT, "project", partOf),
      annotations: { [SYNC_WAVE_ANNOTATION]: PROJECT_WAVE },
    },
    spec: {
      description: "Closed: no source, destination or kind. Every Application of this repository names its own project.",
      // Empty lists, not missing ones: kubectl apply then clears what Argo CD put there.
      sourceRepos: [],
      sourceNamespaces: [],
      destinations: [],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [],
      namespaceResourceBlacklist: [{ group: "*", kind: "*" }],
    },
  };
}

/**
 * Bootstrap: the project the root Application lives in, and the root itself.
 * `platform` admits Applications only: an AppProject under argocd/apps/ is
 * refused, so projects come only from argocd/bootstrap/.
 */
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
      description: "The root Application: Applications from argocd/apps/ in this repository, nothing else (no AppProjects).",
      sourceRepos: [cluster.git.repoURL],
      destinations: [{ server: cluster.server, namespace: cluster.argocdNamespace }],
      namespaceResourceWhitelist: [{ group: "argoproj.io", kind: "Application" }],
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
  clusterObjects: daprClusterObjects(cluster),
  namespacedKinds: DAPR_NAMESPACED_KINDS,
});

/**
 * What the Sealed Secrets chart installs with sealedSecretsValues()
 * (templates and crds/ of helm/sealed-secrets): its CRD, and the
 * controller's ClusterRole (rbac.clusterRoleName) and ClusterRoleBinding
 * (the fullname), each by name; in its namespace, the controller, its two
 * Services (API and metrics), its RBAC and its NetworkPolicy.
 */
const sealedSecretsControlPlane = (cluster: ClusterFacts): ControlPlane => ({
  name: SEALED_SECRETS_APPLICATION,
  description: "The Sealed Secrets controller, from its official chart at the release tag.",
  repoURL: cluster.sealedSecrets.chart.repoURL,
  namespace: cluster.sealedSecrets.namespace,
  clusterObjects: [
    // Created by CreateNamespace, with its Pod Security labels.
    { group: "", kind: "Namespace", name: cluster.sealedSecrets.namespace },
    { group: "apiextensions.k8s.io", kind: "CustomResourceDefinition", name: "sealedsecrets.bitnami.com" },
    { group: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "secrets-unsealer" },
    { group: "rbac.authorization.k8s.io", kind: "ClusterRoleBinding", name: cluster.sealedSecrets.name },
  ],
  namespacedKinds: [
    { group: "", kind: "Service" },
    { group: "", kind: "ServiceAccount" },
    { group: "apps", kind: "Deployment" },
    { group: "networking.k8s.io", kind: "NetworkPolicy" },
    { group: "rbac.authorization.k8s.io", kind: "Role" },
    { group: "rbac.authorization.k8s.io", kind: "RoleBinding" },
  ],
});

/**
 * The chart's values (keys from helm/sealed-secrets/values.yaml): the image
 * stated in full; the service proxy (kubeseal's way to the controller, and
 * so to /v1/verify and /v1/rotate) bound to the subjects cluster.ts names
 * instead of every authenticated identity; and the chart's NetworkPolicy,
 * which admits traffic to the controller's pods only on its HTTP and
 * metrics ports. Its egress rule stays off: it needs the API server's
 * address (networkPolicy.egress.kubeapiCidr), which Minikube assigns per
 * driver, and its fallback is a Helm lookup that Argo CD's rendering skips.
 */
export function sealedSecretsValues(cluster: ClusterFacts): Record<string, unknown> {
  const controller = cluster.sealedSecrets;
  return {
    fullnameOverride: controller.name,
    image: { registry: controller.image.registry, repository: controller.image.repository, tag: controller.version },
    rbac: { serviceProxier: { subjects: controller.proxySubjects.map((subject) => ({ ...subject })) } },
    networkPolicy: { enabled: true },
  };
}

/**
 * The control planes' namespaces enforce `restricted`, the strictest Pod
 * Security level, which every pod of their charts passes as configured here
 * (checked against each chart's pod specs: Sealed Secrets' securityContext
 * defaults, Dapr's with global.seccompProfile RuntimeDefault, set in
 * daprValues, and cert-manager's defaults at v1.21.1: runAsNonRoot, seccomp
 * RuntimeDefault, no privilege escalation, ALL capabilities dropped, in its
 * three Deployments). Argo CD applies the labels to the namespace it creates
 * (CreateNamespace with managedNamespaceMetadata). argocd/install/namespace.yaml
 * carries the same for Argo CD's own namespace.
 */
function controlPlanePodSecurity(cluster: ClusterFacts): Record<string, string> {
  return podSecurityLabels("restricted", cluster.kubernetesVersion);
}

/**
 * The Sealed Secrets controller, always installed: `npm run seal` fetches its
 * certificate, and an environment's SealedSecrets need its CRD.
 */
export function sealedSecretsApplication(cluster: ClusterFacts, partOf: string): IApplication {
  const controller = cluster.sealedSecrets;
  return controlPlaneApplication(cluster, partOf, {
    name: SEALED_SECRETS_APPLICATION,
    namespace: controller.namespace,
    source: {
      repoURL: controller.chart.repoURL,
      path: controller.chart.path,
      targetRevision: controller.chart.targetRevision,
      helm: { releaseName: controller.name, valuesObject: sealedSecretsValues(cluster) },
    },
    info: [{ name: "Sealed Secrets", value: `controller ${controller.version}; back up its sealing key (README, "Secrets")` }],
  });
}

/**
 * What the cert-manager chart installs with certManagerValues(), each
 * cluster-scoped object by name: `helm template cert-manager` of
 * deploy/charts/cert-manager at tag v1.21.1 (cert-manager/cert-manager,
 * Chart.yaml's version set to the tag as the release tool does) with the
 * values the Application renders, namespace cert-manager. Its names are the
 * chart's fullname, which is the release name (CERT_MANAGER_APPLICATION):
 * the six CRDs (templates/crd-*.yaml, crds.enabled), the webhook's two
 * configurations, and the ClusterRoles and ClusterRoleBindings of rbac.yaml,
 * cainjector-rbac.yaml and webhook-rbac.yaml (the view/edit aggregates have
 * no binding). The Namespace comes from CreateNamespace; the chart renders
 * none, and by default no NetworkPolicy, PDB or ConfigMap. A chart upgrade
 * that adds or renames one fails to sync until this list follows it.
 */
const CERT_MANAGER_CRDS = ["challenges.acme", "orders.acme", "certificaterequests", "certificates", "clusterissuers", "issuers"];
const CERT_MANAGER_BOUND_ROLES = [
  "cainjector",
  "controller-issuers",
  "controller-clusterissuers",
  "controller-certificates",
  "controller-orders",
  "controller-challenges",
  "controller-ingress-shim",
  "controller-approve:cert-manager-io",
  "controller-certificatesigningrequests",
  "webhook:subjectaccessreviews",
];
const CERT_MANAGER_AGGREGATED_ROLES = ["cluster-view", "view", "edit"];

function certManagerClusterObjects(cluster: ClusterFacts, localCa: KubeObject[]): NamedGroupKind[] {
  const fullname = CERT_MANAGER_APPLICATION;
  const rbac = "rbac.authorization.k8s.io";
  return [
    { group: "", kind: "Namespace", name: cluster.certManager.namespace },
    ...["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"].map((kind) => ({
      group: "admissionregistration.k8s.io",
      kind,
      name: `${fullname}-webhook`,
    })),
    ...CERT_MANAGER_CRDS.map((plural) => ({ group: "apiextensions.k8s.io", kind: "CustomResourceDefinition", name: `${plural}.cert-manager.io` })),
    ...[...CERT_MANAGER_BOUND_ROLES, ...CERT_MANAGER_AGGREGATED_ROLES].map((role) => ({ group: rbac, kind: "ClusterRole", name: `${fullname}-${role}` })),
    ...CERT_MANAGER_BOUND_ROLES.map((role) => ({ group: rbac, kind: "ClusterRoleBinding", name: `${fullname}-${role}` })),
    // The local CA's ClusterIssuers, by the names the chart's extraObjects give them.
    ...localCa
      .filter((object) => !object.metadata?.namespace)
      .map((object) => ({ group: object.apiVersion.split("/")[0]!, kind: object.kind, name: object.metadata!.name! })),
  ];
}

/** cert-manager's project: the chart's objects (above) and, while the cluster has one, the local CA. */
const certManagerControlPlane = (cluster: ClusterFacts, localCa: KubeObject[]): ControlPlane => ({
  name: CERT_MANAGER_APPLICATION,
  description: "cert-manager, from its official chart at the release tag, in its own namespace, with the cluster's local CA.",
  repoURL: cluster.certManager.chart.repoURL,
  namespace: cluster.certManager.namespace,
  clusterObjects: certManagerClusterObjects(cluster, localCa),
  namespacedKinds: groupKinds([
    { apiVersion: "v1", kind: "Service" },
    { apiVersion: "v1", kind: "ServiceAccount" },
    { apiVersion: "apps/v1", kind: "Deployment" },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role" },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding" },
    // The local CA's Certificate, in cert-manager's namespace.
    ...localCa.filter((object) => object.metadata?.namespace),
  ]),
});

/**
 * cert-manager, from the official chart, pinned, installed while an
 * environment serves TLS; with it the local CA (as the chart's extraObjects)
 * while an environment uses that. CRDs kept: deleting this Application must
 * not delete every Certificate and the CA.
 */
export function certManagerApplication(cluster: ClusterFacts, partOf: string, localCa: KubeObject[]): IApplication {
  const { certManager } = cluster;
  return controlPlaneApplication(cluster, partOf, {
    name: CERT_MANAGER_APPLICATION,
    namespace: certManager.namespace,
    source: {
      repoURL: certManager.chart.repoURL,
      chart: certManager.chart.name,
      targetRevision: certManager.chart.version,
      // The release name is the chart's fullname, and so the names and labels in cluster.ts.
      helm: { releaseName: CERT_MANAGER_APPLICATION, valuesObject: certManagerValues(cluster, localCa) },
    },
    // cainjector writes the webhook's CA into both webhook configurations at run time.
    ignoreDifferences: ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"].map((kind) => ({
      group: "admissionregistration.k8s.io",
      kind,
      name: `${CERT_MANAGER_APPLICATION}-webhook`,
      jqPathExpressions: [".webhooks[]?.clientConfig.caBundle"],
    })),
    info: [
      {
        name: "cert-manager",
        value: `${certManager.chart.version}, for the environments with ingress.tls.enabled${localCa.length ? "; local CA: ClusterIssuer todo-local-ca" : ""}`,
      },
    ],
  });
}

/** The local CA, while an environment's certificate comes from it (it rides in cert-manager's Helm values). */
export function localCaObjects(environments: { settings: Settings }[]): KubeObject[] {
  const first = environments[0]?.settings;
  const used = environments.some(({ settings }) => servesTls(settings) && settings.ingress.tls.issuer === "local-ca");
  return first && used ? localCertificateAuthority(first.cluster, first.partOf) : [];
}

/** The control planes these environments need besides Sealed Secrets: Dapr while one uses it, cert-manager while one serves TLS. */
function controlPlanesUsed(environments: { settings: Settings }[]): { dapr: boolean; certManager: boolean } {
  return {
    dapr: environments.some(({ settings }) => settings.dapr.enabled),
    certManager: environments.some(({ settings }) => servesTls(settings)),
  };
}

/**
 * Every project but `platform`, for argocd/bootstrap/: the closed default,
 * one per environment (its kinds taken from what it renders), one per
 * control plane (Dapr while an environment uses it, cert-manager while one
 * serves TLS).
 */
export function argocdProjects(environments: { settings: Settings; objects: KubeObject[] }[]): KubeObject[] {
  const first = environments[0]?.settings;
  if (!first) return [];
  const { cluster, partOf } = first;
  const used = controlPlanesUsed(environments);
  return [
    closedDefaultProject(cluster, partOf),
    ...environments.map(({ settings, objects }) => environmentProject(settings, objects)),
    controlPlaneProject(cluster, partOf, sealedSecretsControlPlane(cluster)),
    ...(used.dapr ? [controlPlaneProject(cluster, partOf, daprControlPlane(cluster))] : []),
    ...(used.certManager ? [controlPlaneProject(cluster, partOf, certManagerControlPlane(cluster, localCaObjects(environments)))] : []),
  ];
}

/** Everything under argocd/apps for these environments: Applications only. */
export function argocdApps(environments: { settings: Settings; objects: KubeObject[] }[]): KubeObject[] {
  const first = environments[0]?.settings;
  if (!first) return [];
  const { cluster, partOf } = first;
  const used = controlPlanesUsed(environments);
  return [
    sealedSecretsApplication(cluster, partOf),
    ...(used.dapr ? [daprApplication(cluster, partOf)] : []),
    ...(used.certManager ? [certManagerApplication(cluster, partOf, localCaObjects(environments))] : []),
    ...environments.map(({ settings }) => environmentApplication(settings)),
  ];
}
