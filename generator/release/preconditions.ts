/**
 * Checks every release command makes before it changes anything, so that a
 * refusal leaves the working tree, the index and HEAD exactly as they were.
 */
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { ARGOCD_APPS_DIR, ARGOCD_BOOTSTRAP_DIR } from "../components/argocd.ts";
import { listEnvironments } from "../load/environments.ts";
import { formatProblem, type SettingsProblem } from "../errors.ts";
import { MANIFESTS_DIR } from "../render.ts";
import { GitError, git, gitLines } from "./git.ts";

/** A command refused to run; nothing was changed. */
export class ReleaseRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReleaseRefusal";
  }

  static fromProblems(problems: SettingsProblem[]): ReleaseRefusal {
    if (problems.length === 1) return new ReleaseRefusal(formatProblem(problems[0]!));
    return new ReleaseRefusal(`${problems.length} problems:\n${problems.map((problem) => `  - ${formatProblem(problem)}`).join("\n")}`);
  }
}

/** Roots already checked in this process: a command checks its repository once, whatever calls it. */
const checkedRoots = new Map<string, string>();

/** Git is installed and `root` is the top of a Git work tree with at least one commit. */
export function checkRepository(root: string): void {
  let output: string;
  try {
    // One git: the work tree's top, then HEAD's commit (which fails without one).
    output = git(root, ["rev-parse", "--show-toplevel", "--verify", "--quiet", "HEAD"]);
  } catch (error) {
    if (error instanceof GitError) throw new ReleaseRefusal(`${root} is not a Git repository with at least one commit: ${error.stderr.trim() || error.message}`);
    throw error;
  }
  const topLevel = output.split("\n")[0]!.trim();
  if (checkedRoots.get(root) === topLevel) return;
  if (realpathSync(topLevel) !== realpathSync(resolve(root))) {
    throw new ReleaseRefusal(`expected the repository root at ${root}, but Git's work tree starts at ${topLevel}`);
  }
  checkedRoots.set(root, topLevel);
}

/** A commit needs an author; checked up front so a missing identity fails before any file is written. */
export function checkCommitIdentity(root: string): void {
  try {
    git(root, ["var", "GIT_COMMITTER_IDENT"]);
  } catch (error) {
    if (error instanceof GitError) {
      throw new ReleaseRefusal('Git does not know who you are: set `git config user.name "..."` and `git config user.email "..."` first');
    }
    throw error;
  }
}

/** What the commands write: settings, manifests, and the Argo CD objects an environment's settings change. */
const RELEASE_DIRS = ["environments", MANIFESTS_DIR, ARGOCD_APPS_DIR, ARGOCD_BOOTSTRAP_DIR];

/**
 * Release commits are made from committed files only (settings, manifests,
 * Argo CD's objects), and nothing else may be staged, since a commit takes
 * everything staged. One `git status` answers both.
 */
export function checkReleaseFilesClean(root: string, command: string, dirs: readonly string[] = RELEASE_DIRS): void {
  const status = gitLines(root, ["status", "--porcelain", "--untracked-files=all"]);
  const under = (line: string) => dirs.some((dir) => line.slice(3).startsWith(`${dir}/`) || line.slice(3) === dir);
  const dirty = status.filter(under);
  if (dirty.length) {
    const named = dirs.map((dir) => `${dir}/`);
    const where = named.length > 1 ? `${named.slice(0, -1).join(", ")} or ${named.at(-1)}` : named.join("");
    throw new ReleaseRefusal(
      `${command}: there are uncommitted changes under ${where}:\n${dirty.map((line) => `  ${line}`).join("\n")}\n` +
        "Commit or discard them first, so that the release commit holds only the release.",
    );
  }
  // X, the index's column: anything but ' ' (unchanged) and '?' / '!' (untracked, ignored) is staged.
  const staged = status.filter((line) => ![" ", "?", "!"].includes(line[0]!)).map((line) => line.slice(3));
  if (staged.length) {
    throw new ReleaseRefusal(
      `${command}: files are staged for commit (${staged.join(", ")}); a release commit holds only the release. Commit or unstage them first.`,
    );
  }
}

export function checkEnvironment(root: string, environment: string): void {
  const known = listEnvironments(root);
  if (!known.includes(environment)) {
    throw ReleaseRefusal.fromProblems([{ environment, path: "environment", value: environment, rule: `unknown environment: must be one of ${known.join(", ")}` }]);
  }
}

/** Everything a command that commits must check first. */
export function checkReadyToCommit(root: string, command: string, { dryRun }: { dryRun: boolean }): void {
  checkRepository(root);
  checkReleaseFilesClean(root, command);
  if (!dryRun) checkCommitIdentity(root);
}
