/**
 * The files a render reads, by name (generator/environment-files.ts): each
 * environment's `<env>.ts`, `<env>.images.json` and `<env>.sealed.json`, and
 * each cluster's `cluster.ts`. `check` wants Git to hold them as they are on
 * disk, since a clone renders from what Git holds.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Where they live (the scope of a `git ls-files`). */
export const SETTINGS_DIRS = ["environments", "clusters"] as const;

const ENVIRONMENT_FILE = /^environments\/[^/]+(?<!\.test|\.d)\.ts$|^environments\/[^/]+\.(images|sealed)\.json$/;
const CLUSTER_FILE = /^clusters\/[^/]+\/cluster\.ts$/;

export function isSettingsFile(path: string): boolean {
  return ENVIRONMENT_FILE.test(path) || CLUSTER_FILE.test(path);
}

/** Every settings file on disk, or among `tracked` (paths Git has), sorted. */
export function settingsFilesIn(root: string, tracked: readonly string[]): string[] {
  const found = new Set(tracked.filter(isSettingsFile));
  const environments = join(root, "environments");
  if (existsSync(environments)) for (const name of readdirSync(environments)) found.add(`environments/${name}`);
  const clusters = join(root, "clusters");
  if (existsSync(clusters)) for (const name of readdirSync(clusters)) found.add(`clusters/${name}/cluster.ts`);
  return [...found].filter((path) => isSettingsFile(path) && (tracked.includes(path) || existsSync(join(root, path)))).sort();
}
