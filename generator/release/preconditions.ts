/**
 * Checks every release command makes before it changes anything, so that a
 * refusal leaves the working tree, the index and HEAD exactly as they were.
 */
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { listEnvironments, unknownEnvironmentProblem } from "../load/environments.ts";
import { formatLoadProblem, formatProblem, type SettingsProblem } from "../errors.ts";
import { GitError, git } from "./git.ts";
import { GENERATOR_DIR, generatorSources as generatorSourcesOf, isFixedRenderInput, isGeneratorModule, settingsModuleImports } from "./render-inputs.ts";

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

/** One entry of `git status --porcelain -z`: its two status letters and its path (a rename's new path; `from` its old one). */
interface StatusEntry {
  code: string;
  path: string;
  from?: string;
}

function gitStatus(root: string): StatusEntry[] {
  const records = git(root, ["status", "--porcelain", "-z", "--untracked-files=all"]).split("\0");
  const entries: StatusEntry[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (record.length < 4) continue;
    const code = record.slice(0, 2);
    // A rename or copy is followed by its source's path.
    entries.push(/[RC]/.test(code) ? { code, path: record.slice(3), from: records[++i] } : { code, path: record.slice(3) });
  }
  return entries;
}

export interface CleanOptions {
  /**
   * The repository-relative files the generator's code is built from (the
   * launcher's bundle lists them: generator/launcher/build.mjs); default:
   * computed from the sources the same way (render-inputs.ts).
   */
  generatorSources?: readonly string[] | undefined;
}

/** What every command that commits takes (release, promote, rollback, restore). */
export interface CommitOptions extends CleanOptions {
  root: string;
  /** Print the diff that would be committed; commit nothing. */
  dryRun: boolean;
  /** Commit even when a data-bearing object would go (listed in the output and the commit body). */
  allowRemoval?: boolean;
}

/** A dirty entry's paths: a rename's both sides. */
function pathsOf(entry: StatusEntry): string[] {
  return entry.from === undefined ? [entry.path] : [entry.path, entry.from];
}

/**
 * The entries of `status` that name a file the render reads or writes
 * (render-inputs.ts). What the code imports is only computed for an entry
 * nothing else names; `why` collects what could not be computed.
 */
async function renderInputsAmong(root: string, status: StatusEntry[], generatorSources: readonly string[] | undefined, why: string[]): Promise<StatusEntry[]> {
  const read = new Set<StatusEntry>();
  const unnamed = () => status.filter((entry) => !read.has(entry));
  const mark = (isRead: (path: string) => boolean) => {
    for (const entry of unnamed()) if (pathsOf(entry).some(isRead)) read.add(entry);
  };
  mark(isFixedRenderInput);
  if (unnamed().length) {
    let sources = generatorSources;
    if (!sources) {
      try {
        sources = await generatorSourcesOf(root);
      } catch (error) {
        why.push(`the generator's imports could not be followed (${(error as Error).message.split("\n")[0]}), so every module under ${GENERATOR_DIR}/ but the tests' counts`);
      }
    }
    const listed = sources ? new Set(sources) : undefined;
    mark((path) => (listed ? listed.has(path) : isGeneratorModule(path)));
  }
  if (unnamed().length) {
    const imported = await settingsModuleImports(root);
    mark((path) => imported.has(path));
  }
  return status.filter((entry) => read.has(entry));
}

/**
 * Release commits are made from committed files only: nothing the render
 * reads or writes (render-inputs.ts: the settings files, the generator's
 * code and what the settings files import, the dependencies' manifests,
 * manifests/, argocd/apps/ and argocd/bootstrap/) may differ from HEAD,
 * tracked or not, or the commit would carry a change that is not the release
 * (an edited cluster.ts renders into every environment) or render from a file
 * a clone does not have. Any other file may (a note, a cluster script, an
 * editor's swap file): the commit does not take it. And nothing may be
 * staged, since a commit takes everything staged. One `git status` answers both.
 */
export async function checkReleaseFilesClean(root: string, command: string, { generatorSources }: CleanOptions = {}): Promise<void> {
  const status = gitStatus(root);
  const why: string[] = [];
  const dirty = await renderInputsAmong(root, status, generatorSources, why);
  if (dirty.length) {
    throw new ReleaseRefusal(
      `${command}: files the render reads or writes have uncommitted changes:\n` +
        dirty.map(({ code, path, from }) => `  ${code} ${from ? `${from} -> ` : ""}${path}`).join("\n") +
        "\nThe release commit would carry them, or be rendered from files a clone does not have. " +
        "Commit them first (git add, git commit: the pre-commit hook checks them), or put them aside with " +
        "`git stash push --include-untracked` (and `git stash pop` after), then run this again." +
        why.map((line) => `\n(${line}.)`).join(""),
    );
  }
  // X, the index's column: anything but ' ' (unchanged) and '?' / '!' (untracked, ignored) is staged.
  const staged = status.filter((entry) => ![" ", "?", "!"].includes(entry.code[0]!)).map((entry) => entry.path);
  if (staged.length) {
    throw new ReleaseRefusal(
      `${command}: files are staged for commit (${staged.join(", ")}); a release commit holds only the release. Commit or unstage them first.`,
    );
  }
}

/** The environment named on the command line exists; said as the render says it (with "did you mean"). */
export function checkEnvironment(root: string, environment: string): void {
  const known = listEnvironments(root);
  if (!known.includes(environment)) throw new ReleaseRefusal(formatLoadProblem(unknownEnvironmentProblem(environment, known)));
}

/** Everything a command that commits must check first. */
export async function checkReadyToCommit(root: string, command: string, { dryRun, generatorSources }: { dryRun: boolean } & CleanOptions): Promise<void> {
  checkRepository(root);
  await checkReleaseFilesClean(root, command, { generatorSources });
  if (!dryRun) checkCommitIdentity(root);
}
