/**
 * The restricted Pod Security Standard and the rest of every pod's
 * hardening, written once: each component states its containers, and
 * hardenedPodSpec() adds what every pod shares. Hardening is fixed, not
 * configurable: only the UID/GID come from the image.
 */
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import type { IVolume } from "kubernetes-models/v1/Volume";
import type { IVolumeMount } from "kubernetes-models/v1/VolumeMount";
import type { ImageFacts } from "../images.ts";
import type { Settings } from "../settings.ts";

/** Seconds a pod gets to finish in-flight requests after SIGTERM. */
export const TERMINATION_GRACE_PERIOD_SECONDS = 10;

export function podSecurityContext(image: ImageFacts): IPodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: image.uid,
    runAsGroup: image.gid,
    fsGroup: image.gid,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function containerSecurityContext(): ISecurityContext {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** `/app/.next/cache` → `app-next-cache` (a valid volume name). */
export function volumeNameFor(path: string): string {
  return path
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * The root filesystem is read-only; each path the image writes to gets its
 * own emptyDir, bounded so a runaway write cannot fill the node's disk.
 */
export function writableDirectories(paths: readonly string[], sizeLimit = "256Mi"): {
  volumes: IVolume[];
  volumeMounts: IVolumeMount[];
} {
  return {
    volumes: paths.map((path) => ({ name: volumeNameFor(path), emptyDir: { sizeLimit } })),
    volumeMounts: paths.map((path) => ({ name: volumeNameFor(path), mountPath: path })),
  };
}

/** The environment's node selector, for a pod spec; nothing when it is empty. */
export function podPlacement(settings: Settings): { nodeSelector?: Record<string, string> } {
  return Object.keys(settings.nodeSelector).length > 0 ? { nodeSelector: { ...settings.nodeSelector } } : {};
}

/** A container as a component states it: everything but the security context and the writable directories. */
export type ContainerSpec = Omit<IContainer, "securityContext">;

export interface HardenedPod {
  settings: Settings;
  /** The pod's ServiceAccount (one per component). */
  serviceAccountName: string;
  /** The image the pod's containers run as: its UID/GID, and the paths it writes (each an emptyDir). */
  image: ImageFacts;
  /** Jobs: `Never`; Deployments and StatefulSets leave it to Kubernetes (`Always`). */
  restartPolicy?: "Never" | "OnFailure";
  /** Only a pod that calls the Kubernetes API gets a service account token. */
  mountsServiceAccountToken?: boolean;
  /** Run to completion before the containers start; they see no writable directories. */
  initContainers?: ContainerSpec[];
  /** Each gets the image's writable directories after its own volume mounts. */
  containers: ContainerSpec[];
  /** The pod's own volumes, before the writable directories. */
  volumes?: IVolume[];
}

/**
 * Every pod of every environment: non-root as the image's user, no privilege
 * escalation, a read-only root filesystem, no capabilities, the RuntimeDefault
 * seccomp profile, no service links, no token unless asked for, the
 * environment's node selector, and a short grace period.
 */
export function hardenedPodSpec(pod: HardenedPod): IPodSpec {
  const writable = writableDirectories(pod.image.writablePaths);
  const harden = (container: ContainerSpec, extraMounts: IVolumeMount[]): IContainer => {
    const { volumeMounts = [], ...rest } = container;
    const mounts = [...volumeMounts, ...extraMounts];
    return { ...rest, securityContext: containerSecurityContext(), ...(mounts.length > 0 ? { volumeMounts: mounts } : {}) };
  };
  const initContainers = pod.initContainers ?? [];
  return {
    ...(pod.restartPolicy ? { restartPolicy: pod.restartPolicy } : {}),
    serviceAccountName: pod.serviceAccountName,
    ...podPlacement(pod.settings),
    automountServiceAccountToken: pod.mountsServiceAccountToken ?? false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: TERMINATION_GRACE_PERIOD_SECONDS,
    securityContext: podSecurityContext(pod.image),
    ...(initContainers.length > 0 ? { initContainers: initContainers.map((container) => harden(container, [])) } : {}),
    containers: pod.containers.map((container) => harden(container, writable.volumeMounts)),
    volumes: [...(pod.volumes ?? []), ...writable.volumes],
  };
}
