/**
 * Which Secrets can be sealed, and which of their keys an environment's
 * workloads actually read.
 */
import { AUTH_SECRET, BACKEND_SECRET, DATABASE_SECRET, REDIS_SECRET, referencedSecrets } from "../secrets.ts";
import type { Settings } from "../settings.ts";

/** The Secrets `npm run seal` knows, by name (sorted), with every key they may hold. */
export const SEALABLE_SECRETS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  [AUTH_SECRET.name, AUTH_SECRET.keys],
  [BACKEND_SECRET.name, BACKEND_SECRET.keys],
  [DATABASE_SECRET.name, DATABASE_SECRET.keys],
  [REDIS_SECRET.name, REDIS_SECRET.keys],
]);

/**
 * Keys that lived in another Secret before (`<secret>.<KEY>` → where it is
 * now, and why), so that an old `.secrets/<env>.env` or sealed file is told
 * where the key went instead of "unknown key".
 */
export const MOVED_KEYS: ReadonlyMap<string, { to: string; why: string }> = new Map([
  [`${BACKEND_SECRET.name}.BETTER_AUTH_SECRET`, { to: AUTH_SECRET.name, why: "which the frontend (signs) and the backend (verifies) both read" }],
]);

/** Where a key moved: its new `<secret>.<KEY>`, and "moved to <secret>, <why>" for a rule; undefined if it did not. */
export function movedKey(secret: string, key: string): { now: string; rule: string } | undefined {
  const moved = MOVED_KEYS.get(`${secret}.${key}`);
  return moved ? { now: `${moved.to}.${key}`, rule: `moved to ${moved.to}, ${moved.why}` } : undefined;
}

/**
 * Secret name → the keys this environment's workloads read. With the
 * in-cluster database the backend composes DATABASE_URL from
 * todo-database-secret; with an external one it reads DATABASE_URL and
 * todo-database-secret is not used at all.
 */
export function secretKeysUsedBy(settings: Settings): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const secret of referencedSecrets(settings)) {
    if (SEALABLE_SECRETS.has(secret.name)) used.set(secret.name, [...secret.keys]);
  }
  return used;
}

/** Why an environment does not read a key, for error messages. */
export function whyUnused(settings: Settings, secret: string, key?: string): string {
  const mode = `database.mode is ${settings.database.mode}`;
  if (secret === REDIS_SECRET.name) return `${settings.name} does not use ${secret} (dapr.enabled is false: no Redis)`;
  if (secret === DATABASE_SECRET.name) return `${settings.name} does not use ${secret} (${mode}: the database is not in the cluster)`;
  if (key === "DATABASE_URL") {
    return `${settings.name} does not read ${secret}.${key} (${mode}: the backend composes DATABASE_URL from ${DATABASE_SECRET.name})`;
  }
  return `${settings.name} does not read ${key ? `${secret}.${key}` : secret}`;
}
