/**
 * The upstream check lists the policy bar mirrors, id for id, as each tool's
 * release states them. Every id here appears exactly once in policy.ts, as a
 * rule or an exemption (policy.test.ts holds that), so a check added by a new
 * release shows up as a failing test when these lists are updated.
 */

export interface UpstreamTool {
  tool: string;
  version: string;
  /** Where the list was read: repository, file, tag and its commit. */
  source: string;
  /** Check id → on by default (kube-linter, kube-score) or its default severity (Polaris). */
  checks: Readonly<Record<string, "default" | "optional" | "warning" | "danger">>;
}

/** `docs/generated/checks.md` ("Enabled by default") at v0.8.3. */
export const KUBE_LINTER: UpstreamTool = {
  tool: "kube-linter",
  version: "0.8.3",
  source: "stackrox/kube-linter docs/generated/checks.md @ v0.8.3 (10ae003038c81855aca8489df5e35da150f4dc2e)",
  checks: {
    "access-to-create-pods": "optional",
    "access-to-secrets": "optional",
    "cluster-admin-role-binding": "optional",
    "dangling-horizontalpodautoscaler": "optional",
    "dangling-ingress": "optional",
    "dangling-networkpolicy": "optional",
    "dangling-networkpolicypeer-podselector": "optional",
    "dangling-service": "default",
    "dangling-servicemonitor": "optional",
    "default-service-account": "optional",
    "deprecated-service-account-field": "default",
    "dnsconfig-options": "optional",
    "docker-sock": "default",
    "drop-net-raw-capability": "default",
    "duplicate-env-var": "default",
    "env-value-from": "optional",
    "env-var-secret": "default",
    "exposed-services": "optional",
    "host-ipc": "default",
    "host-network": "default",
    "host-pid": "default",
    "hpa-minimum-three-replicas": "optional",
    "invalid-target-ports": "default",
    "job-ttl-seconds-after-finished": "default",
    "latest-tag": "default",
    "liveness-port": "default",
    "minimum-three-replicas": "optional",
    "mismatching-selector": "default",
    "no-anti-affinity": "default",
    "no-extensions-v1beta": "default",
    "no-liveness-probe": "optional",
    "no-node-affinity": "optional",
    "no-read-only-root-fs": "default",
    "no-readiness-probe": "optional",
    "no-rolling-update-strategy": "optional",
    "non-existent-service-account": "default",
    "non-isolated-pod": "optional",
    "pdb-max-unavailable": "default",
    "pdb-min-available": "default",
    "pdb-unhealthy-pod-eviction-policy": "default",
    "priority-class-name": "optional",
    "privilege-escalation-container": "default",
    "privileged-container": "default",
    "privileged-ports": "optional",
    "read-secret-from-env-var": "optional",
    "readiness-port": "default",
    "required-annotation-email": "optional",
    "required-label-owner": "optional",
    "restart-policy": "optional",
    "run-as-non-root": "default",
    "scc-deny-privileged-container": "optional",
    "schema-validation": "optional",
    "sensitive-host-mounts": "default",
    "sorted-keys": "optional",
    "ssh-port": "default",
    "startup-port": "default",
    "unsafe-proc-mount": "optional",
    "unsafe-sysctls": "default",
    "unset-cpu-requirements": "default",
    "unset-memory-requirements": "default",
    "use-namespace": "optional",
    "wildcard-in-rules": "optional",
    "writable-host-mount": "optional",
  },
};

