/**
 * For the release tests: a throwaway Git repository that is a copy of this
 * working tree, so the commands run against real Git without touching the
 * real repository or depending on its history.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "../load/environments.ts";
import { NODE_ARGS } from "../testing/node.ts";

export function gitIn(root: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * Copies the files Git would see (tracked, plus untracked ones not ignored)
 * into a new repository with one commit, `initial`, and node_modules linked.
 */
export function copyRepository(): string {
  const root = mkdtempSync(join(tmpdir(), "todo-release-test-"));
  const files = gitIn(REPO_ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0").filter(Boolean);
  for (const file of new Set(files)) {
    const source = join(REPO_ROOT, file);
    if (!existsSync(source) || lstatSync(source).isDirectory()) continue; // deleted in the work tree, or a submodule
    mkdirSync(dirname(join(root, file)), { recursive: true });
    copyFileSync(source, join(root, file));
  }
  symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"), "dir");
  gitIn(root, "init", "--quiet", "--initial-branch=main");
  gitIn(root, "config", "user.name", "Release Tester");
  gitIn(root, "config", "user.email", "release-tester@example.com");
  gitIn(root, "config", "commit.gpgsign", "false");
  gitIn(root, "add", "--all");
  gitIn(root, "commit", "--quiet", "--message=initial");
  return root;
}

export function removeRepository(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

function filesUnder(root: string, dir = ""): string[] {
  return readdirSync(join(root, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (path === ".git" || path === "node_modules") return [];
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

/** Runs the release CLI the way `npm run <command> -- ...` does, inside the repository. */
export function runCli(root: string, ...args: string[]): CliResult {
  const result = spawnSync(process.execPath, [...NODE_ARGS, "generator/release/cli.ts", ...args], { cwd: root, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the generator's own CLI from sources (`render` or `check`), inside the repository. */
export function runGenerator(root: string, ...args: string[]): CliResult {
  const result = spawnSync(process.execPath, [...NODE_ARGS, "generator/commands/cli.ts", ...args], { cwd: root, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
