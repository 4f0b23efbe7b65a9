/** Running the npm scripts as a user types them, in a scratch repository, and watching what they leave on disk. */
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export type Result = Pick<SpawnSyncReturns<string>, "status" | "stdout" | "stderr">;

/** `npm run --silent <script> -- <args>` in `cwd` (npm's own CLI when the tests run under npm, else npm on PATH). */
export function npmRun(cwd: string, script: string, ...args: string[]): Result {
  const npm = process.env.npm_execpath;
  const command = ["run", "--silent", script, ...(args.length ? ["--", ...args] : [])];
  const [file, argv] = npm && npm.endsWith(".js") ? [process.execPath, [npm, ...command]] : ["npm", command];
  const { status, stdout, stderr } = spawnSync(file, argv, { cwd, encoding: "utf8" });
  return { status, stdout, stderr };
}

/** Every file under manifests/ and argocd/, by path: equal snapshots mean nothing there changed. */
export function renderedFiles(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(root, sub), { withFileTypes: true })) {
      const path = join(sub, entry.name);
      if (entry.isDirectory()) walk(path);
      else out[path] = readFileSync(join(root, path), "utf8");
    }
  };
  for (const top of ["manifests", "argocd"]) if (existsSync(join(root, top))) walk(top);
  return out;
}

/** A writable that keeps what is written, for a command run in-process. */
export class Captured {
  text = "";
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** A CLI as a function (its run()): root, arguments and output are parameters, and it returns the exit code. */
type CliRun = (options: { root: string; argv: readonly string[]; stdout: Captured; stderr: Captured }) => Promise<number>;

async function inProcess(run: CliRun, root: string, argv: string[]): Promise<Result> {
  const stdout = new Captured();
  const stderr = new Captured();
  const status = await run({ root, argv, stdout, stderr });
  return { status, stdout: stdout.text, stderr: stderr.text };
}

/**
 * `npm run render|check|diff -- <args>` in-process (generator/commands/cli.ts's
 * run(), as the npm scripts' bundle runs it): the same output and exit code,
 * without starting Node and loading kubernetes-models again.
 */
export async function generatorCli(root: string, ...argv: string[]): Promise<Result> {
  return inProcess((await import("../commands/cli.ts")).run, root, argv);
}

/** `npm run release|promote|rollback|restore|history -- <args>` in-process (generator/release/cli.ts's run()). */
export async function releaseCli(root: string, ...argv: string[]): Promise<Result> {
  return inProcess((await import("../release/cli.ts")).run, root, argv);
}

/** `npm run seal -- <args>` in-process (generator/secrets/seal-command.ts's run()), with no terminal to prompt on. */
export async function sealCli(root: string, ...argv: string[]): Promise<Result> {
  const { run } = await import("../secrets/seal-command.ts");
  const { PassThrough } = await import("node:stream");
  // Not a TTY, so never a prompt: a test run from a terminal must not wait for an answer.
  return inProcess((options) => run({ ...options, input: new PassThrough() }), root, ["seal", ...argv]);
}
