/**
 * The shared core of release, promote, rollback and restore: new content for
 * some of one environment's settings files, computed in memory, loaded,
 * checked and rendered with every environment as those files would have it,
 * guarded (no local secret value, no data-bearing object removed unless
 * allowed), and only then written, once, with the environment's manifests
 * and the Argo CD objects it changes, and committed (or, dry run, printed).
 * Another environment whose own files are broken is skipped, said in a
 * warning and the commit body, and only this environment's own files are
 * written (skip-broken.ts says why and what exactly).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { FILE_HEADERS_ONLY, createTwoFilesPatch } from "diff";
import { onDisk } from "../commands/git-view.ts";
import { compareRendered, readCommitted, writeRendered } from "../commands/output.ts";
import { ARGOCD_BOOTSTRAP_DIR } from "../components/argocd.ts";
import { InvalidObjectsError, SettingsError } from "../errors.ts";
import { MANIFESTS_DIR, type Rendered } from "../render.ts";
import { writeFileAtomically } from "../secrets/atomic-write.ts";
import { formatFinding, localValueLeaks } from "../secrets/plaintext-guard.ts";
import type { BrokenEnvironment } from "../load/environments.ts";
import type { ImagesFile, Settings } from "../settings.ts";
import { git, gitLines, restorePaths, stagePaths, trackedFiles } from "./git.ts";
import { ReleaseRefusal } from "./preconditions.ts";
import { type ReleaseCommit, createCommit, settingsPaths } from "./release-commit.ts";
import { type Removal, dataBearingRemovals, describeRemoval, listRemovals } from "./removals.ts";
import { newestCommitChanging, renderSkippingBroken, skippedWarning } from "./skip-broken.ts";
import { environmentFileName } from "../environment-files.ts";

/** What a command did (or, in a dry run, would do). */
export interface Outcome {
  /** For the user: the commit made, or the one a dry run would make, and what it does. */
  summary: string;
  /** Unified diff of the commit (dry run) or its file list. */
  details: string;
  /** The new commit; absent in a dry run. */
  commit?: string;
  warnings: string[];
}

