/**
 * For the release tests: throwaway Git repositories (generator/testing/git-scratch.ts)
 * and the release CLI run in-process (run(), its output captured) or, once
 * per command, as the process `npm run <command>` starts.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Captured } from "../testing/cli.ts";
import { gitIn } from "../testing/git-scratch.ts";
import { NODE_ARGS } from "../testing/node.ts";

export { cloneScratch, edit, gitIn, gitTemplate, removeScratch } from "../testing/git-scratch.ts";

/**
 * Everything a refusal must leave alone: HEAD, the index, the status, and
 * the bytes of every file that differs from the index or is untracked or
 * ignored (tracked files equal to the index are covered by the index).
 */
export function fingerprint(root: string): string {
  const hash = createHash("sha256");
  hash.update(gitIn(root, "ls-files", "--stage"));
  // v2 with --branch names HEAD's commit too (# branch.oid); the path is each record's last field.
  const status = gitIn(root, "status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all", "--ignored=matching");
  hash.update(status);
  for (const record of status.split("\0")) {
    if (record.startsWith("#")) continue;
    const path = record.startsWith("? ") || record.startsWith("! ") ? record.slice(2) : record.split(" ").slice(8).join(" ");
    if (!path || ["node_modules", "generator", ".cache"].some((skip) => path === skip || path.startsWith(`${skip}/`))) continue;
    const file = join(root, path);
    hash.update(`${path}\0`);
    if (existsSync(file) && lstatSync(file).isFile()) hash.update(readFileSync(file));
  }
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
