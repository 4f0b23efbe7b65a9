/** The FastAPI backend: ConfigMap, Deployment, Service (and HPA/PDB when scaled). */
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import { backendImage } from "../images.ts";
import type { KubeObject } from "../kube-object.ts";
import { appWorkload } from "../lib/app-workload.ts";
import { identity } from "../lib/labels.ts";
import { metadata } from "../lib/metadata.ts";
import { serviceHost } from "../lib/service-dns.ts";
import { SYNC_WAVE } from "../lib/sync-waves.ts";
import { BACKEND_SECRET, DATABASE_SECRET, REDIS_SECRET } from "../secrets.ts";
import type { Settings } from "../settings.ts";
import { daprPodAnnotations } from "./dapr.ts";
import { DATABASE } from "./database.ts";
import { servesTls } from "./tls.ts";

export const BACKEND = identity("backend");

/** The backend's in-cluster URL, as the frontend calls it. */
export function backendURL(settings: Settings): string {
  return `http://${serviceHost(settings, BACKEND.name)}:${settings.backend.service.port}`;
}

/** Browsers reach the app through the Ingress, so that origin is the one CORS allows. */
export function ingressOrigin(settings: Settings): string {
  const scheme = servesTls(settings) ? "https" : "http";
  return `${scheme}://${settings.ingress.host}`;
}

function fromSecret(secret: string, key: string): IEnvVar {
  return { name: key, valueFrom: { secretKeyRef: { name: secret, key } } };
}

/**
 * Secret environment of every pod that runs the backend image (the backend
 * and its migration Job). With the in-cluster database, DATABASE_URL is
 * composed from the database's own credentials and its Service, so it
 * reaches that Service by construction; with an external database it comes
 * only from todo-backend-secret.
 */
export function backendSecretEnv(settings: Settings): IEnvVar[] {
  const { database } = settings;
  const databaseEnv: IEnvVar[] =
    database.mode === "in-cluster"
      ? [
          ...DATABASE_SECRET.keys.map((key) => fromSecret(DATABASE_SECRET.name, key)),
          {
            name: "DATABASE_URL",
            // Kubernetes expands $(VAR) from the variables defined above it.
            value: `${database.urlScheme}://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@${serviceHost(settings, DATABASE.name)}:${database.port}/$(POSTGRES_DB)`,
          },
        ]
      : [fromSecret(BACKEND_SECRET.name, "DATABASE_URL")];
  return [
    ...databaseEnv,
    fromSecret(BACKEND_SECRET.name, "BETTER_AUTH_SECRET"),
    fromSecret(BACKEND_SECRET.name, "OPENAI_API_KEY"),
  ];
}

export function backendConfigMap(settings: Settings): IConfigMap {
  const app = settings.backend;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(settings, BACKEND, { name: `${BACKEND.name}-config`, version: app.image.tag, wave: SYNC_WAVE.config }),
    data: { CORS_ORIGINS: ingressOrigin(settings), ...app.config },
  };
}

export function backend(settings: Settings): KubeObject[] {
  const configMap = backendConfigMap(settings);
  return [
    configMap,
    ...appWorkload({
      settings,
      who: BACKEND,
      app: settings.backend,
      image: backendImage,
      wave: SYNC_WAVE.backend,
      configMap,
      env: backendSecretEnv(settings),
      podAnnotations: daprPodAnnotations(settings),
      // The Dapr sidecar reads the Components' Redis password when it starts.
      readsSecrets: settings.dapr.enabled ? [REDIS_SECRET.name] : [],
    }),
  ];
}
