/**
 * Argo CD's view of this repository:
 *
 *   argocd/bootstrap/  applied once by `npm run cluster:up`: the `platform`
 *                      AppProject and the root Application (app of apps).
 *   argocd/apps/       synced by the root Application: the `todo` AppProject
 *                      and one Application per environment.
 */
import type { IAppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { ClusterFacts } from "../../clusters/minikube/cluster.ts";
import type { KubeObject } from "../kube-object.ts";
import { recommendedLabels } from "../lib/labels.ts";
import type { Settings } from "../settings.ts";
import { GENERATOR_VERSION } from "../version.ts";
import { BACKEND } from "./backend.ts";
import { FRONTEND } from "./frontend.ts";

export const ARGOCD_APPS_DIR = "argocd/apps";
export const ARGOCD_BOOTSTRAP_DIR = "argocd/bootstrap";
export const APP_PROJECT = "todo";
export const PLATFORM_PROJECT = "platform";
export const ROOT_APPLICATION = "root";

/** Deleting an Application deletes what it deployed (Namespace and PVC excepted: they are marked Delete=false). */
const RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io";

/**
 * How each environment syncs. dev and staging follow the branch on their own;
 * prod waits for someone to press Sync, which keeps the UI's History and
 * Rollback available (Argo CD refuses a rollback while automated sync is on).
 */
export const SYNC_MODE: Readonly<Record<string, "automated" | "manual">> = {
  dev: "automated",
  staging: "automated",
  prod: "manual",
};

export function syncModeOf(environment: string): "automated" | "manual" {
  // An environment nobody has decided about syncs by hand: the safe choice.
  return SYNC_MODE[environment] ?? "manual";
}

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
  const automated = syncModeOf(settings.name) === "automated";
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: `todo-${settings.name}`,
      namespace: cluster.argocdNamespace,
      labels: argoLabels(`todo-${settings.name}`, "application", settings.partOf),
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
  return [...seen.values()].sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`));
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
      annotations: { "argocd.argoproj.io/sync-wave": "-1" },
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

/** Everything under argocd/apps for these environments and what they render. */
export function argocdApps(environments: { settings: Settings; objects: KubeObject[] }[]): KubeObject[] {
  const first = environments[0]?.settings;
  if (!first) return [];
  return [
    appProject(first.cluster, first.partOf, environments.flatMap(({ objects }) => objects)),
    ...environments.map(({ settings }) => environmentApplication(settings)),
  ];
}
