/**
 * `rollback <env> [<commit> | -<n>]`: a new commit that puts the
 * environment's settings (environments/<env>.ts, .images.json, .sealed.json)
 * and its rendered manifests back exactly as they were at an earlier release.
 * The release's settings are read from Git and rendered with the current
 * generator in memory, with every other environment as it is: the release's
 * manifests must be exactly that render, so the commit passes `npm run check`
 * and the next render keeps it. If the generator has changed since, it
 * refuses instead, having written nothing. History is never rewritten, so
 * Argo CD with automated sync simply syncs the new commit.
 */
import { ARGOCD_APPS_DIR, ARGOCD_BOOTSTRAP_DIR } from "../components/argocd.ts";
import { environmentFileName, imagesFileName, sealedFileName } from "../environment-files.ts";
import { InvalidObjectsError, SettingsError } from "../errors.ts";
import { type Drift, compareRendered, driftLines, writeRendered } from "../commands/output.ts";
import { MANIFESTS_DIR, type Rendered } from "../render.ts";
import { renderRepository } from "../commands/pipeline.ts";
import { type Outcome, renderedPatch } from "./apply-images.ts";
import { GitError, git, gitLines, gitSucceeds, restorePaths, stagePaths, trackedFiles } from "./git.ts";
import { type HistoryEntry, readHistory } from "./history.ts";
import { ReleaseRefusal, checkEnvironment, checkReadyToCommit, checkRepository } from "./preconditions.ts";
import { TRAILER, createCommit, describeTags, environmentPaths, formatImagesTrailer, imagesFileRelativePath } from "./release-commit.ts";

/**
 * Argo CD's objects are rendered from every environment's settings (e.g. an
 * Application ignores replica counts its environment leaves to an HPA), so
 * restored settings may change them: the rollback commit then carries their
 * fresh render too.
 */
const ARGOCD_DIRS = [ARGOCD_APPS_DIR, ARGOCD_BOOTSTRAP_DIR];

/** Picks the release to restore: by default the one before the current one; `-<n>`: n releases back; or a commit. */
export function resolveTarget(root: string, environment: string, entries: HistoryEntry[], target: string | undefined): HistoryEntry {
  const listing = `see \`npm run history -- ${environment}\``;
  const stepsBack = target === undefined ? 1 : /^-\d+$/.test(target) ? Number(target.slice(1)) : undefined;
  if (stepsBack !== undefined) {
    if (stepsBack < 1) throw new ReleaseRefusal(`${environment}: target = "${target}": -<n> counts releases back from the current one and must be at least 1`);
    const entry = entries[stepsBack];
    if (!entry) {
      throw new ReleaseRefusal(
        `${environment}: target = "${target ?? `-${stepsBack}`}": there is no release ${stepsBack} back; ${environment} has ${entries.length} release${entries.length === 1 ? "" : "s"} in Git (${listing})`,
      );
    }
    return entry;
  }
  const spec = target as string;
  // A leading dash would reach git as an option.
  const sha = spec.startsWith("-") ? undefined : revParse(root, spec);
  if (!sha) throw new ReleaseRefusal(`${environment}: target = "${spec}": not a commit in this repository (${listing})`);
  const entry = entries.find((candidate) => candidate.commit === sha);
  if (!entry) throw new ReleaseRefusal(`${environment}: target = "${spec}": commit ${sha.slice(0, 12)} is not a release of ${environment} (${listing})`);
  return entry;
}

function revParse(root: string, spec: string): string | undefined {
  try {
    return git(root, ["rev-parse", "--verify", "--quiet", `${spec}^{commit}`]).trim() || undefined;
  } catch (error) {
    if (error instanceof GitError) return undefined;
    throw error;
  }
}

function isUnder(file: string, paths: readonly string[]): boolean {
  return paths.some((path) => file === path || file.startsWith(`${path}/`));
}

function driftedFiles(drift: Drift): string[] {
  return [...drift.changed, ...drift.missing, ...drift.extra];
}


