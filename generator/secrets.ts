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

export const BACKEND_SECRET = {
  name: "todo-backend-secret",
  keys: ["DATABASE_URL", "BETTER_AUTH_SECRET", "OPENAI_API_KEY"],
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
    secrets.push(DATABASE_SECRET, { name: BACKEND_SECRET.name, keys: ["BETTER_AUTH_SECRET", "OPENAI_API_KEY"] });
  } else {
    secrets.push(BACKEND_SECRET);
  }
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
