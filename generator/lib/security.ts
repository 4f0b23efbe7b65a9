/**
 * The restricted Pod Security Standard, written once for every pod. Hardening
 * is fixed, not configurable: only the UID/GID come from the image.
 */
import type { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import type { IVolume } from "kubernetes-models/v1/Volume";
import type { IVolumeMount } from "kubernetes-models/v1/VolumeMount";
import type { ImageFacts } from "../images.ts";

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
 * (KubeletConfiguration), and the emptyDirs it mounts; the root filesystem is
 * read-only. Requested as much as it is limited to, so the scheduler reserves
 * it and kube-score's ephemeral-storage checks hold (generator/policy/).
 */
export const CONTAINER_LOG_MI = 50;

function mebibytes(size: string): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(size);
  if (!match) throw new Error(`ephemeral storage: size ${size} is not in Mi or Gi`);
  return Number(match[1]) * (match[2] === "Gi" ? 1024 : 1);
}

export function withEphemeralStorage(
  resources: { requests: object; limits: object },
  writable: { volumes: IVolume[]; volumeMounts: IVolumeMount[] } = { volumes: [], volumeMounts: [] },
): IResourceRequirements {
  const mounted = new Set(writable.volumeMounts.map((mount) => mount.name));
  const emptyDirs = writable.volumes.filter((volume) => mounted.has(volume.name) && volume.emptyDir?.sizeLimit !== undefined);
  const storage = `${CONTAINER_LOG_MI + emptyDirs.reduce((sum, volume) => sum + mebibytes(String(volume.emptyDir!.sizeLimit)), 0)}Mi`;
  return {
    requests: { ...(resources.requests as Record<string, string>), "ephemeral-storage": storage },
    limits: { ...(resources.limits as Record<string, string>), "ephemeral-storage": storage },
  };
}
