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
import { SYNC_WAVE } from "../lib/sync-waves.ts";
import type { Settings } from "../settings.ts";
import { GENERATOR_VERSION } from "../version.ts";

export const NAMESPACE = identity("namespace");

/** Argo CD never deletes these, even when the Application is deleted: they hold the data. */
export const KEEP_ON_DELETE = { "argocd.argoproj.io/sync-options": "Delete=false,Prune=false" };

/** `v1.35.0` → `v1.35`: admission checks against the cluster's own version of the standard. */
function podSecurityVersion(kubernetesVersion: string): string {
  return kubernetesVersion.split(".").slice(0, 2).join(".");
}

export function namespace(settings: Settings): KubeObject[] {
  const version = GENERATOR_VERSION;
  const psaVersion = podSecurityVersion(settings.cluster.kubernetesVersion);
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
  const psaLabels: Record<string, string> = {};
  for (const mode of ["enforce", "audit", "warn"]) {
    psaLabels[`pod-security.kubernetes.io/${mode}`] = "restricted";
    psaLabels[`pod-security.kubernetes.io/${mode}-version`] = psaVersion;
  }
  ns.metadata!.labels = { ...ns.metadata!.labels, ...psaLabels };

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
