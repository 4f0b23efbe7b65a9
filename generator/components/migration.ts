/**
 * The database migration, as an Argo CD Sync hook in the wave between the
 * database and the backend: it runs on every sync, once the database is
 * healthy and before the new backend rolls. Not PreSync: on a first install
 * neither the Secrets' consumers nor the database exist at PreSync.
 */
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import { backendImage, postgresImage } from "../images.ts";
import type { KubeObject } from "../kube-object.ts";
import { imageReference, serviceAccount } from "../lib/app-workload.ts";
import { identity, labels } from "../lib/labels.ts";
import { metadata } from "../lib/metadata.ts";
import { serviceHost } from "../lib/service-dns.ts";
import { type ContainerSpec, hardenedPodSpec } from "../lib/security.ts";
import { SYNC_WAVE } from "../lib/sync-waves.ts";
import { DATABASE_SECRET } from "../secrets.ts";
import type { Settings } from "../settings.ts";
import { databaseUrlEnv } from "./backend.ts";
import { DATABASE } from "./database.ts";

export const MIGRATION = identity("migration");

/**
 * Failed hooks stay for `kubectl logs` until the next sync replaces them;
 * succeeded ones are removed at once.
 */
export const HOOK_DELETE_POLICY = "BeforeHookCreation,HookSucceeded";

export function hookAnnotations(hook: "Sync" | "PostSync"): Record<string, string> {
  return { "argocd.argoproj.io/hook": hook, "argocd.argoproj.io/hook-delete-policy": HOOK_DELETE_POLICY };
}

/**
 * Polls until PostgreSQL accepts connections. pg_isready needs no password,
 * but libpq needs a user name: without one it asks /etc/passwd for the
 * process's uid, and the postgres image's /etc/passwd has no entry for the
 * Job's uid (1000; the image adds only `postgres`, uid 70:
 * docker-library/postgres 17/alpine3.22/Dockerfile), so pg_isready would
 * answer "no attempt" (exit 3) without connecting, forever. Everything comes
 * from libpq's PG* variables, the user and database being the app's own (a
 * wrong name would only log failed connections on the server).
 */
export const WAIT_FOR_DATABASE = 'until pg_isready; do sleep 2; done';

function waitForDatabaseEnv(settings: Settings): IEnvVar[] {
  const fromDatabaseSecret = (name: string, key: (typeof DATABASE_SECRET.keys)[number]): IEnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: DATABASE_SECRET.name, key } },
  });
  return [
    { name: "PGHOST", value: serviceHost(settings, DATABASE.name) },
    { name: "PGPORT", value: String(settings.database.port) },
    fromDatabaseSecret("PGUSER", "POSTGRES_USER"),
    fromDatabaseSecret("PGDATABASE", "POSTGRES_DB"),
  ];
}

export function migration(settings: Settings): KubeObject[] {
  const { backend, database } = settings;
  const version = backend.image.tag;
  const waitForDatabase: ContainerSpec = {
    name: "wait-for-database",
    image: imageReference(database),
    imagePullPolicy: database.pullPolicy,
    command: ["sh", "-c", WAIT_FOR_DATABASE],
    env: waitForDatabaseEnv(settings),
    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
  };
  const job: IJob = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: metadata(settings, MIGRATION, { version, wave: SYNC_WAVE.migration, annotations: hookAnnotations("Sync") }),
    spec: {
      backoffLimit: backend.migration.backoffLimit,
      activeDeadlineSeconds: backend.migration.activeDeadlineSeconds,
      template: {
        metadata: { labels: labels(settings, MIGRATION, version) },
        spec: hardenedPodSpec({
          settings,
          serviceAccountName: MIGRATION.name,
          image: backendImage,
          restartPolicy: "Never",
          initContainers: database.mode === "in-cluster" ? [waitForDatabase] : [],
          containers: [
            {
              name: "migrate",
              image: imageReference(backend),
              imagePullPolicy: backend.pullPolicy,
              command: [...backend.migration.command],
              // Only the database: alembic needs nothing else, least of all the auth secret or the OpenAI key.
              env: databaseUrlEnv(settings),
              resources: structuredClone(backend.resources),
            },
          ],
        }),
      },
    },
  };
  return [serviceAccount(settings, MIGRATION, version), job];
}
