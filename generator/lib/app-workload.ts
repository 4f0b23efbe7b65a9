/**
 * What the frontend and the backend share: a ServiceAccount, optional RBAC,
 * a hardened Deployment, its Service, and the autoscaler and disruption budget
 * when more than one replica can run. Each component adds its ConfigMap and
 * environment.
 */
import { createHash } from "node:crypto";
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { IRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import type { IRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { IService } from "kubernetes-models/v1/Service";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { AppImageFacts } from "../images.ts";
import type { KubeObject } from "../kube-object.ts";
import type { AppSettings, Settings } from "../settings.ts";
import { type ImageRef, formatImageReference } from "./image-reference.ts";
import { type Identity, labels, selectorLabels } from "./labels.ts";
import { metadata } from "./metadata.ts";
import { httpProbe } from "./probes.ts";
import { hardenedPodSpec } from "./security.ts";
import { sealedSecretsChecksum, secretsReadBy } from "./secret-checksum.ts";
import { SYNC_WAVE, type SyncWave } from "./sync-waves.ts";

export const CONFIG_CHECKSUM_ANNOTATION = "checksum/config";

/** A hash of the ConfigMap's data on the pod template: a config change rolls the pods. */
export function configChecksum(configMap: IConfigMap): string {
  return createHash("sha256").update(JSON.stringify(configMap.data ?? {})).digest("hex");
}

/** The reference a component's containers run: `repository:tag`, with `@sha256:…` when its setting pins a digest. */
export function imageReference(component: { image: ImageRef }): string {
  return formatImageReference(component.image);
}

/** The largest number of pods the component can run at once, before the rolling-update surge. */
export function maxReplicas(app: AppSettings): number {
  return app.autoscaling.enabled ? app.autoscaling.maxReplicas : app.replicas;
}

export function serviceAccount(settings: Settings, who: Identity, version: string, mountsToken = false): IServiceAccount {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: metadata(settings, who, { version, wave: SYNC_WAVE.serviceAccount }),
    automountServiceAccountToken: mountsToken,
    // Pods inherit their ServiceAccount's pull Secrets, so no pod template repeats them.
    ...(settings.imagePullSecrets.length > 0 ? { imagePullSecrets: settings.imagePullSecrets.map((name) => ({ name })) } : {}),
  };
}

/**
 * Spreads a component's replicas across nodes, so that one node going away
 * takes at most its share of them. `ScheduleAnyway` keeps it a preference: a
 * single-node Minikube still schedules every replica. `pod-template-hash`
 * counts each ReplicaSet apart, so a rolling update spreads the new pods
 * rather than balancing them against the old ones (Kubernetes docs, "Pod
 * Topology Spread Constraints", matchLabelKeys). A preferred pod anti-affinity
 * on the hostname says the same to the schedulers and linters that read only
 * anti-affinity (kube-linter no-anti-affinity, kube-score
 * deployment-has-host-podantiaffinity; see generator/policy/). Nothing when one
 * replica is all the component can run.
 */
export function spreadAcrossNodes(settings: Settings, who: Identity, app: AppSettings): Pick<IPodSpec, "topologySpreadConstraints" | "affinity"> {
  if (maxReplicas(app) <= 1) return {};
  return {
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selectorLabels(settings, who) } } },
        ],
      },
    },
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: selectorLabels(settings, who) },
        matchLabelKeys: ["pod-template-hash"],
      },
    ],
  };
}

export interface AppWorkload {
  settings: Settings;
  who: Identity;
  app: AppSettings;
  image: AppImageFacts;
  /** Sync wave of the Deployment and the objects that scale it. */
  wave: SyncWave;
  configMap: IConfigMap;
  env: IEnvVar[];
  /** Extra pod-template annotations (e.g. the Dapr sidecar's). */
  podAnnotations?: Record<string, string>;
  /** Secrets the pod reads other than through `env` (e.g. the Dapr sidecar's Components). */
  readsSecrets?: string[];
}