function differsFromHead(root: string, commit: string, path: string): boolean {
  return !gitSucceeds(root, ["diff", "--quiet", "HEAD", commit, "--", path]);
}

/** What to do instead when a release cannot be restored exactly: release its images again, and bring back its settings by hand. */
function alternative(root: string, environment: string, target: HistoryEntry): string {
  const advice: string[] = [];
  if (differsFromHead(root, target.commit, imagesFileRelativePath(environment))) {
    advice.push(`To run the images of ${target.shortCommit} with the current generator, release them again:\n  npm run release -- ${environment} ${formatImagesTrailer(target.tags, " ")}`);
  } else {
    advice.push(`${environment} already runs the images of ${target.shortCommit} (${describeTags(target.tags)}).`);
  }
  const settings = [environmentFileName(environment), sealedFileName(environment)].filter((path) => differsFromHead(root, target.commit, path));
  if (settings.length) {
    advice.push(
      `Its other settings differ from today's too: take what you need from \`git diff HEAD ${target.shortCommit} -- ${settings.join(" ")}\`, then \`npm run render -- ${environment}\` and commit.`,
    );
  }
  return advice.join("\n");
}


/** A file's text at a commit, or null when the commit does not have it. */
function fileAt(root: string, commit: string, path: string): string | null {
  return trackedFiles(root, path, commit).includes(path) ? git(root, ["show", `${commit}:${path}`]) : null;
}

/** The release's manifests of the environment, as committed then: path → content. */
function manifestsAt(root: string, commit: string, environment: string): Map<string, string> {
  return new Map(trackedFiles(root, `${MANIFESTS_DIR}/${environment}`, commit).map((path) => [path, git(root, ["show", `${commit}:${path}`])]));
}

/** How a render differs from the manifests a release committed, as `npm run check` lists it. */
function driftFrom(committed: Map<string, string>, rendered: Rendered, dir: string): Drift {
  const drift: Drift = { changed: [], missing: [], extra: [] };
  for (const [path, content] of rendered.files) {
    if (!isUnder(path, [dir])) continue;
    if (!committed.has(path)) drift.missing.push(path);
    else if (committed.get(path) !== content) drift.changed.push(path);
  }
  drift.extra.push(...[...committed.keys()].filter((path) => !rendered.files.has(path)));
  for (const list of Object.values(drift)) list.sort();
  return drift;
}

/**
 * Renders every environment, the environment with the release's settings
 * (from Git, in memory) and the others as they are, as `npm run check`
 * would after the rollback, and refuses unless the release's manifests are
 * exactly that render. Returns the render of Argo CD's directories when the
 * restored settings change them.
 */
async function checkRestoredRender(root: string, environment: string, target: HistoryEntry, spec: string): Promise<Rendered | undefined> {
  const release = `${target.shortCommit} (revision ${target.revision})`;
  const refuse = (reason: string) => new ReleaseRefusal(`${environment}: target = "${spec}": ${reason}\n${alternative(root, environment, target)}`);
  const files = new Map([environmentFileName, imagesFileName, sealedFileName].map((name) => [name(environment), fileAt(root, target.commit, name(environment))]));
  let rendered: Rendered;
  try {
    rendered = await renderRepository({ root, files });
  } catch (error) {
    // E.g. the release's environments/<env>.ts imports something the generator no longer exports: a SettingsError too.
    if (error instanceof SettingsError || error instanceof InvalidObjectsError) {
      throw refuse(`the current generator rejects the settings of ${release}:\n${error.message}`);
    }
    throw error;
  }
  const differing = driftLines(driftFrom(manifestsAt(root, target.commit, environment), rendered, `${MANIFESTS_DIR}/${environment}`));
  if (differing.length) {
    throw refuse(
      `the generator has changed since ${release}: it renders that release's settings differently from the manifests released then, so restoring them would fail \`npm run check\`:\n` +
        differing.map((line) => `  ${line}`).join("\n"),
    );
  }
  const argocd = driftedFiles(compareRendered(root, { ...rendered, ownedDirs: ARGOCD_DIRS })).filter((file) => isUnder(file, ARGOCD_DIRS));
  if (!argocd.length) return undefined;
  const ownedDirs = ARGOCD_DIRS.filter((dir) => argocd.some((file) => isUnder(file, [dir])));
  return { ...rendered, files: new Map([...rendered.files].filter(([path]) => isUnder(path, ownedDirs))), ownedDirs };
}

