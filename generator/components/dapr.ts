/**
 * Dapr on the backend: the Configuration its sidecar loads (`dapr-config`:
 * tracing and metrics; mTLS is the control plane's), the Redis-backed Components `statestore` and `pubsub` scoped to
 * the backend's app-id, and the pod annotations that ask the Dapr injector
 * for the sidecar. With Dapr off nothing here renders.
 *
 * The control plane itself is cluster-wide: argocd.ts installs it from the
 * official chart (argocd/apps/application-dapr.yaml).
 */
import { type DaprComponent, type DaprConfiguration, type DaprMetadataItem, DAPR_API_VERSION } from "../dapr/models.ts";
import { backendImage } from "../images.ts";
import type { KubeObject } from "../kube-object.ts";
import { identity } from "../lib/labels.ts";
import { metadata } from "../lib/metadata.ts";
import { SYNC_WAVE, type SyncWave } from "../lib/sync-waves.ts";
import { REDIS_SECRET } from "../secrets.ts";
import type { Settings } from "../settings.ts";
import { GENERATOR_VERSION } from "../version.ts";
import { REDIS_PASSWORD_KEY, redisHost } from "./redis.ts";

export const DAPR = identity("dapr");
export const DAPR_CONFIGURATION = "dapr-config";
export const STATE_STORE = "statestore";
export const PUB_SUB = "pubsub";

/** Component `secretKeyRef`s are read by the Dapr operator from Secrets in the Component's namespace. */
export const KUBERNETES_SECRET_STORE = "kubernetes";

/**
 * The Dapr CRDs come with the control plane (another Application): if they
 * are not there yet, Argo CD's dry run would fail the whole sync. Skipped,
 * the apply fails alone, and the Application's retry picks it up.
 */
const SKIP_DRY_RUN = { "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true" };

function daprMetadata(settings: Settings, name: string, wave: SyncWave) {
  return { ...metadata(settings, DAPR, { name, version: GENERATOR_VERSION, wave, annotations: SKIP_DRY_RUN }), namespace: settings.namespace };
}

/**
 * What the backend's sidecar loads (`dapr.io/config`): tracing and metrics.
 * mTLS is not here: Dapr takes it only from the control plane's `daprsystem`
 * Configuration (docs: operations/security/mtls), which the chart writes from
 * its global.mtls values (daprValues in argocd.ts: on, 24h, 15m).
 */
export function daprConfiguration(settings: Settings): DaprConfiguration {
  const { dapr } = settings;
  return {
    apiVersion: DAPR_API_VERSION,
    kind: "Configuration",
    metadata: daprMetadata(settings, DAPR_CONFIGURATION, SYNC_WAVE.daprConfiguration),
    spec: {
      ...(dapr.tracing.enabled ? { tracing: { samplingRate: dapr.tracing.samplingRate, stdout: true } } : {}),
      metric: { enabled: dapr.metrics.enabled },
    },
  };
}

/** A Redis-backed Component: the Service's address, the password by reference, loadable by the backend only. */
function redisComponent(settings: Settings, name: string, type: string): DaprComponent {
  const items: DaprMetadataItem[] = [
    { name: "redisHost", value: redisHost(settings) },
    { name: "redisPassword", secretKeyRef: { name: REDIS_SECRET.name, key: REDIS_PASSWORD_KEY } },
  ];
  return {
    apiVersion: DAPR_API_VERSION,
    kind: "Component",
    metadata: daprMetadata(settings, name, SYNC_WAVE.daprComponents),
    spec: { type, version: "v1", metadata: items },
    auth: { secretStore: KUBERNETES_SECRET_STORE },
    scopes: [settings.dapr.appId],
  };
}

export function daprComponents(settings: Settings): DaprComponent[] {
  return [redisComponent(settings, STATE_STORE, "state.redis"), redisComponent(settings, PUB_SUB, "pubsub.redis")];
}

export function dapr(settings: Settings): KubeObject[] {
  if (!settings.dapr.enabled) return [];
  return [daprConfiguration(settings), ...daprComponents(settings)];
}

/**
 * What the backend's pod template asks of the Dapr injector. Besides the
 * sidecar itself:
 * - the sidecar's requests and limits, so it fits the quota like any container;
 * - seccomp RuntimeDefault on the daprd container (restricted PSS; the chart
 *   adds drop-ALL and runAsNonRoot, see argocd.ts);
 * - no built-in Kubernetes secret store: the pod mounts no API token, and
 *   that store would crash the sidecar without one. Components' secretKeyRefs
 *   do not need it: the operator resolves them.
 */
export function daprPodAnnotations(settings: Settings): Record<string, string> {
  const { dapr } = settings;
  if (!dapr.enabled) return {};
  const { requests, limits } = dapr.sidecar.resources;
  return {
    "dapr.io/enabled": "true",
    "dapr.io/app-id": dapr.appId,
    "dapr.io/app-port": String(backendImage.port),
    "dapr.io/config": DAPR_CONFIGURATION,
    "dapr.io/sidecar-cpu-request": requests.cpu,
    "dapr.io/sidecar-cpu-limit": limits.cpu,
    "dapr.io/sidecar-memory-request": requests.memory,
    "dapr.io/sidecar-memory-limit": limits.memory,
    "dapr.io/sidecar-seccomp-profile-type": "RuntimeDefault",
    "dapr.io/disable-builtin-k8s-secret-store": "true",
  };
}
