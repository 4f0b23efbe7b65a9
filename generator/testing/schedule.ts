/**
 * Which test files each shard of `npm run test:unit` runs. `node --test
 * --test-shard=i/n` deals files out by their position in the list, blind to
 * how long each takes: with a few files of 10–20 s (the README's recipes,
 * the compiled CLI, the cluster scripts) one shard ran 58 s while the others
 * ended after 34 and 36. Here each file goes, longest first, to the shard
 * with the least work so far (the "longest processing time" rule), by how
 * long it took in the last run (timings.ts); a file with no timing yet counts
 * by its size, at the rate of the files that have one. Deterministic: the
 * same timings and files give the same shards.
 */

export interface Shard {
  files: string[];
  /** The expected time of its files, in ms. */
  expectedMs: number;
}

/** Splits `files` into `count` shards of about equal expected time; `sizes` in bytes, `timings` in ms (from the last run). */
export function schedule(files: readonly string[], count: number, sizes: ReadonlyMap<string, number>, timings: ReadonlyMap<string, number>): Shard[] {
  const timed = files.filter((file) => timings.has(file));
  const timedBytes = timed.reduce((sum, file) => sum + (sizes.get(file) ?? 0), 0);
  const timedMs = timed.reduce((sum, file) => sum + (timings.get(file) ?? 0), 0);
  // Without any timing, every byte counts the same (1 ms per KiB is as good a unit as any: only the ratios matter).
  const msPerByte = timedBytes > 0 && timedMs > 0 ? timedMs / timedBytes : 1 / 1024;
  const expected = (file: string) => timings.get(file) ?? (sizes.get(file) ?? 0) * msPerByte;
  const shards: Shard[] = Array.from({ length: Math.max(1, count) }, () => ({ files: [], expectedMs: 0 }));
  const longestFirst = [...files].sort((a, b) => expected(b) - expected(a) || (a < b ? -1 : a > b ? 1 : 0));
  for (const file of longestFirst) {
    const least = shards.reduce((best, shard) => (shard.expectedMs < best.expectedMs ? shard : best));
    least.files.push(file);
    least.expectedMs += expected(file);
  }
  for (const shard of shards) shard.files.sort();
  return shards.filter((shard) => shard.files.length > 0);
}