/** Back to HEAD: every path in `paths` was clean before the rollback started (checkReadyToCommit). */
function putBack(root: string, paths: string[]): void {
  stagePaths(root, paths);
  restorePaths(root, "HEAD", paths);
}

export interface RollbackOptions {
  root: string;
  environment: string;
  /** A commit, `-<n>`, or undefined for the release before the current one. */
  target?: string;
  dryRun: boolean;
}

export async function rollback({ root, environment, target, dryRun }: RollbackOptions): Promise<Outcome> {
  checkRepository(root);
  checkEnvironment(root, environment);
  const chosen = resolveTarget(root, environment, readHistory(root, environment), target);
  checkReadyToCommit(root, `rollback ${environment}`, { dryRun, alsoWrites: ARGOCD_DIRS });

  const restored = environmentPaths(environment);
  if (gitSucceeds(root, ["diff", "--quiet", "HEAD", chosen.commit, "--", ...restored])) {
    throw new ReleaseRefusal(
      `${environment}: settings and manifests (${restored.join(", ")}) are already exactly as at ${chosen.shortCommit} (revision ${chosen.revision}): this rollback changes nothing`,
    );
  }
  const subject = `rollback(${environment}): to ${chosen.shortCommit} (${describeTags(chosen.tags)})`;
  // Everything is checked in memory first; only then is anything written.
  const argocd = await checkRestoredRender(root, environment, chosen, target ?? "-1");
  const rerendered = argocd ? driftedFiles(compareRendered(root, argocd)).sort() : [];
  // Projects are applied only by the bootstrap (README, "Security"): say so when the restored settings change one.
  const bootstrapChanged = rerendered.some((file) => isUnder(file, [ARGOCD_BOOTSTRAP_DIR]));
  const alsoRendered = rerendered.length
    ? `; Argo CD's objects re-rendered from the restored settings: ${rerendered.join(", ")}` +
      (bootstrapChanged ? `; ${ARGOCD_BOOTSTRAP_DIR}/ changed, which Argo CD applies only through \`npm run cluster:up\`: run it once this is pushed` : "")
    : "";

  if (dryRun) {
    const details = git(root, ["diff", "HEAD", chosen.commit, "--", ...restored]) + (argocd ? renderedPatch(root, argocd) : "");
    return { summary: `dry run: would commit "${subject}"${alsoRendered}; nothing was changed`, details, warnings: [] };
  }

  const touched = [...restored, ...ARGOCD_DIRS];
  try {
    restorePaths(root, chosen.commit, restored);
    if (argocd) {
      writeRendered(root, argocd);
      stagePaths(root, argocd.ownedDirs);
    }
    const staged = gitLines(root, ["diff", "--cached", "--name-only"]);
    const outside = staged.filter((file) => !isUnder(file, touched));
    if (outside.length) throw new ReleaseRefusal(`files outside ${touched.join(", ")} are staged (${outside.join(", ")}); not committing`);
    const sha = createCommit(root, {
      environment,
      action: "rollback",
      subject,
      tags: chosen.tags,
      extraTrailers: { [TRAILER.rollbackTo]: chosen.commit },
    });
    const details = git(root, ["show", "--name-status", "--format=", sha]);
    return { summary: `committed ${sha.slice(0, 12)} ${subject}${alsoRendered}`, details, commit: sha, warnings: [] };
  } catch (error) {
    try {
      putBack(root, touched);
    } catch (undoError) {
      throw new Error(`${(error as Error).message}\nand putting ${touched.join(", ")} back to HEAD failed too: ${(undoError as Error).message}`);
    }
    throw error;
  }
}
