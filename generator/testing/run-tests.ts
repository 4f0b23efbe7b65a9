/**
 * `npm run test:unit`: every `*.test.ts` beside the code, with Node's own
 * test runner, split into shards (`node --test --test-shard=<i>/<n>`) that
 * run at the same time, one Node process each.
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
 * Each shard's report is printed whole as it ends (not interleaved); the exit
 * code is the first failing shard's. Arguments are passed on to every shard
 * (e.g. `npm run test:unit -- --test-name-pattern=rollback`). One file:
 * `node --test path/to/file.test.ts`.
 */
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FILES = ["generator", "environments", "clusters", "docker", "argocd"].map((dir) => `${dir}/**/*.test.ts`);
/** One more shard than cores: shards that wait on child processes leave a core to the others. */
const SHARDS = Math.min(availableParallelism() + 1, 8);

function runShard(index: number, extra: string[]): Promise<{ code: number; output: string }> {
  const args = [
    "--import",
    "./generator/testing/compile-cache.ts",
    "--test",
    "--experimental-test-isolation=none",
    // Node 22 picks TAP when the output is not a terminal; the summary below reads spec's lines.
    "--test-reporter=spec",
    `--test-shard=${index}/${SHARDS}`,
    ...extra,
    ...FILES,
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    child.on("close", (code, signal) => resolve({ code: code ?? 1, output: signal ? `${output}\nshard ${index}/${SHARDS} ended by ${signal}\n` : output }));
  });
}

const started = performance.now();
const results = await Promise.all(
  Array.from({ length: SHARDS }, (_, i) =>
    runShard(i + 1, process.argv.slice(2)).then((result) => {
      process.stdout.write(`\n# shard ${i + 1}/${SHARDS}\n${result.output}`);
      return result;
    }),
  ),
);
const count = (name: string) => results.reduce((sum, { output }) => sum + Number(new RegExp(`^ℹ ${name} (\\d+)$`, "m").exec(output)?.[1] ?? 0), 0);
const failed = results.filter(({ code }) => code !== 0).length;
process.stdout.write(
  `\n# all shards: ${count("tests")} tests, ${count("pass")} passed, ${count("fail")} failed, ${count("skipped")} skipped, ` +
    `${count("cancelled")} cancelled; ${SHARDS} shards in ${((performance.now() - started) / 1000).toFixed(1)} s` +
    `${failed ? `; ${failed} shard${failed === 1 ? "" : "s"} failed` : ""}\n`,
);
process.exitCode = results.find(({ code }) => code !== 0)?.code ?? 0;
