/**
 * In-cluster Redis behind Dapr's state store and pub/sub, rendered only while
 * Dapr is on.
 *
 * Explicitly ephemeral: a Deployment on an emptyDir, with RDB snapshots and
 * the append-only file off. The source of truth is PostgreSQL; what
 * the backend keeps here is conversation cache and in-flight events, which
 * a restart may drop. A PVC would keep data that nothing needs across
 * restarts, take the namespace's second PVC (the quota allows two; the
 * database holds one), and leave a half-written file to recover from after
 * an OOM kill. Need durable state? Give Redis a PVC and `--appendonly yes`.
 */
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IEnvVarSource } from "kubernetes-models/v1/EnvVarSource";
import type { IService } from "kubernetes-models/v1/Service";
import { redisImage } from "../images.ts";
import type { KubeObject } from "../kube-object.ts";
import { imageReference, serviceAccount } from "../lib/app-workload.ts";
import { identity, labels, selectorLabels } from "../lib/labels.ts";
import { metadata } from "../lib/metadata.ts";
import { execProbe } from "../lib/probes.ts";
import { parseQuantity } from "../lib/quantity.ts";
import { hardenedPodSpec } from "../lib/security.ts";
import { serviceHost } from "../lib/service-dns.ts";
import { sealedSecretsAnnotations } from "../lib/secret-checksum.ts";
import { SYNC_WAVE } from "../lib/sync-waves.ts";
import { REDIS_SECRET } from "../secrets.ts";
import type { Settings } from "../settings.ts";

export const REDIS = identity("redis");
export const REDIS_PASSWORD_KEY = REDIS_SECRET.keys[0];

/** `host:port` of the Redis Service, as Dapr's redisHost wants it. */
export function redisHost(settings: Settings): string {
  return `${serviceHost(settings, REDIS.name)}:${redisImage.port}`;
}

/** redis-cli reads the password from REDISCLI_AUTH, so it never appears in a process list. */
export const REDIS_PING = `[ "$(redis-cli -h 127.0.0.1 -p ${redisImage.port} ping)" = PONG ]`;

/**
 * Redis answers writes with an error once it holds this much, instead of
 * growing until the kernel kills it: three quarters of the memory limit.
 */
export function maxMemoryBytes(memoryLimit: string): number | undefined {
  const limit = parseQuantity(memoryLimit);
  return limit === undefined ? undefined : Math.floor(limit * 0.75);
}

export function redis(settings: Settings): KubeObject[] {
  if (!settings.dapr.enabled) return [];
  const { redis: config } = settings.dapr;
  const version = config.image.tag;
  const port = redisImage.port;
  const password: IEnvVarSource = { secretKeyRef: { name: REDIS_SECRET.name, key: REDIS_PASSWORD_KEY } };
  const maxMemory = maxMemoryBytes(config.resources.limits.memory);

  const service: IService = {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(settings, REDIS, { version, wave: SYNC_WAVE.service }),
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(settings, REDIS),
      ports: [{ name: "redis", port, targetPort: "redis", protocol: "TCP" }],
    },
  };

  const deployment: IDeployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(settings, REDIS, { version, wave: SYNC_WAVE.database }),
    spec: {
      replicas: 1,
      selector: { matchLabels: selectorLabels(settings, REDIS) },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: labels(settings, REDIS, version), ...sealedSecretsAnnotations(settings, [REDIS_SECRET.name]) },
        spec: hardenedPodSpec({
          settings,
          serviceAccountName: REDIS.name,
          image: redisImage,
          containers: [
            {
              name: "redis",
              image: imageReference(config),
              imagePullPolicy: config.pullPolicy,
              // redis-server directly: the image's entrypoint would also load its bundled modules, which Dapr does not use.
              command: ["redis-server"],
              // Kubernetes expands $(REDIS_PASSWORD) from the env below; the manifest holds only the reference.
              args: [
                "--port",
                String(port),
                "--requirepass",
                "$(REDIS_PASSWORD)",
                // No RDB snapshots; the append-only file is off by default (and "no" would be a boolean to Kubernetes' YAML 1.1 parser).
                "--save",
                "",
                "--dir",
                redisImage.writablePaths[0]!,
                ...(maxMemory !== undefined ? ["--maxmemory", String(maxMemory), "--maxmemory-policy", "noeviction"] : []),
              ],
              ports: [{ name: "redis", containerPort: port, protocol: "TCP" }],
              env: [
                { name: "REDIS_PASSWORD", valueFrom: password },
                { name: "REDISCLI_AUTH", valueFrom: password },
              ],
              resources: structuredClone(config.resources),
              startupProbe: execProbe(REDIS_PING, { initialDelaySeconds: 0, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 15 }),
              livenessProbe: execProbe(REDIS_PING, { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 }),
              readinessProbe: execProbe(REDIS_PING, { initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 }),
            },
          ],
        }),
      },
    },
  };

  return [serviceAccount(settings, REDIS, version), service, deployment];
}
