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
import { AUTH_SECRET, BACKEND_SECRET, DATABASE_SECRET, REDIS_SECRET } from "../secrets.ts";
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
 * DATABASE_URL, for every pod that talks to the app's database (the
 * backend, its migration Job, and the frontend, where better-auth keeps its
 * users and sessions). With the in-cluster database it is composed from the
 * database's own credentials and its Service, so it reaches that Service by
 * construction; with an external database it comes only from
 * todo-backend-secret.
 */
export function databaseUrlEnv(settings: Settings): IEnvVar[] {
  const { database } = settings;
  if (database.mode !== "in-cluster") return [fromSecret(BACKEND_SECRET.name, "DATABASE_URL")];
  return [
    ...DATABASE_SECRET.keys.map((key) => fromSecret(DATABASE_SECRET.name, key)),
    {
      name: "DATABASE_URL",
      // Kubernetes expands $(VAR) from the variables defined above it.
      value: `${database.urlScheme}://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@${serviceHost(settings, DATABASE.name)}:${database.port}/$(POSTGRES_DB)`,
    },
  ];
}

/**
 * better-auth's signing secret: the frontend signs sessions and JWTs with
 * it, the backend verifies them (JWT_ALGORITHM HS256) with the same value.
 * Both read it from todo-auth-secret, a Secret of its own, so the signer and
 * the verifier can never hold different values (two copies would fail every
 * request with 401 after a rotation of one), and re-sealing it rolls both
 * (checksum/sealed-secrets).
 */
export const AUTH_SECRET_ENV: IEnvVar = fromSecret(AUTH_SECRET.name, "BETTER_AUTH_SECRET");

/** The backend's Secret environment: its database, the auth secret to verify tokens, the OpenAI key. Nothing else. */
export function backendSecretEnv(settings: Settings): IEnvVar[] {
  return [...databaseUrlEnv(settings), AUTH_SECRET_ENV, fromSecret(BACKEND_SECRET.name, "OPENAI_API_KEY")];
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
