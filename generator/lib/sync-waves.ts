/**
 * Argo CD sync waves giving the seeds' creation order. Argo CD applies a wave
 * only once every object of the waves before it is healthy, so the database
 * is ready before the migration hook runs, and the migration has finished
 * before the backend rolls.
 */
export const SYNC_WAVE = {
  namespace: 0,
  config: 1,
  serviceAccount: 2,
  rbac: 3,
  // Dapr reads its Configuration and Components when a sidecar starts; the
  // seeds create them after RBAC and before the NetworkPolicies.
  daprConfiguration: 4,
  daprComponents: 5,
  networkPolicy: 6,
  service: 7,
  /** Backing stores: PostgreSQL, and Redis when Dapr is on. */
  database: 8,
  migration: 9,
  backend: 10,
  frontend: 11,
  ingress: 12,
} as const;

export type SyncWave = (typeof SYNC_WAVE)[keyof typeof SYNC_WAVE];

export const SYNC_WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave";

export function syncWave(wave: SyncWave): Record<string, string> {
  return { [SYNC_WAVE_ANNOTATION]: String(wave) };
}
