/**
 * The few Git operations the release commands need. Git runs with explicit
 * arguments and no shell, so a tag or path can never be read as a command.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export class GitError extends Error {
  readonly args: string[];
  readonly status: number | null;
  readonly stderr: string;
  constructor(args: string[], status: number | null, stderr: string) {
    super(`git ${args.join(" ")} failed${status === null ? "" : ` (exit ${status})`}: ${stderr.trim() || "no output"}`);
    this.name = "GitError";
    this.args = args;
    this.status = status;
    this.stderr = stderr;
  }
}

/** Runs git in the repository and returns its standard output. */
export function git(root: string, args: string[], input?: string): string {
  try {
    return execFileSync("git", args, {
      cwd: root,
      encoding: "utf8",
      input,
      stdio: ["pipe", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const failed = error as NodeJS.ErrnoException & { status?: number | null; stderr?: string };
    if (failed.code === "ENOENT") throw new GitError(args, null, "git is not installed (or not on PATH)");
    throw new GitError(args, failed.status ?? null, String(failed.stderr ?? failed.message));
  }
}

/** Non-empty lines of a command's output. */
export function gitLines(root: string, args: string[]): string[] {
  return git(root, args)
    .split("\n")
    .filter((line) => line !== "");
}

/** Files tracked under `path` at `revision` (a commit), or in the index when no revision is given. */
export function trackedFiles(root: string, path: string, revision?: string): string[] {
  return revision
    ? gitLines(root, ["ls-tree", "-r", "--name-only", revision, "--", path])
    : gitLines(root, ["ls-files", "--", path]);
}

/**
 * Makes `paths` in the working tree and index exactly what they were at
 * `revision`: changed files are checked out, files that did not exist then
 * are removed. Only these paths are touched and no history is rewritten.
 */
export function restorePaths(root: string, revision: string, paths: string[]): void {
  const existing = paths.filter((path) => trackedFiles(root, path, revision).length > 0);
  if (existing.length) git(root, ["checkout", revision, "--", ...existing]);
  const then = new Set(paths.flatMap((path) => trackedFiles(root, path, revision)));
  const extra = paths.flatMap((path) => trackedFiles(root, path)).filter((file) => !then.has(file));
  if (extra.length) git(root, ["rm", "--quiet", "--force", "--", ...extra]);
}

/** Stages every change under `paths`, deletions included; a path neither on disk nor tracked is skipped (git would refuse it). */
export function stagePaths(root: string, paths: string[]): void {
  const missing = paths.filter((path) => !existsSync(join(root, path)));
  const tracked = missing.length ? new Set(gitLines(root, ["ls-files", "--", ...missing]).map((file) => missing.find((path) => file === path || file.startsWith(`${path}/`)))) : new Set();
  const present = paths.filter((path) => !missing.includes(path) || tracked.has(path));
  if (present.length) git(root, ["add", "--all", "--", ...present]);
}

/** The commit a user's revision (a SHA, a branch, a tag) names, or undefined when it names none. */
export function revParse(root: string, spec: string): string | undefined {
  // A leading dash would reach git as an option.
  if (spec.startsWith("-")) return undefined;
  try {
    return git(root, ["rev-parse", "--verify", "--quiet", `${spec}^{commit}`]).trim() || undefined;
  } catch (error) {
    if (error instanceof GitError) return undefined;
    throw error;
  }
}
