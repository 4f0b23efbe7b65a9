/**
 * For the release tests: throwaway Git repositories (generator/testing/git-scratch.ts)
 * and the release CLI run in-process (releaseCli, generator/testing/cli.ts) or,
 * once per command, as the process `npm run <command>` starts.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Result } from "../testing/cli.ts";
import { gitIn } from "../testing/git-scratch.ts";
import { NODE_ARGS } from "../testing/node.ts";

export { releaseCli } from "../testing/cli.ts";
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

/** Runs a CLI from its TypeScript source as a new Node process, inside the repository. */
function fromSource(root: string, file: string, args: string[]): Result {
  const { status, stdout, stderr } = spawnSync(process.execPath, [...NODE_ARGS, file, ...args], { cwd: root, encoding: "utf8" });
  return { status, stdout, stderr };
}

/** Runs the release CLI as `npm run <command> -- ...` does: a new Node process, inside the repository. */
export function runCli(root: string, ...args: string[]): Result {
  return fromSource(root, "generator/release/cli.ts", args);
}

/** Runs the generator's own CLI from sources (`render` or `check`) as a process, inside the repository. */
export function runGenerator(root: string, ...args: string[]): Result {
  return fromSource(root, "generator/commands/cli.ts", args);
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
