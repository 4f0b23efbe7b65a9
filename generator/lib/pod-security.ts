/**
 * Pod Security Admission labels for a namespace: the level is enforced,
 * audited and warned about, each checked against the cluster's own minor
 * version of the standard (so a Kubernetes upgrade cannot tighten or loosen
 * it unseen).
 */
export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/** `v1.35.0` → `v1.35`. */
export function podSecurityVersion(kubernetesVersion: string): string {
  return kubernetesVersion.split(".").slice(0, 2).join(".");
}

export function podSecurityLabels(level: PodSecurityLevel, kubernetesVersion: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const mode of ["enforce", "audit", "warn"]) {
    labels[`pod-security.kubernetes.io/${mode}`] = level;
    labels[`pod-security.kubernetes.io/${mode}-version`] = podSecurityVersion(kubernetesVersion);
  }
  return labels;
}