/** The images file in the layout it is committed in: one line per component, so a release diff is one line. */
export function formatImagesFile(images: ImagesFile | Record<string, Record<string, unknown>>): string {
  const entries = Object.entries(images).map(([component, ref]) => {
    const fields = Object.entries(ref).map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`);
    return `  ${JSON.stringify(component)}: { ${fields.join(", ")} }`;
  });
  return `{\n${entries.join(",\n")}\n}\n`;
}

/** A git-style unified diff of one file; an empty side is /dev/null. */
export function filePatch(path: string, before: string, after: string): string {
  return createTwoFilesPatch(before === "" ? "/dev/null" : `a/${path}`, after === "" ? "/dev/null" : `b/${path}`, before, after, undefined, undefined, {
    headerOptions: FILE_HEADERS_ONLY,
  });
}

/** The rendered files that differ from the work tree, as patches. */
export function renderedPatch(root: string, rendered: Rendered): string {
  const drift = compareRendered(root, rendered);
  return [...drift.changed, ...drift.missing, ...drift.extra]
    .sort()
    .map((path) => filePatch(path, readCommitted(root, path), rendered.files.get(path) ?? ""))
    .join("");
}

export interface SettingsChange {
  root: string;
  environment: string;
  /** New content of settings files (repository-relative); null: the file goes. */
  files: ReadonlyMap<string, string | null>;
  commit: ReleaseCommit;
  dryRun: boolean;
  /** Commit even when data-bearing objects go (they are listed in the output and the commit body). */
  allowRemoval: boolean;
  /** What the new files are, for a refusal: `these images`, `the settings of 3f2c1ab`. */
  what: string;
  /** Said in a refusal, e.g. ` (promoted from staging)`. */
  origin?: string;
  /** Lines for the summary and the commit body (what a rollback undoes, which settings a restore changes). */
  notes?: string[];
  /** Said on stderr (and, as notes, in the summary and the commit body): e.g. a promotion that lowers a version. */
  warnings?: string[];
  /** Checks the render before anything is written (a restore's exactness); may throw ReleaseRefusal. */
  verify?: (result: { settings: Settings[]; rendered: Rendered }) => void;
}

/** The environment's committed manifests, as on disk (the caller has checked they are clean): path → content. */
function committedManifests(root: string, environment: string): Map<string, string> {
  return new Map(trackedFiles(root, `${MANIFESTS_DIR}/${environment}`).map((path) => [path, readCommitted(root, path)]));
}

function removalRefusal(environment: string, removals: Removal[]): ReleaseRefusal {
  return new ReleaseRefusal(
    `${environment}: this would remove what another commit cannot bring back:\n${listRemovals(removals)}\n` +
      "Pass --allow-removal to commit it all the same (the output and the commit body list what goes).",
  );
}

/** The environment whose file environments/<env>.ts|.images.json|.sealed.json is, or undefined (a cluster's file, shared). */
function environmentOfFile(path: string): string | undefined {
  return /^environments\/([^/]+?)(?:\.images\.json|\.sealed\.json|\.ts)$/.exec(path)?.[1];
}

/**
 * A refusal over problems in other environments that skipping a broken
 * environment cannot get past (renderSkippingBroken() skips one whose own
 * files fail): a rule across the environments that load (two others claim
 * one host), a stray file in environments/. It says this environment is not
 * what fails, and how to get past it in an incident: revert the newest
 * commit that changed another environment's files, which a rule across
 * environments cannot name (it reports the environment that came second,
 * not the one changed last). Undefined when a problem is this environment's
 * or shared (a cluster's).
 */
export function otherEnvironmentsRefusal(root: string, environment: string, error: SettingsError): ReleaseRefusal | undefined {
  const owners = [
    ...error.loadProblems.map((problem) => environmentOfFile(problem.file)),
    ...error.problems.map((problem) => (problem.file === undefined || environmentOfFile(problem.file) === problem.environment ? problem.environment : environmentOfFile(problem.file))),
  ];
  if (!owners.length || owners.some((owner) => owner === undefined || owner === environment)) return undefined;
  const others = [...new Set(owners as string[])].sort();
  const whatFails = [
    ...(error.problems.length ? [`${others.join(", ")} ${others.length === 1 ? "breaks" : "break"} the rules across environments`] : []),
    ...(error.loadProblems.length ? ["a file in environments/ belongs to no environment"] : []),
  ];
  // The rules across environments read the environment files (hosts, node ports, namespaces, promotedFrom), not the
  // images or sealed files a release changes; a stray file is named by its own path. No history: the advice stands without it.
  const suspects = error.loadProblems.length
    ? [...new Set(error.loadProblems.map((problem) => problem.file))]
    : [environmentFileName("*"), `:(exclude)${environmentFileName(environment)}`];
  const culprit = newestCommitChanging(root, suspects) ?? "";
  const revert = culprit
    ? `revert the commit that broke it, likely \`git revert ${culprit.split(" ")[0]}\` (${culprit}, the newest commit that changed ${error.loadProblems.length ? "that file" : "another environment's settings file"}), then run this again`
    : "fix the files named above or revert the commit that broke them, then run this again";
  return new ReleaseRefusal(
    `${environment} is not what fails: ${whatFails.join(", and ")}:\n${error.message}\n` +
      `A release skips another environment only when its own files do not load or break its own rules; these problems lie between environments (they share the cluster and argocd/), so they must be fixed first. ` +
      `In an incident: ${revert}.`,
  );
}

/**
 * The caller has run checkReadyToCommit. Nothing is written until every
 * environment has loaded and rendered with the new files in memory and the
 * guards passed.
 */
export async function applySettingsChange(change: SettingsChange): Promise<Outcome> {
  const { root, environment, files, commit, dryRun, allowRemoval, what, origin = "", notes = [], warnings: changeWarnings = [] } = change;
  const changedFiles = [...files].filter(([path, content]) => content !== onDisk(root, path));

  let result: { settings: Settings[]; rendered: Rendered; skipped: BrokenEnvironment[] };
  try {
    result = await renderSkippingBroken(root, environment, files);
  } catch (error) {
    if (error instanceof SettingsError) throw otherEnvironmentsRefusal(root, environment, error) ?? new ReleaseRefusal(`the generator rejects ${environment} with ${what}${origin}:\n${error.message}`);
    if (error instanceof InvalidObjectsError) throw new ReleaseRefusal(`the generator rejects ${environment} with ${what}${origin}:\n${error.message}`);
    throw error;
  }
  change.verify?.(result);
  const { rendered, skipped } = result;
  // Said on stderr (a dry run too) and in the commit body.
  const skippedWarnings = skipped.length ? [skippedWarning(root, environment, skipped)] : [];
  const leaks = localValueLeaks(root, rendered);
  if (leaks.length) throw new ReleaseRefusal(`plaintext secret values (${leaks.length}):\n${leaks.map((leak) => `  - ${formatFinding(leak)}`).join("\n")}`);

  const removals = dataBearingRemovals(committedManifests(root, environment), rendered.objects.get(environment) ?? []);
  if (removals.length && !allowRemoval && !dryRun) throw removalRefusal(environment, removals);
  const drift = compareRendered(root, rendered);
  const renderedChanges = [...drift.changed, ...drift.missing, ...drift.extra].sort();
  if (!changedFiles.length && !renderedChanges.length) throw new ReleaseRefusal(`${environment}: ${what} change nothing: the files are already exactly this`);

  const removalLines = removals.map((removal) => `removes ${describeRemoval(removal)}`);
  // Projects are applied only by the bootstrap (README, "Security"): say so when this changes one.
  const bootstrap = renderedChanges.filter((path) => path.startsWith(`${ARGOCD_BOOTSTRAP_DIR}/`));
  if (bootstrap.length) {
    notes.push(`${bootstrap.join(", ")} changed: Argo CD applies ${ARGOCD_BOOTSTRAP_DIR}/ only through \`npm run cluster:up\`; run it once this is pushed.`);
  }
  const summaryNotes = [...notes, ...removalLines]
    .flatMap((note) => note.split("\n"))
    .map((line) => `  ${line}`)
    .join("\n");
  const withNotes = (line: string) => (summaryNotes ? `${line}\n${summaryNotes}` : line);
  if (dryRun) {
    const details = changedFiles.map(([path, content]) => filePatch(path, readCommitted(root, path), content ?? "")).join("") + renderedPatch(root, rendered);
    const warnings = [...changeWarnings, ...skippedWarnings, ...(removals.length && !allowRemoval ? [`without --allow-removal this would be refused: ${removalRefusal(environment, removals).message}`] : [])];
    return { summary: withNotes(`dry run: would commit "${commit.subject}"; nothing was changed`), details, warnings };
  }

  const paths = [...files.keys(), ...rendered.ownedDirs];
  const body = [commit.body ?? "", notes.join("\n"), removals.length ? `Removes (--allow-removal):\n${listRemovals(removals, "")}` : "", ...skippedWarnings.map((warning) => `Warning: ${warning}`)]
    .filter((part) => part.trim())
    .join("\n\n");
  try {
    for (const [path, content] of changedFiles) {
      if (content === null) rmSync(join(root, path), { force: true });
      else writeFileAtomically(join(root, path), content);
    }
    writeRendered(root, rendered);
    stagePaths(root, paths);
    const outside = gitLines(root, ["diff", "--cached", "--name-only"]).filter((file) => !paths.some((path) => file === path || file.startsWith(`${path}/`)));
    if (outside.length) throw new ReleaseRefusal(`files outside ${paths.join(", ")} are staged (${outside.join(", ")}); not committing`);
    const sha = createCommit(root, { ...commit, body });
    const details = git(root, ["show", "--name-status", "--format=", sha]);
    const warnings = [...changeWarnings, ...removalLines, ...skippedWarnings];
    return { summary: withNotes(`committed ${sha.slice(0, 12)} ${commit.subject}`), details, commit: sha, warnings };
  } catch (error) {
    // Every path was clean before we started (checkReadyToCommit), so HEAD is exactly their previous state.
    try {
      stagePaths(root, paths);
      restorePaths(root, "HEAD", paths);
    } catch (undoError) {
      throw new Error(`${(error as Error).message}\nand putting ${paths.join(", ")} back to HEAD failed too: ${(undoError as Error).message}`);
    }
    throw error;
  }
}
