/**
 * The Secrets the workloads read. Their plaintext never enters this
 * repository: an environment either seals them (environments/<env>.sealed.json,
 * rendered as SealedSecrets) or they are created in the cluster by hand
 * (README, "Secrets").
 */
import type { Settings } from "./settings.ts";

export interface SecretReference {
  name: string;
  keys: readonly string[];
}

export const DATABASE_SECRET = {
  name: "todo-database-secret",
  keys: ["POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"],
} as const satisfies SecretReference;

/** The backend's own credentials: the external database's URL (database.mode external only) and the OpenAI key. */
export const BACKEND_SECRET = {
  name: "todo-backend-secret",
  keys: ["DATABASE_URL", "OPENAI_API_KEY"],
} as const satisfies SecretReference;

/**
 * better-auth's signing secret, a Secret of its own: the frontend signs
 * sessions and tokens with it, the backend verifies them. Both read this one
 * key, so there is a single source and no copy that can drift (a rotation of
 * one copy would fail every request with 401).
 */
export const AUTH_SECRET = {
  name: "todo-auth-secret",
  keys: ["BETTER_AUTH_SECRET"],
} as const satisfies SecretReference;

/** The password of the in-cluster Redis behind Dapr (Redis and the Dapr Components read it). */
export const REDIS_SECRET = {
  name: "todo-redis-secret",
  keys: ["REDIS_PASSWORD"],
} as const satisfies SecretReference;

/** Every Secret the environment's workloads read, with the keys they read. */
export function referencedSecrets(settings: Settings): SecretReference[] {
  const secrets: SecretReference[] = [];
  if (settings.database.mode === "in-cluster") {
    // DATABASE_URL is composed from the database's own credentials.
    secrets.push(DATABASE_SECRET, { name: BACKEND_SECRET.name, keys: ["OPENAI_API_KEY"] });
  } else {
    secrets.push(BACKEND_SECRET);
  }
  secrets.push(AUTH_SECRET);
  if (settings.dapr.enabled) secrets.push(REDIS_SECRET);
  for (const name of settings.imagePullSecrets) secrets.push({ name, keys: [".dockerconfigjson"] });
  return secrets;
}

/**
 * Secrets the workloads read that the generator does not render (they are
 * not sealed): they must exist in the namespace before the first sync.
 */
export function externalSecrets(settings: Settings): SecretReference[] {
  return referencedSecrets(settings).filter((secret) => !(secret.name in settings.sealedSecrets));
}
