/**
 * npm run bench [-- --runs 7 --sizes 10,25,50 --environments 10 --json out.json]
 *
 * How fast the generator renders, without touching this repository's
 * manifests/: everything runs against a scratch copy of the sources (as
 * render.test.ts does). Prints, for each case, the median wall time, objects
 * per second and peak memory:
 * - render() of every environment in one process (cold, warm, warm cache);
 * - `node --run render|check` (the everyday commands) and `npm run render|check`
 *   as whole commands: warm, the first render after a fresh clone (no
 *   .cache/), the first after editing one environment, check with the render
 *   cache cold and after a code edit, and the TypeScript CLI run directly by
 *   Node (type stripping) without the compiled launcher;
 * - the synthetic scale case: N components × 10 environments;
 * - the peer Helm chart's render-all.sh, when given (--peer or BENCH_PEER)
 *   and helm exists (HELM, or helm on PATH), with the ratio ours/peer.
 * Whole commands run round-robin (one round of warm-up, then --runs rounds)
 * so that load on the machine hits every case alike.
 */
import { type SpawnSyncOptions, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { scratchRepository } from "../testing/scratch.ts";
import { NODE_ARGS } from "../testing/node.ts";

const GNU_TIME = "/usr/bin/time";

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError("must be a positive integer");
  return value;
}

function sizeList(text: string): number[] {
  return text.split(",").map(positiveInteger);
}

const options = new Command()
  .name("bench")
  .description("Measures render and check speed (see generator/bench/README.md).")
  .option("--runs <n>", "timed runs per whole-command case, after one warm-up round", positiveInteger, 7)
  .option("--sizes <list>", "components per environment for the synthetic case", sizeList, [10, 25, 50])
  .option("--environments <n>", "environments in the synthetic case", positiveInteger, 10)
  .option("--synthetic-runs <n>", "runs per synthetic size", positiveInteger, 3)
  .option("--json <file>", "also write every measurement to this file")
  .option("--peer <render-all.sh>", "the peer Helm chart's render script to compare with (default: $BENCH_PEER)", process.env.BENCH_PEER)
  .parse()
  .opts<{ runs: number; sizes: number[]; environments: number; syntheticRuns: number; json?: string; peer?: string }>();

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

// ---------------------------------------------------------------- the machine

function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8").split("\n").find((l) => l.startsWith("model name"));
    if (line) return line.split(":")[1]!.trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? "unknown";
}

const gnuTime = existsSync(GNU_TIME) && spawnSync(GNU_TIME, ["-v", "true"], { stdio: "ignore" }).status === 0;

// ------------------------------------------------------ spawned commands

interface Measurement {
  ms: number;
  /** Peak resident set of the largest process in the command's tree (GNU time), in KiB. */
  maxRssKb?: number | undefined;
  stdout: string;
}

