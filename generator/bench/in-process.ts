/**
 * The in-process case of `npm run bench`: every environment and argocd/
 * rendered by renderRepository() in one process, as the tests and the CLI do, in memory.
 *
 * `node generator/bench/in-process.ts <root> <runs>` prints one JSON line:
 * { objects, coldMs, warmMs: number[], cachedMs: number[], maxRssKb }.
 * coldMs is the first render of the process (validators and field lists load
 * on first use); warmMs are the renders after it, with full validation;
 * cachedMs the renders after that with a warm render cache (what the compiled CLI keeps).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RenderCache } from "../commands/render-cache.ts";
import { renderRepository } from "../commands/pipeline.ts";

const [root, runsText] = process.argv.slice(2);
const runs = Number(runsText);
if (!root || !Number.isInteger(runs) || runs < 1) {
  console.error("usage: in-process.ts <repository root> <runs>");
  process.exit(2);
}

async function timed(cache?: RenderCache): Promise<{ objects: number; ms: number }> {
  const start = performance.now();
  const rendered = await renderRepository({ root: root!, cache });
  return { objects: rendered.files.size, ms: performance.now() - start };
}

const cold = await timed();
const warmMs: number[] = [];
for (let i = 0; i < runs; i++) warmMs.push((await timed()).ms);

const cacheDir = mkdtempSync(join(tmpdir(), "todo-bench-cache-"));
const cache = new RenderCache(join(cacheDir, "render-cache.json"));
await timed(cache); // fills it
const cachedMs: number[] = [];
for (let i = 0; i < runs; i++) cachedMs.push((await timed(cache)).ms);
rmSync(cacheDir, { recursive: true, force: true });

console.log(JSON.stringify({ objects: cold.objects, coldMs: cold.ms, warmMs, cachedMs, maxRssKb: process.resourceUsage().maxRSS }));
