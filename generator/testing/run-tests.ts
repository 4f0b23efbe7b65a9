/**
 * `npm run test:unit`: every `*.test.ts` beside the code, with Node's own
 * test runner, split into shards of about equal time (schedule.ts, by each
 * file's time in the last run, kept in .cache/test-timings.json) that run at
 * the same time, one Node process each.
 *
 * Why not one process per test file (the runner's default): each would load
 * kubernetes-models, zod and the generator again, about 0.6 s of CPU, which
 * was half of the suite's CPU time. Each shard runs its files in one process
 * (`--experimental-test-isolation=none`: the name Node 22 knows, and 24
 * accepts), so that is paid once per shard; and as many tests wait on the Git,
 * bash and Node processes they start, one shard more than there are cores
 * keeps every core busy. The tests do not depend on running in a process of
 * their own: each makes its own scratch repositories and servers.
 *
 * With `--typecheck` (what `npm test` runs) the typecheck runs beside the
 * shards and fails the run as a shard would.
 *
 * Each shard's report is printed whole as it ends (not interleaved); the exit
 * code is the first failing shard's. Arguments are passed on to every shard
 * (e.g. `npm run test:unit -- --test-name-pattern=rollback`). One file:
 * `node --test path/to/file.test.ts`.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, relative, resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";
import { schedule } from "./schedule.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TEST_DIRS = ["generator", "environments", "clusters", "docker", "argocd"];
/** One more shard than cores: shards that wait on child processes leave a core to the others. */
const SHARDS = Math.min(availableParallelism() + 1, 8);
/** Each file's time in the last whole run (ignored by Git, like the rest of .cache/; deleting it is safe). */
const TIMINGS_FILE = join(ROOT, ".cache", "test-timings.json");

/** Every `*.test.ts` under the directories that hold code, relative to the root, sorted. */
function testFiles(): string[] {
  const files: string[] = [];
  for (const dir of TEST_DIRS) {
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })) {
      if (entry.endsWith(".test.ts") && !entry.split(/[\\/]/).includes("node_modules")) files.push(join(dir, entry));
    }
  }
  return files.sort();
}

/** The last run's timings; anything unreadable, or not a number of ms, is as if there were none (the schedule falls back to sizes). */
function readTimings(): Map<string, number> {
  try {
    const entries = Object.entries(JSON.parse(readFileSync(TIMINGS_FILE, "utf8")) as Record<string, unknown>);
    return new Map(entries.filter((entry): entry is [string, number] => typeof entry[1] === "number" && Number.isFinite(entry[1]) && entry[1] >= 0));
  } catch {
    return new Map();
  }
}

/** `node --run typecheck` (tsc --noEmit, incremental: .cache/tsbuildinfo); resolves to its exit code and output. */
function runTypecheck(): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--run", "typecheck"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

function runShard(index: number, files: string[], extra: string[], timingsFile: string): Promise<{ code: number; output: string }> {
  const args = [
    "--import",
    "./generator/testing/compile-cache.ts",
    "--test",
    "--experimental-test-isolation=none",
    // Node 22 picks TAP when the output is not a terminal; the summary below reads spec's lines.
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=./generator/testing/timings-reporter.mjs",
    `--test-reporter-destination=${timingsFile}`,
    ...extra,
    ...files,
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    child.on("close", (code, signal) => resolve({ code: code ?? 1, output: signal ? `${output}\nshard ${index}/${SHARDS} ended by ${signal}\n` : output }));
  });
}

const files = testFiles();
const previous = readTimings();
const sizes = new Map(files.map((file) => [file, statSync(join(ROOT, file)).size]));
const shards = schedule(files, SHARDS, sizes, previous);
const timingsDir = mkdtempSync(join(tmpdir(), "todo-test-timings-"));
/** `--typecheck` (npm test): `npm run typecheck` at the same time as the shards, which leave a core partly idle while they wait on the processes they start. */
const typecheck = process.argv.includes("--typecheck");
const extra = process.argv.slice(2).filter((arg) => arg !== "--typecheck");
const started = performance.now();
const typechecked = typecheck ? runTypecheck() : undefined;
const results = await Promise.all(
  shards.map((shard, i) =>
    runShard(i + 1, shard.files, extra, join(timingsDir, `shard-${i + 1}.jsonl`)).then((result) => {
      process.stdout.write(`\n# shard ${i + 1}/${shards.length} (${shard.files.length} files${previous.size ? `, ${(shard.expectedMs / 1000).toFixed(1)} s expected` : ", split by size: no timings yet"})\n${result.output}`);
      return result;
    }),
  ),
);
const typecheckResult = await typechecked;
if (typecheckResult) process.stdout.write(`\n# typecheck (tsc --noEmit): ${typecheckResult.code === 0 ? "passed" : "FAILED"}\n${typecheckResult.output}`);
// Only a whole run (no arguments such as --test-name-pattern, which run part of a file) says how long each file takes.
if (extra.length === 0) {
  const timings = new Map(previous);
  for (const shardFile of readdirSync(timingsDir)) {
    for (const line of readFileSync(join(timingsDir, shardFile), "utf8").split("\n").filter(Boolean)) {
      const { file, ms } = JSON.parse(line) as { file: string; ms: number };
      timings.set(relative(ROOT, resolvePath(ROOT, file)), ms);
    }
  }
  const current = Object.fromEntries([...timings].filter(([file]) => files.includes(file)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  if (!existsSync(join(ROOT, ".cache"))) mkdirSync(join(ROOT, ".cache"), { recursive: true });
  // Written aside, then renamed: two runs at once, or one stopped halfway, never leave half a file.
  writeFileSync(`${TIMINGS_FILE}.${process.pid}`, `${JSON.stringify(current, null, 1)}\n`);
  renameSync(`${TIMINGS_FILE}.${process.pid}`, TIMINGS_FILE);
}
rmSync(timingsDir, { recursive: true, force: true });
const count = (name: string) => results.reduce((sum, { output }) => sum + Number(new RegExp(`^ℹ ${name} (\\d+)$`, "m").exec(output)?.[1] ?? 0), 0);
const failed = results.filter(({ code }) => code !== 0).length;
process.stdout.write(
  `\n# all shards: ${count("tests")} tests, ${count("pass")} passed, ${count("fail")} failed, ${count("skipped")} skipped, ` +
    `${count("cancelled")} cancelled; ${shards.length} shards in ${((performance.now() - started) / 1000).toFixed(1)} s` +
    `${failed ? `; ${failed} shard${failed === 1 ? "" : "s"} failed` : ""}` +
    `${typecheckResult ? (typecheckResult.code === 0 ? "; typecheck passed" : "; typecheck FAILED (see # typecheck above)") : ""}\n`,
);
process.exitCode = results.find(({ code }) => code !== 0)?.code ?? (typecheckResult?.code || 0);
