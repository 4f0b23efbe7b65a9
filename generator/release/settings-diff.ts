/**
 * Which settings a restore changes besides the images: the environment's
 * checked settings now and as they will be, compared leaf by leaf (defaults
 * applied, so a setting that moved from a default to the same stated value
 * is no change). Sealed values are named by Secret and key, never shown.
 */
import type { Settings } from "../settings.ts";

export interface SettingChange {
  path: string;
  /** JSON of the value now / after; undefined: not set. */
  before: string | undefined;
  after: string | undefined;
}

/** Paths compared as a whole: a list reads best as one value. */
function leaves(value: unknown, path: string, out: Map<string, string>): void {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) out.set(path, "{}");
    for (const [key, child] of entries) leaves(child, path ? `${path}.${key}` : key, out);
    return;
  }
  if (value !== undefined) out.set(path, JSON.stringify(value));
}

/** Not settings of the environment's own: its name, its cluster's facts, and its images (a restore says those apart). */
const LEFT_OUT = [/^name$/, /^cluster(\.|$)/, /^(frontend|backend)\.image(\.|$)/];

export function settingChanges(before: Settings, after: Settings): SettingChange[] {
  const [now, then] = [new Map<string, string>(), new Map<string, string>()];
  const { sealedSecrets: sealedBefore, ...restBefore } = before;
  const { sealedSecrets: sealedAfter, ...restAfter } = after;
  leaves(restBefore, "", now);
  leaves(restAfter, "", then);
  const changes: SettingChange[] = [];
  for (const path of [...new Set([...now.keys(), ...then.keys()])].sort()) {
    if (LEFT_OUT.some((pattern) => pattern.test(path))) continue;
    if (now.get(path) !== then.get(path)) changes.push({ path, before: now.get(path), after: then.get(path) });
  }
  // Sealed values: which Secret keys appear, go or are sealed anew; the ciphertexts are not shown.
  for (const secret of [...new Set([...Object.keys(sealedBefore ?? {}), ...Object.keys(sealedAfter ?? {})])].sort()) {
    const keys = new Set([...Object.keys(sealedBefore?.[secret] ?? {}), ...Object.keys(sealedAfter?.[secret] ?? {})]);
    for (const key of [...keys].sort()) {
      const [a, b] = [sealedBefore?.[secret]?.[key], sealedAfter?.[secret]?.[key]];
      if (a === b) continue;
      changes.push({ path: `sealed ${secret}.${key}`, before: a === undefined ? undefined : "(sealed)", after: b === undefined ? undefined : a === undefined ? "(sealed)" : "(sealed anew)" });
    }
  }
  return changes;
}

export function describeSettingChange({ path, before, after }: SettingChange): string {
  return `${path}: ${before ?? "(not set)"} → ${after ?? "(not set)"}`;
}