function measure(command: string, args: string[], spawnOptions: SpawnSyncOptions): Measurement {
  const timeFile = join(tmpdir(), `todo-bench-time-${process.pid}.txt`);
  const [file, argv] = gnuTime ? [GNU_TIME, ["-v", "-o", timeFile, command, ...args]] : [command, args];
  const start = performance.now();
  const result = spawnSync(file, argv, { ...spawnOptions, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - start;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited with ${result.status}:\n${result.stdout}${result.stderr}`);
  }
  let maxRssKb: number | undefined;
  if (gnuTime) {
    maxRssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(readFileSync(timeFile, "utf8"))?.[1]);
    rmSync(timeFile, { force: true });
  }
  return { ms, maxRssKb, stdout: String(result.stdout) };
}

interface CommandCase {
  label: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Untimed, before every run. */
  prepare?: () => void;
  /** Objects one run renders. */
  objects: number;
  /** Counted as ours in the ratios to the peer. */
  peer?: boolean;
  runs: Measurement[];
}

function runRounds(cases: CommandCase[], rounds: number): void {
  for (let round = 0; round <= rounds; round++) {
    for (const benchCase of cases) {
      benchCase.prepare?.();
      const measurement = measure(benchCase.command, benchCase.args, { cwd: benchCase.cwd, env: benchCase.env ?? process.env });
      if (round > 0) benchCase.runs.push(measurement); // round 0 warms up
    }
    process.stderr.write(round === 0 ? "  warm-up round done\n" : `  round ${round}/${rounds} done\n`);
  }
}

// ---------------------------------------------------------------- the peer

interface Peer {
  script: string;
  helm: string;
  helmVersion: string;
}

function findPeer(): Peer | string {
  if (!options.peer) return "no peer chart given: pass --peer <path to its render-all.sh> (or set BENCH_PEER) to compare with it";
  const script = resolve(options.peer);
  if (!existsSync(script)) return `no peer chart script at ${script} (--peer / BENCH_PEER)`;
  const helm = process.env.HELM || "helm";
  const version = spawnSync(helm, ["version", "--short"], { encoding: "utf8" });
  if (version.status !== 0 || version.error) {
    return `helm not found (${helm}): set HELM to a helm binary to compare with the peer chart`;
  }
  return { script, helm, helmVersion: version.stdout.trim() };
}

function peerObjects(output: string): number {
  return [...output.matchAll(/^\S+\s+(\d+) objects$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

// ------------------------------------------------------------- reporting

interface Row {
  label: string;
  ms: number;
  objects: number;
  maxRssKb?: number | undefined;
  note?: string;
}

function formatRow({ label, ms, objects, maxRssKb, note }: Row): string {
  const rate = objects / (ms / 1000);
  const rss = maxRssKb === undefined || Number.isNaN(maxRssKb) ? "n/a" : `${(maxRssKb / 1024).toFixed(0)} MiB`;
  return `${label.padEnd(66)} ${ms.toFixed(0).padStart(6)} ms ${String(objects).padStart(6)} ${rate.toFixed(0).padStart(8)}/s ${rss.padStart(8)}${note ? `  ${note}` : ""}`;
}

function header(title: string): void {
  console.log(`\n${title}\n${"case".padEnd(66)} ${"median".padStart(9)} ${"objects".padStart(6)} ${"objects/s".padStart(10)} ${"peak RSS".padStart(8)}`);
}

// ------------------------------------------------------------------- main

function childJSON<T>(args: string[], cwd: string): T {
  const result = spawnSync(process.execPath, [...NODE_ARGS, ...args], { cwd, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as T;
}

const scratch = scratchRepository("todo-bench-");
const peerDir = mkdtempSync(join(tmpdir(), "todo-bench-peer-"));
const report: Record<string, unknown> = {};
try {
  const loadBefore = loadavg()[0]!;
  const machine = {
    cpus: availableParallelism(),
    cpuModel: cpuModel(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    memoryPeak: gnuTime ? `GNU time -v: peak RSS of the largest process in each command's tree` : "n/a for whole commands (no /usr/bin/time); children report process.resourceUsage().maxRSS",
  };
  console.log(`Machine: ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}, ${machine.platform}; load average ${loadBefore.toFixed(2)} at start`);
  console.log(`Scratch copy of the sources: ${scratch}`);
  report.machine = machine;

  // A first render builds the compiled CLI and its cache, and gives check a tree to compare with.
  const first = measure("npm", ["run", "render"], { cwd: scratch });
  // One file per object, argocd/ included.
  const objects = Number(/rendered (\d+) files/.exec(first.stdout)?.[1]);

  // ---- in one process
  process.stderr.write("in-process render…\n");
  const inProcess = childJSON<{ objects: number; coldMs: number; warmMs: number[]; cachedMs: number[]; maxRssKb: number }>(
    [join(scratch, "generator/bench/in-process.ts"), scratch, String(options.runs)],
    scratch,
  );
  header(`Every environment and argocd/ in one process (render(), in memory; ${options.runs} runs; peak RSS: process.resourceUsage().maxRSS of that process with type stripping)`);
  const inProcessRows: Row[] = [
    { label: "render(), first in a fresh process (cold)", ms: inProcess.coldMs, objects: inProcess.objects, maxRssKb: inProcess.maxRssKb, note: "single run" },
    { label: "render(), repeated (warm JIT, full validation)", ms: median(inProcess.warmMs), objects: inProcess.objects },
    { label: "render() with a warm render cache", ms: median(inProcess.cachedMs), objects: inProcess.objects },
  ];
  inProcessRows.forEach((row) => console.log(formatRow(row)));
  report.inProcess = inProcess;

  // ---- whole commands
  const cacheRoot = join(scratch, ".cache/generator");
  /** Both caches the compiled CLI keeps per build (generator/launcher/): validated objects, and checked settings. */
  const dropCaches = () => {
    const builds = existsSync(cacheRoot) ? readdirSync(cacheRoot, { withFileTypes: true }).filter((entry) => entry.isDirectory()) : [];
    for (const build of builds) {
      for (const file of ["render-cache.json", "checked-settings.json"]) rmSync(join(cacheRoot, build.name, file), { force: true });
    }
  };
  let edits = 0;
  const devFile = join(scratch, "environments/dev.ts");
  const editEnvironment = () => {
    // A real change to one environment's settings (dev's log level, back and forth): the
    // launcher rebuilds the bundle, the render cache still holds every unchanged object.
    const text = readFileSync(devFile, "utf8");
    const [from, to] = text.includes('LOG_LEVEL: "DEBUG"') ? ['LOG_LEVEL: "DEBUG"', 'LOG_LEVEL: "INFO"'] : ['LOG_LEVEL: "INFO"', 'LOG_LEVEL: "DEBUG"'];
    writeFileSync(devFile, text.includes(from) ? text.replace(from, to) : `${text}// bench edit ${++edits}\n`);
  };
  const editSettings = () => {
    // A change to an environment file that leaves its objects as they are: it is compiled and checked again, the render cache stays.
    appendFileSync(devFile, `export const benchEdit${++edits} = ${edits};\n`);
  };
  const editCode = () => {
    // A change to the generator's code: the launcher rebuilds and the caches start empty
    // (a comment alone would leave the bundle, and so its caches, as they were).
    appendFileSync(join(scratch, "generator/render.ts"), `// bench edit ${++edits}\n`);
    dropCaches();
  };
  // What a fresh clone has: no bundle and no render cache.
  const freshClone = () => rmSync(join(scratch, ".cache"), { recursive: true, force: true });
  // A fresh clone after the README's `npm ci`, whose "prepare" builds the bundle (generator/launcher/prebuild.mjs).
  const afterNpmCi = () => {
    freshClone();
    const prebuild = spawnSync(process.execPath, [join(scratch, "generator/launcher/prebuild.mjs")], { cwd: scratch, encoding: "utf8" });
    if (prebuild.status !== 0) throw new Error(`prebuild.mjs failed:\n${prebuild.stdout}${prebuild.stderr}`);
  };
  const nodeRun = (script: string, prepare?: () => void, label = `node --run ${script}`): CommandCase => ({
    label,
    command: process.execPath,
    args: ["--run", script],
    cwd: scratch,
    objects,
    peer: true,
    runs: [],
    ...(prepare ? { prepare } : {}),
  });
  const cases: CommandCase[] = [
    nodeRun("render"),
    nodeRun("check"),
    { label: "npm run render", command: "npm", args: ["run", "render"], cwd: scratch, objects, peer: true, runs: [] },
    { label: "npm run check", command: "npm", args: ["run", "check"], cwd: scratch, objects, peer: true, runs: [] },
    nodeRun("render", afterNpmCi, "node --run render, first after a fresh clone and npm ci"),
    nodeRun("render", freshClone, "node --run render, first after a fresh clone (no .cache/)"),
    nodeRun("render", editEnvironment, "node --run render, first after editing one environment"),
    nodeRun("check", dropCaches, "node --run check, render and settings caches cold (bundle built)"),
    // In this order: the code edit's run fills the caches the settings edit then finds.
    nodeRun("check", editCode, "node --run check after a code edit (rebuild, caches cold)"),
    nodeRun("check", editSettings, "node --run check after a settings edit that changes no object (recompile dev.ts, render cache warm)"),
    { label: "node generator/commands/cli.ts check (type stripping, no bundle)", command: process.execPath, args: [join(scratch, "generator/commands/cli.ts"), "check"], cwd: scratch, objects, peer: true, runs: [] },
  ];
  const peer = findPeer();
  if (typeof peer === "object") {
    const peerProbe = measure("bash", [peer.script, peerDir], { cwd: peerDir, env: { ...process.env, HELM: peer.helm } });
    cases.push({
      label: `peer: render-all.sh (helm template × 3, ${peer.helmVersion})`,
      command: "bash",
      args: [peer.script, peerDir],
      cwd: peerDir,
      env: { ...process.env, HELM: peer.helm },
      objects: peerObjects(peerProbe.stdout),
      runs: [],
    });
  }
  process.stderr.write(`whole commands, ${options.runs} rounds…\n`);
  runRounds(cases, options.runs);
  header(`Whole commands (${objects} objects, one file each; median of ${options.runs} runs after 1 warm-up; peak RSS: ${gnuTime ? "GNU time" : "n/a"})`);
  const commandRows = cases.map((c) => ({
    label: c.label,
    ms: median(c.runs.map((r) => r.ms)),
    objects: c.objects,
    maxRssKb: gnuTime ? Math.max(...c.runs.map((r) => r.maxRssKb ?? Number.NaN)) : undefined,
  }));
  commandRows.forEach((row) => console.log(formatRow(row)));
  report.commands = cases.map(({ label, objects: count, runs }) => ({ label, objects: count, ms: runs.map((r) => r.ms), maxRssKb: runs.map((r) => r.maxRssKb) }));

  if (typeof peer === "object") {
    const peerRow = commandRows.at(-1)!;
    console.log(`\nRatio ours / peer (${peerRow.ms.toFixed(0)} ms, same rounds):`);
    cases.forEach((c, i) => {
      if (c.peer) console.log(`  ${c.label.trim().padEnd(64)} ${(commandRows[i]!.ms / peerRow.ms).toFixed(2)}×`);
    });
    const npmCost = commandRows[3]!.ms - commandRows[1]!.ms;
    console.log(`  npm run's own cost (npm run check − node --run check): ${npmCost.toFixed(0)} ms = ${(npmCost / peerRow.ms).toFixed(2)}× the peer`);
    // The targets of issue 14, from the cases above (by label, so a reordering cannot mislabel them).
    const ratioOf = (label: string) => commandRows.find((row) => row.label === label)!.ms / peerRow.ms;
    const targets = [
      { label: "node --run render", limit: 1 },
      { label: "node --run check", limit: 1 },
      { label: "node --run render, first after a fresh clone and npm ci", limit: 2 },
      { label: "node --run render, first after a fresh clone (no .cache/)", limit: 2 },
      { label: "node --run render, first after editing one environment", limit: 2 },
    ].map((target) => ({ ...target, ratio: ratioOf(target.label) }));
    console.log("\nTargets (ours / peer):");
    for (const { label, limit, ratio } of targets) {
      console.log(`  ${label.padEnd(64)} ${ratio.toFixed(2)}× ≤ ${limit.toFixed(1)}×  ${ratio <= limit ? "met" : "MISSED"}`);
    }
    report.targets = targets;
  } else {
    console.log(`\nPeer skipped: ${peer}`);
  }

  // ---- synthetic scale
  process.stderr.write("synthetic scale case…\n");
  header(
    `Synthetic: components × ${options.environments} environments through the real pipeline (median of ${options.syntheticRuns} fresh processes; peak RSS: the child's process.resourceUsage().maxRSS)`,
  );
  const synthetic = options.sizes.map((components) => {
    const runs = Array.from({ length: options.syntheticRuns }, () => {
      const start = performance.now();
      const result = childJSON<{ objects: number; coldMs: number; warmMs: number; maxRssKb: number }>(
        [join(scratch, "generator/bench/synthetic.ts"), String(components), String(options.environments)],
        scratch,
      );
      return { ...result, processMs: performance.now() - start };
    });
    return {
      components,
      objects: runs[0]!.objects,
      coldMs: median(runs.map((r) => r.coldMs)),
      warmMs: median(runs.map((r) => r.warmMs)),
      processMs: median(runs.map((r) => r.processMs)),
      maxRssKb: Math.max(...runs.map((r) => r.maxRssKb)),
    };
  });
  for (const s of synthetic) {
    const size = `${s.components}×${options.environments}`;
    console.log(formatRow({ label: `${size}, first pass in the process (cold)`, ms: s.coldMs, objects: s.objects, maxRssKb: s.maxRssKb }));
    console.log(formatRow({ label: `${size}, second pass (warm)`, ms: s.warmMs, objects: s.objects }));
    console.log(formatRow({ label: `${size}, whole child process (node start, imports, both passes)`, ms: s.processMs, objects: 2 * s.objects }));
  }
  if (synthetic.length >= 2) {
    const large = synthetic.at(-1)!;
    const perObject = (ms: number, n: number) => (ms / n).toFixed(3);
    // The cost of each step up in size, per added object: flat (or falling) means linear growth.
    const steps = (key: "coldMs" | "warmMs") =>
      synthetic
        .slice(1)
        .map((s, i) => ((s[key] - synthetic[i]![key]) / (s.objects - synthetic[i]!.objects)).toFixed(3))
        .join(", ");
    console.log(`Linearity (${synthetic.map((s) => s.objects).join(" → ")} objects):`);
    console.log(`  ms per object, whole pass: cold ${synthetic.map((s) => perObject(s.coldMs, s.objects)).join(" → ")}; warm ${synthetic.map((s) => perObject(s.warmMs, s.objects)).join(" → ")}`);
    console.log(`  ms per added object, each step: cold ${steps("coldMs")}; warm ${steps("warmMs")}`);
    console.log(`  largest case, cold pass: ${(large.coldMs / 1000).toFixed(2)} s (limit 5 s); whole process ${(large.processMs / 1000).toFixed(2)} s`);
  }
  report.synthetic = synthetic;
  console.log(`\nLoad average ${loadBefore.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at the end (other work on the machine skews every figure alike).`);

  if (options.json) {
    writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(peerDir, { recursive: true, force: true });
}
