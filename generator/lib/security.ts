/**
 * The restricted Pod Security Standard, written once for every pod. Hardening
 * is fixed, not configurable: only the UID/GID come from the image.
 */
import type { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
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
