/**
 * The shape of an environment's settings. Defaults live in defaults.ts;
 * environments/<env>.ts states only what differs; image references live in
 * environments/<env>.images.json so that `npm run release` can edit them.
 */
import type { ClusterFacts, PullPolicy } from "./cluster-facts.ts";

export type { PullPolicy };

/** The components whose images are released (`npm run release`). */
export const RELEASED_COMPONENTS = ["frontend", "backend"] as const;
export type ReleasedComponent = (typeof RELEASED_COMPONENTS)[number];

export interface ImageRef {
  repository: string;
  tag: string;
}

/** environments/<env>.images.json */
export type ImagesFile = Record<ReleasedComponent, ImageRef>;

/** environments/<env>.sealed.json (`npm run seal`): Secret name → key → sealed value. */
export type SealedValues = Record<string, Record<string, string>>;

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export interface ProbeSettings {
  path: string;
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
  /** Successes in a row that mark the container healthy again; Kubernetes accepts only 1 for liveness and startup. */
  successThreshold: number;
}

export interface ServiceSettings {
  type: "ClusterIP" | "NodePort";
  /** Port the Service exposes; the target is always the container port named `http`. */
  port: number;
  /** Only with type NodePort: a fixed port in 30000–32767. */
  nodePort?: number;
}

export interface AutoscalingSettings {
  enabled: boolean;
  minReplicas: number;
  maxReplicas: number;
  targetCPUUtilizationPercentage: number;
}

export interface AppSettings {
  image: ImageRef;
  pullPolicy: PullPolicy;
  /** Ignored while autoscaling is enabled: the HPA owns the replica count then. */
  replicas: number;
  resources: Resources;
  probes: { liveness: ProbeSettings; readiness: ProbeSettings; startup: ProbeSettings };
  service: ServiceSettings;
  autoscaling: AutoscalingSettings;
  /** Extra ConfigMap entries, merged over the component's own. */
  config: Record<string, string>;
  /**
   * Kubernetes API access the component really uses. Empty (the default): no
   * Role, and no service account token is mounted at all.
   */
  apiAccess: ApiAccessRule[];
}

export interface ApiAccessRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export interface MigrationSettings {
  /** Command run in the backend image before the backend rolls. */
  command: string[];
  backoffLimit: number;
  activeDeadlineSeconds: number;
}

export interface SmokeTestSettings {
  enabled: boolean;
  backoffLimit: number;
  activeDeadlineSeconds: number;
}

export interface DatabaseSettings {
  /** `in-cluster`: a PostgreSQL StatefulSet in the namespace. `external`: e.g. Neon; nothing is rendered. */
  mode: "in-cluster" | "external";
  /** PostgreSQL port, in-cluster or external (egress is opened to it for the external one). */
  port: number;
  /** URL scheme of the DATABASE_URL composed for the in-cluster database. */
  urlScheme: string;
  image: ImageRef;
  pullPolicy: PullPolicy;
  resources: Resources;
  storage: { size: string; accessMode: "ReadWriteOnce" | "ReadWriteOncePod" };
}

export interface IngressSettings {
  enabled: boolean;
  host: string;
  /**
   * Paths under `/api` that the frontend serves itself (Next.js route
   * handlers such as better-auth's `/api/auth`): longer prefixes win, so these
   * reach the frontend while the rest of `/api` goes to the backend.
   */
  frontendApiPrefixes: string[];
  /** TLS is on when a Secret name is given (a kubernetes.io/tls Secret in the namespace). */
  tlsSecretName?: string;
}

export interface NamespaceSettings {
  /** ResourceQuota `spec.hard`. */
  quota: Record<string, string>;
  /** LimitRange defaults and bounds for each container. */
  containerLimits: {
    defaultRequest: { cpu: string; memory: string };
    default: { cpu: string; memory: string };
    max: { cpu: string; memory: string };
  };
}

/** In-cluster Redis behind the Dapr state store and pub/sub (rendered only while Dapr is on). */
export interface RedisSettings {
  image: ImageRef;
  pullPolicy: PullPolicy;
  resources: Resources;
}

/** A Dapr sidecar on the backend, with Redis-backed Components and an mTLS Configuration. */
export interface DaprSettings {
  enabled: boolean;
  /** The backend's Dapr app-id: the Components are scoped to it. A DNS-1123 label. */
  appId: string;
  /** The injected daprd container's requests and limits (pod annotations). */
  sidecar: { resources: Resources };
  redis: RedisSettings;
  /** Spans written to the sidecar's log (no collector is reachable: NetworkPolicies admit none). */
  tracing: { enabled: boolean; samplingRate: string };
  /** Prometheus metrics on the sidecar's port 9090 (no scraper is admitted by the NetworkPolicies yet). */
  metrics: { enabled: boolean };
}

export interface Settings {
  /** The environment's name, taken from its file name. */
  name: string;
  namespace: string;
  cluster: ClusterFacts;
  /** Value of the recommended `app.kubernetes.io/part-of` label. */
  partOf: string;
  namespaceSettings: NamespaceSettings;
  frontend: AppSettings;
  backend: AppSettings & { migration: MigrationSettings };
  database: DatabaseSettings;
  ingress: IngressSettings;
  smokeTest: SmokeTestSettings;
  /** Sealed Secret values, rendered as SealedSecrets; a Secret not sealed here is created by hand. */
  sealedSecrets: SealedValues;
  /** Node labels every pod of the environment requires (each pod's `nodeSelector`). */
  nodeSelector: Record<string, string>;
  /** docker-registry Secrets on every ServiceAccount, for images from a private registry. */
  imagePullSecrets: string[];
  dapr: DaprSettings;
}

/** What environments/<env>.ts may state: any part of the settings, nothing computed. */
export type EnvironmentOverrides = DeepPartial<
  Omit<Settings, "name" | "cluster" | "frontend" | "backend" | "sealedSecrets">
> & {
  frontend?: DeepPartial<Omit<AppSettings, "image">>;
  backend?: DeepPartial<Omit<Settings["backend"], "image">>;
};

export type DeepPartial<T> = T extends readonly (infer _U)[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Gives an environment file its type. */
export function defineEnvironment(overrides: EnvironmentOverrides): EnvironmentOverrides {
  return overrides;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep merge: objects merge key by key, arrays and scalars replace. Inputs are not modified. */
export function merge<T>(base: T, override: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(override)) {
    return (override === undefined ? structuredClone(base) : structuredClone(override)) as T;
  }
  const out: Record<string, unknown> = structuredClone(base);
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    out[key] = key in out ? merge(out[key], value) : structuredClone(value);
  }
  return out as T;
}
