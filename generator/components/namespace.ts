/**
 * The environment's Namespace: Pod Security Admission enforces the
 * restricted standard, a ResourceQuota caps the environment, and a
 * LimitRange gives any container without resources sane bounds.
 */
import type { ILimitRange } from "kubernetes-models/v1/LimitRange";
import type { INamespace } from "kubernetes-models/v1/Namespace";
import type { IResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import type { KubeObject } from "../kube-object.ts";
import { identity } from "../lib/labels.ts";
import { metadata } from "../lib/metadata.ts";
import { podSecurityLabels } from "../lib/pod-security.ts";
import { SYNC_WAVE } from "../lib/sync-waves.ts";
import type { Settings } from "../settings.ts";
import { GENERATOR_VERSION } from "../version.ts";

export const NAMESPACE = identity("namespace");

/** Argo CD never deletes these, even when the Application is deleted: they hold the data. */
export const KEEP_ON_DELETE = { "argocd.argoproj.io/sync-options": "Delete=false,Prune=false" };

export function namespace(settings: Settings): KubeObject[] {
  const version = GENERATOR_VERSION;
  const ns: INamespace = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: metadata(settings, NAMESPACE, {
      name: settings.namespace,
      version,
      wave: SYNC_WAVE.namespace,
      clusterScoped: true,
      annotations: KEEP_ON_DELETE,
    }),
  };
  ns.metadata!.labels = { ...ns.metadata!.labels, ...podSecurityLabels("restricted", settings.cluster.kubernetesVersion) };

  const { quota, containerLimits } = settings.namespaceSettings;
  const resourceQuota: IResourceQuota = {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: metadata(settings, NAMESPACE, { name: "todo-quota", version, wave: SYNC_WAVE.namespace }),
    spec: { hard: { ...quota } },
  };
  const limitRange: ILimitRange = {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: metadata(settings, NAMESPACE, { name: "todo-limits", version, wave: SYNC_WAVE.namespace }),
    spec: {
      limits: [
        {
          type: "Container",
          defaultRequest: { ...containerLimits.defaultRequest },
          default: { ...containerLimits.default },
          max: { ...containerLimits.max },
        },
      ],
    },
  };
  return [ns, resourceQuota, limitRange];
}
