/**
 * In-cluster PostgreSQL: a single-replica StatefulSet on a PersistentVolumeClaim,
 * behind a headless Service. With an external database (e.g. Neon) nothing
 * is rendered here.
 */
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import type { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import type { IService } from "kubernetes-models/v1/Service";
import { postgresImage } from "../images.ts";
import type { KubeObject } from "../kube-object.ts";
import { imageReference, serviceAccount } from "../lib/app-workload.ts";
import { identity, labels, selectorLabels } from "../lib/labels.ts";
import { metadata } from "../lib/metadata.ts";
import { execProbe } from "../lib/probes.ts";
import { hardenedPodSpec } from "../lib/security.ts";
import { sealedSecretsAnnotations } from "../lib/secret-checksum.ts";
import { SYNC_WAVE } from "../lib/sync-waves.ts";
import { DATABASE_SECRET } from "../secrets.ts";
import type { Settings } from "../settings.ts";
import { KEEP_ON_DELETE } from "./namespace.ts";

export const DATABASE = identity("database");
export const DATABASE_PVC = `${DATABASE.name}-pvc`;

/** Asks the server itself, over TCP, with the credentials the app uses: exit 0 while it accepts connections (readiness). */
export const PG_ISREADY = 'pg_isready -h 127.0.0.1 -p "$PGPORT" -U "$POSTGRES_USER" -d "$POSTGRES_DB"';

/**
 * Alive while the server answers at all (startup and liveness): pg_isready
 * exits 1 when the server is up but refuses connections — starting, shutting
 * down or in crash recovery, which may take longer than any probe window —
 * and 2 when nothing answers (PostgreSQL docs, "pg_isready", Exit Status).
 * Restarting a server in recovery only starts the recovery again.
 */
export const PG_ALIVE = `${PG_ISREADY} -q; [ $? -le 1 ]`;

export function database(settings: Settings): KubeObject[] {
  const db = settings.database;
  if (db.mode !== "in-cluster") return [];
  const version = db.image.tag;
  const dataDir = postgresImage.dataPath;

  const pvc: IPersistentVolumeClaim = {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: metadata(settings, DATABASE, {
      name: DATABASE_PVC,
      version,
      wave: SYNC_WAVE.database,
      annotations: KEEP_ON_DELETE,
    }),
    spec: {
      storageClassName: settings.cluster.storageClass,
      accessModes: [db.storage.accessMode],
      resources: { requests: { storage: db.storage.size } },
    },
  };

  const service: IService = {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadata(settings, DATABASE, { version, wave: SYNC_WAVE.service }),
    spec: {
      // Headless: the StatefulSet's governing Service; its name resolves to the pod.
      clusterIP: "None",
      selector: selectorLabels(settings, DATABASE),
      ports: [{ name: "postgres", port: db.port, targetPort: "postgres", protocol: "TCP" }],
    },
  };

  const statefulSet: IStatefulSet = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: metadata(settings, DATABASE, { version, wave: SYNC_WAVE.database }),
    spec: {
      serviceName: DATABASE.name,
      replicas: 1,
      selector: { matchLabels: selectorLabels(settings, DATABASE) },
      updateStrategy: { type: "RollingUpdate" },
      template: {
        metadata: { labels: labels(settings, DATABASE, version), ...sealedSecretsAnnotations(settings, [DATABASE_SECRET.name]) },
        spec: hardenedPodSpec({
          settings,
          serviceAccountName: DATABASE.name,
          image: postgresImage,
          containers: [
            {
              name: "postgres",
              image: imageReference(db),
              imagePullPolicy: db.pullPolicy,
              ports: [{ name: "postgres", containerPort: db.port, protocol: "TCP" }],
              env: [
                ...DATABASE_SECRET.keys.map((key) => ({
                  name: key,
                  valueFrom: { secretKeyRef: { name: DATABASE_SECRET.name, key } },
                })),
                { name: "PGPORT", value: String(db.port) },
                // A subdirectory: the volume's root may hold lost+found, which initdb refuses.
                { name: "PGDATA", value: `${dataDir}/pgdata` },
              ],
              resources: structuredClone(db.resources),
              startupProbe: execProbe(PG_ALIVE, { initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 12 }),
              livenessProbe: execProbe(PG_ALIVE, { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 }),
              readinessProbe: execProbe(PG_ISREADY, { initialDelaySeconds: 0, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 }),
              lifecycle: {
                // SIGTERM asks PostgreSQL for a "smart" shutdown, which waits for clients;
                // a fast shutdown fits the 10 s grace period and needs no crash recovery.
                preStop: { exec: { command: ["sh", "-c", 'pg_ctl stop -D "$PGDATA" -m fast -w -t 8'] } },
              },
              volumeMounts: [{ name: "data", mountPath: dataDir }],
            },
          ],
          volumes: [{ name: "data", persistentVolumeClaim: { claimName: DATABASE_PVC } }],
        }),
      },
    },
  };

  return [serviceAccount(settings, DATABASE, version), pvc, service, statefulSet];
}
