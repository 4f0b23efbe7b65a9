/**
 * cert-manager as a control plane (argocd/apps/application-cert-manager.yaml):
 * the official chart's values, and the cluster's own certificate authority,
 * which the chart installs along with itself (its `extraObjects` value) while
 * an environment uses it.
 *
 * The local CA is a chain cert-manager creates and keeps: a self-signed
 * ClusterIssuer signs the CA certificate (its key in the Secret
 * `todo-local-ca` in cert-manager's namespace), and the CA ClusterIssuer
 * signs every environment's certificate with it. One root for the whole
 * cluster: a workstation trusts it once (README, "TLS").
 */
import type { ICertificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import type { IClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import { stringify } from "yaml";
import type { ClusterFacts } from "../cluster-facts.ts";
import type { KubeObject } from "../kube-object.ts";
import { recommendedLabels } from "../lib/labels.ts";
import { SYNC_WAVE_ANNOTATION } from "../lib/sync-waves.ts";
import { GENERATOR_VERSION } from "../version.ts";

export const LOCAL_CA = {
  /** Signs the CA certificate, and nothing else. */
  selfSignedIssuer: "todo-selfsigned",
  /** The CA certificate, in cert-manager's namespace (a ClusterIssuer reads its Secret there). */
  certificate: "todo-local-ca",
  /** Holds the CA's key and certificate (`ca.crt` is the root to trust). */
  secretName: "todo-local-ca",
  /** Signs the environments' certificates. */
  clusterIssuer: "todo-local-ca",
} as const;

/**
 * Argo CD sync waves inside the cert-manager Application. The chart's own
 * objects carry none (wave 0), so the CRDs are established and the webhook
 * serves before the first issuer is created; then each link of the chain
 * waits for the one before to be Ready. Argo CD fails a sync step whose
 * object turns Degraded (gitops-engine sync_context.go), and a CA issuer
 * created before its Secret exists reports Ready=False: hence three waves.
 */
const LOCAL_CA_WAVES = { selfSignedIssuer: "1", certificate: "2", clusterIssuer: "3" } as const;

function caMetadata(name: string, wave: string, partOf: string, namespace?: string) {
  return {
    name,
    ...(namespace ? { namespace } : {}),
    labels: recommendedLabels({ name, instance: LOCAL_CA.clusterIssuer, version: GENERATOR_VERSION, component: "certificate-authority", partOf }),
    annotations: { [SYNC_WAVE_ANNOTATION]: wave },
  };
}

/** The cluster's certificate authority: self-signed issuer → CA certificate → CA ClusterIssuer. */
export function localCertificateAuthority(cluster: ClusterFacts, partOf: string): KubeObject[] {
  const selfSigned: IClusterIssuer = {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: caMetadata(LOCAL_CA.selfSignedIssuer, LOCAL_CA_WAVES.selfSignedIssuer, partOf),
    spec: { selfSigned: {} },
  };
  const caCertificate: ICertificate = {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: caMetadata(LOCAL_CA.certificate, LOCAL_CA_WAVES.certificate, partOf, cluster.certManager.namespace),
    spec: {
      isCA: true,
      commonName: `Todo chatbot local CA (${cluster.name})`,
      subject: { organizations: [partOf] },
      secretName: LOCAL_CA.secretName,
      // Ten years, and the same key if it is ever renewed: the root a workstation
      // trusts must not change under it every 60 days (cert-manager's default: 90-day certificates).
      duration: "87600h",
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Never" },
      issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: LOCAL_CA.selfSignedIssuer },
    },
  };
  const caIssuer: IClusterIssuer = {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: caMetadata(LOCAL_CA.clusterIssuer, LOCAL_CA_WAVES.clusterIssuer, partOf),
    spec: { ca: { secretName: LOCAL_CA.secretName } },
  };
  return [selfSigned, caCertificate, caIssuer];
}

/**
 * The chart's values (deploy/charts/cert-manager/values.yaml at the pinned
 * tag). Its pods already meet the restricted Pod Security Standard with the
 * chart's defaults (securityContext: runAsNonRoot, seccomp RuntimeDefault;
 * containerSecurityContext: no privilege escalation, ALL capabilities
 * dropped, read-only root filesystem), so those are left as they are.
 */
export function certManagerValues(cluster: ClusterFacts, extraObjects: KubeObject[]): Record<string, unknown> {
  return {
    // The CRDs come with the chart (off by default) and carry `helm.sh/resource-policy: keep`,
    // which Argo CD honours like Delete=false (docs/user-guide/helm.md): deleting the
    // Application must not delete the CRDs, and with them every Certificate in the cluster.
    crds: { enabled: true, keep: true },
    // The leader-election Leases in cert-manager's own namespace: the default, kube-system,
    // would need Roles there and a second destination in the project.
    global: { leaderElection: { namespace: cluster.certManager.namespace } },
    // A post-install Helm hook (an Argo CD PostSync Job) that only checks the API server
    // reaches the webhook. Every cert-manager object is admitted through that webhook, so
    // the local CA's issuers (or an environment's Certificate) make the same check.
    startupapicheck: { enabled: false },
    // Rendered by the chart through `tpl`, one YAML document each (templates/extras-objects.yaml).
    ...(extraObjects.length ? { extraObjects: extraObjects.map((object) => stringify(JSON.parse(JSON.stringify(object)), { version: "1.1", lineWidth: 0 })) } : {}),
  };
}