export function appWorkload({ settings, who, app, image, wave, configMap, env, podAnnotations = {}, readsSecrets = [] }: AppWorkload): KubeObject[] {
  const version = app.image.tag;
  const usesApi = app.apiAccess.length > 0;
  const objects: KubeObject[] = [serviceAccount(settings, who, version, usesApi)];

  if (usesApi) {
    const role: IRole = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: metadata(settings, who, { version, wave: SYNC_WAVE.rbac }),
      rules: app.apiAccess.map((rule) => ({ ...rule })),
    };
    const binding: IRoleBinding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: metadata(settings, who, { version, wave: SYNC_WAVE.rbac }),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: who.name },
      subjects: [{ kind: "ServiceAccount", name: who.name, namespace: settings.namespace }],
    };
    objects.push(role, binding);
  }

  const deployment: IDeployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(settings, who, { version, wave }),
    spec: {
      // Under an HPA the Deployment states no replica count, so Argo CD and the HPA never fight over it.
      ...(app.autoscaling.enabled ? {} : { replicas: app.replicas }),
      selector: { matchLabels: selectorLabels(settings, who) },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: labels(settings, who, version),
          annotations: {
            [CONFIG_CHECKSUM_ANNOTATION]: configChecksum(configMap),
            ...sealedSecretsChecksum(settings, [...secretsReadBy(env), ...readsSecrets]),
            ...podAnnotations,
          },
        },
        spec: hardenedPodSpec({
          settings,
          serviceAccountName: who.name,
          image,
          spread: spreadAcrossNodes(settings, who, app),
          mountsServiceAccountToken: usesApi,
          containers: [
            {
              name: who.component,
              image: imageReference(app),
              imagePullPolicy: app.pullPolicy,
              ports: [{ name: "http", containerPort: image.port, protocol: "TCP" }],
              envFrom: [{ configMapRef: { name: configMap.metadata!.name! } }],
              ...(env.length > 0 ? { env } : {}),
              resources: structuredClone(app.resources),
              startupProbe: httpProbe(app.probes.startup),
              livenessProbe: httpProbe(app.probes.liveness),
              readinessProbe: httpProbe(app.probes.readiness),
            },
          ],
        }),
      },
    },
  };
  objects.push(deployment);

  const service: IService = {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(settings, who, { version, wave: SYNC_WAVE.service }),
    spec: {
      type: app.service.type,
      selector: selectorLabels(settings, who),
      ports: [
        {
          name: "http",
          port: app.service.port,
          targetPort: "http",
          protocol: "TCP",
          ...(app.service.type === "NodePort" && app.service.nodePort !== undefined
            ? { nodePort: app.service.nodePort }
            : {}),
        },
      ],
    },
  };
  objects.push(service);

  if (app.autoscaling.enabled) {
    const hpa: IHorizontalPodAutoscaler = {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: metadata(settings, who, { version, wave }),
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: who.name },
        minReplicas: app.autoscaling.minReplicas,
        maxReplicas: app.autoscaling.maxReplicas,
        metrics: [
          {
            type: "Resource",
            resource: {
              name: "cpu",
              target: { type: "Utilization", averageUtilization: app.autoscaling.targetCPUUtilizationPercentage },
            },
          },
        ],
      },
    };
    objects.push(hpa);
  }

  if (maxReplicas(app) > 1) {
    // maxUnavailable (not minAvailable) so a budget can never block a node drain.
    // AlwaysAllow: a pod that is not Ready (crash-looping, stuck) may always be
    // evicted, so it cannot hold a drain up forever; the budget protects only
    // pods that serve (Kubernetes docs, "Unhealthy Pod Eviction Policy").
    const pdb: IPodDisruptionBudget = {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: metadata(settings, who, { version, wave }),
      spec: {
        maxUnavailable: 1,
        selector: { matchLabels: selectorLabels(settings, who) },
        unhealthyPodEvictionPolicy: "AlwaysAllow",
      },
    };
    objects.push(pdb);
  }

  return objects;
}
