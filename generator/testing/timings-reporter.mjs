// @ts-check
/**
 * A `node --test` reporter that writes, per test file, the time its top-level
 * tests took, as one JSON line `{"file": …, "ms": …}` each, for the next run's
 * schedule (run-tests.ts, schedule.ts). With --experimental-test-isolation=none
 * the files of a shard share one process and their top-level tests run one
 * after another, so their durations add up to the file's share of the shard.
 * JavaScript, not TypeScript: Node loads reporters itself, before any preload.
 */
/** @param {AsyncIterable<{ type: string; data: { nesting?: number; file?: string; details?: { duration_ms?: number } } }>} source */
export default async function* timings(source) {
  /** @type {Map<string, number>} */
  const byFile = new Map();
  for await (const event of source) {
    if ((event.type === "test:pass" || event.type === "test:fail") && event.data.nesting === 0 && event.data.file) {
      byFile.set(event.data.file, (byFile.get(event.data.file) ?? 0) + (event.data.details?.duration_ms ?? 0));
    }
  }
  for (const [file, ms] of byFile) yield `${JSON.stringify({ file, ms: Math.round(ms) })}\n`;
}
