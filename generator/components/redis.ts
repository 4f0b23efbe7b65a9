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

/** Where the password file (todo-redis-secret's REDIS_PASSWORD key) is mounted, read-only. */
export const REDIS_SECRET_DIR = "/etc/redis/secret";
/** A memory-backed scratch directory for the generated ACL line (never on the node's disk). */
export const REDIS_AUTH_DIR = "/run/redis";

/**
 * Starts redis-server with its password from the mounted Secret, never on its
 * command line: `--requirepass $(REDIS_PASSWORD)` put the password into the
 * container's argv, which the kubelet expands from the pod spec and every
 * process on the node can read (/proc/<pid>/cmdline). Here the script writes
 * an ACL rule for the default user holding only the password's SHA-256
 * (`#<hash>`, Redis ACL syntax since 6.0), so neither argv nor any file holds
 * the plaintext, and no quoting of the password is involved. Clients
 * (redis-cli with REDISCLI_AUTH, Dapr's redisPassword) still authenticate
 * with `AUTH <password>` as the default user. The redis:8.6.5-alpine image is
 * Alpine with busybox (sh, sha256sum, cut: redis/docker-library-redis,
 * alpine/Dockerfile). "$@" are the container's args, the server's options.
 */
export const REDIS_START = [
  "set -eu",
  `secret=${REDIS_SECRET_DIR}/${REDIS_SECRET.keys[0]}`,
  `[ -s "$secret" ] || { echo "redis: $secret is missing or empty (Secret ${REDIS_SECRET.name}, key ${REDIS_SECRET.keys[0]})" >&2; exit 1; }`,
  "umask 077",
  `printf 'user default on #%s ~* &* +@all\\n' "$(sha256sum < "$secret" | cut -d ' ' -f 1)" > ${REDIS_AUTH_DIR}/auth.conf`,
  `exec redis-server ${REDIS_AUTH_DIR}/auth.conf "$@"`,
].join("\n");

/**
 * Alive while the server answers at all (startup and liveness): redis-cli
 * exits 0 on any reply — PONG, or an error such as LOADING or BUSY from a
 * server that is up but not ready — and 1 when it cannot connect (only its
 * `-e` option turns an error reply into exit 1). Readiness (REDIS_PING) wants
 * PONG. generator/pod-commands/redis-commands.test.ts runs both against a
 * serving, a busy and a stopped redis-server.
 */
export const REDIS_ALIVE = `redis-cli -h 127.0.0.1 -p ${redisImage.port} ping >/dev/null`;

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
              // Not the image's entrypoint, which would also load its bundled modules, which Dapr does not use.
              // "redis-server" is the script's $0; the args below are the server's options.
              command: ["sh", "-c", REDIS_START, "redis-server"],
              args: [
                "--port",
                String(port),
                // No RDB snapshots; the append-only file is off by default (and "no" would be a boolean to Kubernetes' YAML 1.1 parser).
                "--save",
                "",
                "--dir",
                redisImage.writablePaths[0]!,
                ...(maxMemory !== undefined ? ["--maxmemory", String(maxMemory), "--maxmemory-policy", "noeviction"] : []),
              ],
              ports: [{ name: "redis", containerPort: port, protocol: "TCP" }],
              // Only for the probes' redis-cli, which reads it from its environment, not its argv.
              env: [{ name: "REDISCLI_AUTH", valueFrom: password }],
              // hardenedPodSpec adds the ephemeral storage; the memory-backed "auth" emptyDir counts against the memory limit instead.
              resources: structuredClone(config.resources),
              startupProbe: execProbe(REDIS_ALIVE, { initialDelaySeconds: 0, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 15 }),
              livenessProbe: execProbe(REDIS_ALIVE, { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 }),
              readinessProbe: execProbe(REDIS_PING, { initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 }),
              volumeMounts: [
                { name: "password", mountPath: REDIS_SECRET_DIR, readOnly: true },
                { name: "auth", mountPath: REDIS_AUTH_DIR },
              ],
            },
          ],
          volumes: [
            {
              name: "password",
              // Only the one key; 0440 and the pod's fsGroup let the redis user, and nobody else, read it.
              secret: { secretName: REDIS_SECRET.name, items: [{ key: REDIS_PASSWORD_KEY, path: REDIS_PASSWORD_KEY }], defaultMode: 0o440 },
            },
            { name: "auth", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
          ],
          writableDirectoriesFirst: true,
        }),
      },
    },
  };

  return [serviceAccount(settings, REDIS, version), service, deployment];
}
