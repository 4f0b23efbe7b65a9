/**
 * For the release tests: throwaway Git repositories (generator/testing/git-scratch.ts)
 * and the release CLI run in-process (run(), its output captured) or, once
 * per command, as the process `npm run <command>` starts.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Captured } from "../testing/cli.ts";
import { gitIn } from "../testing/git-scratch.ts";
import { NODE_ARGS } from "../testing/node.ts";

export { cloneScratch, edit, gitIn, gitTemplate, removeScratch } from "../testing/git-scratch.ts";

function filesUnder(root: string, dir = ""): string[] {
  return readdirSync(join(root, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (path === ".git" || path === "node_modules" || path === "generator" || path === ".cache") return [];
    return lstatSync(join(root, path)).isDirectory() ? filesUnder(root, path) : [path];
  });
}

/** Everything a refusal must leave alone: every file's bytes, HEAD, the index and the status. */
export function fingerprint(root: string): string {
  const hash = createHash("sha256");
  for (const file of filesUnder(root).sort()) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update("\0");
  }
  hash.update(gitIn(root, "rev-parse", "HEAD"));
  hash.update(gitIn(root, "ls-files", "--stage"));
  hash.update(gitIn(root, "status", "--porcelain", "--untracked-files=all"));
  return hash.digest("hex");
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run <command> -- <args>` of the release CLI, in-process. */
export async function releaseCli(root: string, ...argv: string[]): Promise<CliResult> {
  const { run } = await import("./cli.ts");
  const stdout = new Captured();
  const stderr = new Captured();
  const status = await run({ root, argv, stdout, stderr });
  return { status, stdout: stdout.text, stderr: stderr.text };
}

/** Runs the release CLI as `npm run <command> -- ...` does: a new Node process, inside the repository. */
export function runCli(root: string, ...args: string[]): CliResult {
  const result = spawnSync(process.execPath, [...NODE_ARGS, "generator/release/cli.ts", ...args], { cwd: root, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the generator's own CLI from sources (`render` or `check`) as a process, inside the repository. */
export function runGenerator(root: string, ...args: string[]): CliResult {
  const result = spawnSync(process.execPath, [...NODE_ARGS, "generator/commands/cli.ts", ...args], { cwd: root, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function head(root: string): string {
  return gitIn(root, "rev-parse", "HEAD").trim();
}

export function short(root: string, commit: string): string {
  return gitIn(root, "rev-parse", "--short", commit).trim();
}

/** Blob ids and paths: equal listings mean byte-identical files (and the same files absent). */
export function tree(root: string, commit: string, ...paths: string[]): string {
  return gitIn(root, "ls-tree", "-r", commit, "--", ...paths);
}

export function filesChangedBy(root: string, commit: string): string[] {
  return gitIn(root, "diff-tree", "--no-commit-id", "--name-only", "-r", commit).split("\n").filter(Boolean);
}

export function trailer(root: string, commit: string, key: string): string {
  return gitIn(root, "log", "-1", `--format=%(trailers:key=${key},valueonly)`, commit).trim();
}

export function assertClean(root: string): void {
  const status = gitIn(root, "status", "--porcelain", "--untracked-files=all");
  if (status !== "") throw new Error(`the working tree is not clean:\n${status}`);
}
