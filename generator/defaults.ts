/**
 * Shared defaults for every environment, from the design documents in the
 * seeds. An environment file overrides only what differs (see environments/).
 */
import type { ClusterFacts } from "./cluster-facts.ts";
import { backendImage, frontendImage, postgresImage, redisImage } from "./images.ts";
import type { AppSettings, ImagesFile, ProbeSettings, SealedValues, Settings } from "./settings.ts";

function probe(path: string, periodSeconds: number, timeoutSeconds: number, failureThreshold: number): ProbeSettings {
  return { path, initialDelaySeconds: 0, periodSeconds, timeoutSeconds, failureThreshold, successThreshold: 1 };
}

/**
 * Probe timings from the seeds' ProbeConfig table: liveness every 10 s
 * (2 s timeout, 3 failures), readiness every 5 s (5 s, 3), startup every 5 s
 * (2 s, 6 failures: a 30 s window before liveness takes over). One success
 * ends a failure for every probe: Kubernetes requires successThreshold 1 for
 * liveness and startup, and a readiness probe that must pass twice would only
 * keep a recovered pod out of its Service for longer.
 */
function probes(live: string, ready: string): AppSettings["probes"] {
  return {
    liveness: probe(live, 10, 2, 3),
    readiness: probe(ready, 5, 5, 3),
    startup: probe(live, 5, 2, 6),
  };
}

/** One replica, no autoscaling: the autoscaler bounds apply once an environment enables it. */
const noAutoscaling = { enabled: false, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 80 };

export function defaultSettings(name: string, cluster: ClusterFacts, images: ImagesFile, sealedSecrets: SealedValues = {}): Settings {
  return {
    name,
    namespace: `todo-${name}`,
    cluster,
    partOf: "todo-chatbot",
    namespaceSettings: {
      // Room for every workload at its largest (HPA maximum plus the rolling-update
      // surge) and both hook Jobs; the settings check refuses a quota that is too small.
      quota: {
        "requests.cpu": "4",
        "requests.memory": "8Gi",
        "limits.cpu": "12",
        "limits.memory": "16Gi",
        pods: "30",
        persistentvolumeclaims: "2",
        "services.nodeports": "2",
        "services.loadbalancers": "0",
      },
      // Applies to any container that states no resources of its own (e.g. a sidecar).
      containerLimits: {
        defaultRequest: { cpu: "100m", memory: "128Mi" },
        default: { cpu: "500m", memory: "512Mi" },
        max: { cpu: "2", memory: "2Gi" },
      },
    },
    frontend: {
      image: images.frontend,
      pullPolicy: "IfNotPresent",
      replicas: 1,
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
      probes: probes(frontendImage.health.live, frontendImage.health.ready),
      service: { type: "ClusterIP", port: frontendImage.port },
      autoscaling: noAutoscaling,
      config: {},
      apiAccess: [],
    },
    backend: {
      image: images.backend,
      pullPolicy: "IfNotPresent",
      replicas: 1,
      resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1000m", memory: "1Gi" } },
      probes: probes(backendImage.health.live, backendImage.health.ready),
      service: { type: "ClusterIP", port: backendImage.port },
      autoscaling: noAutoscaling,
      // CORS_ORIGINS defaults to the environment's own Ingress URL (see components/backend.ts).
      config: {
        ENVIRONMENT: name,
        LOG_LEVEL: "INFO",
        PYTHONUNBUFFERED: "1",
        JWT_ALGORITHM: "HS256",
        JWT_EXPIRATION_DAYS: "7",
      },
      apiAccess: [],
      migration: { command: ["alembic", "upgrade", "head"], backoffLimit: 2, activeDeadlineSeconds: 300 },
    },
    database: {
      mode: "in-cluster",
      port: postgresImage.port,
      urlScheme: "postgresql",
      image: { repository: postgresImage.repository, tag: "17.6-alpine" },
      pullPolicy: "IfNotPresent",
      resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
      storage: { size: "1Gi", accessMode: "ReadWriteOnce" },
    },
    ingress: { enabled: true, host: `${name}.todo.local`, frontendApiPrefixes: ["/api/auth"] },
    smokeTest: { enabled: true, backoffLimit: 1, activeDeadlineSeconds: 120 },
    // Any node: Minikube has one. Set node labels to pin an environment's pods to some nodes.
    nodeSelector: {},
    // None: Minikube runs images from its own store. Name `kubectl create secret docker-registry`
    // Secrets here for a private registry; they are created by hand, like every unsealed Secret.
    imagePullSecrets: [],
    // Off unless an environment turns it on: it needs the Dapr control plane
    // (argocd/apps/application-dapr.yaml) and the todo-redis-secret Secret.
    dapr: {
      enabled: false,
      appId: "todo-backend",
      // daprd idles at about 50Mi; the limit leaves room for the Redis clients and bursts.
      sidecar: { resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } } },
      redis: {
        image: { repository: redisImage.repository, tag: "8.6.4-alpine" },
        pullPolicy: "IfNotPresent",
        resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "256Mi" } },
      },
      tracing: { enabled: false, samplingRate: "1" },
      metrics: { enabled: false },
    },
    sealedSecrets,
  };
}