/** `README_CHECKS.md` (generated from the registered checks) at v1.20.0. */
export const KUBE_SCORE: UpstreamTool = {
  tool: "kube-score",
  version: "1.20.0",
  source: "zegl/kube-score README_CHECKS.md and score/**/*.go @ v1.20.0 (81371e9f53b633bec69423fc298295bd71bd869a)",
  checks: {
    "deployment-strategy": "default",
    "deployment-replicas": "default",
    "ingress-targets-service": "default",
    "cronjob-has-deadline": "default",
    "cronjob-restartpolicy": "default",
    "container-resources": "default",
    "container-resource-requests-equal-limits": "optional",
    "container-cpu-requests-equal-limits": "optional",
    "container-memory-requests-equal-limits": "optional",
    "container-image-tag": "default",
    "container-image-pull-policy": "default",
    "container-ephemeral-storage-request-and-limit": "default",
    "container-ephemeral-storage-request-equals-limit": "optional",
    "container-ports-check": "optional",
    "environment-variable-key-duplication": "default",
    "statefulset-has-poddisruptionbudget": "default",
    "deployment-has-poddisruptionbudget": "default",
    "poddisruptionbudget-has-policy": "default",
    "pod-networkpolicy": "default",
    "networkpolicy-targets-pod": "default",
    "pod-probes": "default",
    "pod-probes-identical": "default",
    "container-security-context-user-group-id": "default",
    "container-security-context-privileged": "default",
    "container-security-context-readonlyrootfilesystem": "default",
    "container-seccomp-profile": "optional",
    "service-targets-pod": "default",
    "service-type": "default",
    "stable-version": "default",
    "deployment-has-host-podantiaffinity": "default",
    "statefulset-has-host-podantiaffinity": "default",
    "deployment-targeted-by-hpa-does-not-have-replicas-configured": "default",
    "statefulset-has-servicename": "default",
    "deployment-pod-selector-labels-match-template-metadata-labels": "default",
    "statefulset-pod-selector-labels-match-template-metadata-labels": "default",
    "label-values": "default",
    "horizontalpodautoscaler-has-target": "default",
    "horizontalpodautoscaler-replicas": "default",
    "pod-topology-spread-constraints": "default",
  },
};

/** `pkg/config/default.yaml` (every check and its severity) and `pkg/config/checks/*.yaml` at 10.2.2. */
export const POLARIS: UpstreamTool = {
  tool: "polaris",
  version: "10.2.2",
  source: "FairwindsOps/polaris pkg/config/default.yaml and pkg/config/checks/*.yaml @ 10.2.2 (dafa0b74fc09a9505849b0a6f8c78f1c364d0112)",
  checks: {
    deploymentMissingReplicas: "warning",
    priorityClassNotSet: "warning",
    tagNotSpecified: "danger",
    pullPolicyNotAlways: "warning",
    readinessProbeMissing: "warning",
    livenessProbeMissing: "warning",
    metadataAndInstanceMismatched: "warning",
    pdbDisruptionsIsZero: "warning",
    missingPodDisruptionBudget: "warning",
    topologySpreadConstraint: "warning",
    hpaMaxAvailability: "warning",
    hpaMinAvailability: "warning",
    pdbMinAvailableGreaterThanHPAMinReplicas: "warning",
    cpuRequestsMissing: "warning",
    cpuLimitsMissing: "warning",
    memoryRequestsMissing: "warning",
    memoryLimitsMissing: "warning",
    automountServiceAccountToken: "warning",
    hostIPCSet: "danger",
    hostPathSet: "warning",
    hostProcess: "warning",
    hostPIDSet: "danger",
    linuxHardening: "warning",
    missingNetworkPolicy: "warning",
    notReadOnlyRootFilesystem: "warning",
    privilegeEscalationAllowed: "danger",
    procMount: "warning",
    runAsRootAllowed: "danger",
    runAsPrivileged: "danger",
    dangerousCapabilities: "danger",
    insecureCapabilities: "warning",
    hostNetworkSet: "danger",
    hostPortSet: "warning",
    tlsSettingsMissing: "warning",
    sensitiveContainerEnvVar: "danger",
    sensitiveConfigmapContent: "danger",
    clusterrolePodExecAttach: "danger",
    rolePodExecAttach: "danger",
    clusterrolebindingPodExecAttach: "danger",
    rolebindingClusterRolePodExecAttach: "danger",
    rolebindingRolePodExecAttach: "danger",
    clusterrolebindingClusterAdmin: "danger",
    rolebindingClusterAdminClusterRole: "danger",
    rolebindingClusterAdminRole: "danger",
  },
};

export const UPSTREAM: readonly UpstreamTool[] = [KUBE_LINTER, KUBE_SCORE, POLARIS];

/** `tool/check-id`, e.g. `kube-linter/latest-tag`. */
export function upstreamIds(): string[] {
  return UPSTREAM.flatMap(({ tool, checks }) => Object.keys(checks).map((id) => `${tool}/${id}`));
}

/**
 * Checks of this repository's own, beside the upstream ones, as `todo/<id>`:
 * what the review asked for and no tool above checks. None of the three
 * asks for a digest: kube-linter's latest-tag, kube-score's
 * container-image-tag and Polaris' tagNotSpecified look at the tag only.
 */
export const OWN_CHECKS: Readonly<Record<string, string>> = {
  "todo/image-digest": "every container image named by digest (issue 16), so a re-pushed tag cannot change what runs",
};

export function ownIds(): string[] {
  return Object.keys(OWN_CHECKS);
}
