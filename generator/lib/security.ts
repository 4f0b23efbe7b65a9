/**
 * The restricted Pod Security Standard and the rest of every pod's
 * hardening, written once: each component states its containers, and
 * hardenedPodSpec() adds what every pod shares. Hardening is fixed, not
 * configurable: only the UID/GID come from the image.
 */
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
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

/**
 * What a container may write to the node's disk: its log, which the kubelet
 * rotates at containerLogMaxSize 10Mi × containerLogMaxFiles 5 by default
 * (KubeletConfiguration), and the disk-backed emptyDirs it mounts; the root
 * filesystem is read-only. Requested as much as it is limited to, so the
 * scheduler reserves it and kube-score's ephemeral-storage checks hold
 * (generator/policy/).
 */
export const CONTAINER_LOG_MI = 50;

function mebibytes(size: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(size);
  if (!match) throw new Error(`ephemeral storage: size ${size} is not in Mi or Gi`);
  return Number(match[1]) * (match[2] === "Gi" ? 1024 : 1);
}

/**
 * A container's requests and limits with its ephemeral storage added: the
 * log and each emptyDir of `volumes` it mounts. A memory-backed emptyDir
 * (`medium: Memory`) counts against the memory limit instead.
 */
export function withEphemeralStorage(resources: IResourceRequirements | undefined, volumes: readonly IVolume[], volumeMounts: readonly IVolumeMount[]): IResourceRequirements {
  const mounted = new Set(volumeMounts.map((mount) => mount.name));
  const onDisk = volumes.filter((volume) => mounted.has(volume.name) && volume.emptyDir?.sizeLimit !== undefined && volume.emptyDir.medium !== "Memory");
  const storage = `${CONTAINER_LOG_MI + onDisk.reduce((sum, volume) => sum + mebibytes(String(volume.emptyDir!.sizeLimit)), 0)}Mi`;
  return {
    requests: { ...(resources?.requests as Record<string, string> | undefined), "ephemeral-storage": storage },
    limits: { ...(resources?.limits as Record<string, string> | undefined), "ephemeral-storage": storage },
  };
}

/** The environment's node selector, for a pod spec; nothing when it is empty. */
export function podPlacement(settings: Settings): { nodeSelector?: Record<string, string> } {
  return Object.keys(settings.nodeSelector).length > 0 ? { nodeSelector: { ...settings.nodeSelector } } : {};
}

/** A container as a component states it: everything but the security context, the writable directories and the ephemeral storage. */
export type ContainerSpec = Omit<IContainer, "securityContext">;

export interface HardenedPod {
  settings: Settings;
  /** The pod's ServiceAccount (one per component). */
  serviceAccountName: string;
  /** The image the pod's containers run as: its UID/GID, and the paths it writes (each an emptyDir). */
  image: ImageFacts;
  /** Jobs: `Never`; Deployments and StatefulSets leave it to Kubernetes (`Always`). */
  restartPolicy?: "Never" | "OnFailure";
  /** How the pod's replicas spread across nodes (app-workload.ts spreadAcrossNodes); none for a single pod. */
  spread?: Pick<IPodSpec, "topologySpreadConstraints" | "affinity">;
  /** Only a pod that calls the Kubernetes API gets a service account token. */
  mountsServiceAccountToken?: boolean;
  /** Run to completion before the containers start; they see no writable directories. */
  initContainers?: ContainerSpec[];
  /** Each gets the image's writable directories beside its own volume mounts. */
  containers: ContainerSpec[];
  /** The pod's own volumes, beside the writable directories. */
  volumes?: IVolume[];
  /**
   * Where the image's writable directories go among the pod's own volumes
   * and mounts: after them (the database's data volume comes first), or
   * before them (Redis: its data directory, then its password and auth).
   */
  writableDirectoriesFirst?: boolean;
}

/**
 * Every pod of every environment: non-root as the image's user, no privilege
 * escalation, a read-only root filesystem, no capabilities, the RuntimeDefault
 * seccomp profile, no service links, no token unless asked for, the
 * environment's node selector, a short grace period, and each container's
 * ephemeral storage requested and limited.
 */
export function hardenedPodSpec(pod: HardenedPod): IPodSpec {
  const writable = writableDirectories(pod.image.writablePaths);
  const inOrder = <T>(own: readonly T[], image: readonly T[]): T[] => (pod.writableDirectoriesFirst ? [...image, ...own] : [...own, ...image]);
  const volumes = inOrder(pod.volumes ?? [], writable.volumes);
  const harden = (container: ContainerSpec, imageMounts: IVolumeMount[]): IContainer => {
    const { volumeMounts = [], ...rest } = container;
    const mounts = inOrder(volumeMounts, imageMounts);
    return {
      ...rest,
      // In place: the resources keep their position among the container's fields.
      resources: withEphemeralStorage(rest.resources, volumes, mounts),
      securityContext: containerSecurityContext(),
      ...(mounts.length > 0 ? { volumeMounts: mounts } : {}),
    };
  };
  const initContainers = pod.initContainers ?? [];
  return {
    ...(pod.restartPolicy ? { restartPolicy: pod.restartPolicy } : {}),
    serviceAccountName: pod.serviceAccountName,
    ...podPlacement(pod.settings),
    ...pod.spread,
    automountServiceAccountToken: pod.mountsServiceAccountToken ?? false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: TERMINATION_GRACE_PERIOD_SECONDS,
    securityContext: podSecurityContext(pod.image),
    ...(initContainers.length > 0 ? { initContainers: initContainers.map((container) => harden(container, [])) } : {}),
    containers: pod.containers.map((container) => harden(container, writable.volumeMounts)),
    volumes,
  };
}
