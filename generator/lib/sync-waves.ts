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
  networkPolicy: 4,
  service: 5,
  database: 6,
  migration: 7,
  backend: 8,
  frontend: 9,
  ingress: 10,
} as const;

export type SyncWave = (typeof SYNC_WAVE)[keyof typeof SYNC_WAVE];

export const SYNC_WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave";

export function syncWave(wave: SyncWave): Record<string, string> {
  return { [SYNC_WAVE_ANNOTATION]: String(wave) };
}
