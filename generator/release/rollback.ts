/**
 * `rollback <env> [<commit> | -<n>]`: a new commit that makes the
 * environment's images file and manifests byte-identical to an earlier
 * release. History is never rewritten, so Argo CD with automated sync simply
 * syncs the new commit.
 */
import { InvalidObjectsError, SettingsError } from "../errors.ts";
import { compareRendered, hasDrift } from "../output.ts";
import { render } from "../render.ts";
import type { Outcome } from "./apply-images.ts";
import { GitError, git, gitLines, gitSucceeds, restorePaths } from "./git.ts";
import { type HistoryEntry, readHistory } from "./history.ts";
import { ReleaseRefusal, checkEnvironment, checkReadyToCommit, checkRepository } from "./preconditions.ts";
import { TRAILER, createCommit, describeTags, releasePaths } from "./release-commit.ts";

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

/**
 * Rollback restores what was released, not a fresh render. If the generator
 * has changed since, the current generator would render the restored
 * settings differently; that is reported, not fixed.
 */
async function regenerationWarnings(root: string, environment: string, target: HistoryEntry): Promise<string[]> {
  const restored = `the files restored from ${target.shortCommit}`;
  try {
    const drift = compareRendered(root, await render({ environments: [environment], root }));
    if (!hasDrift(drift)) return [];
    const files = [...drift.changed.map((f) => `changed: ${f}`), ...drift.missing.map((f) => `missing: ${f}`), ...drift.extra.map((f) => `stale:   ${f}`)];
    return [
      `the current generator renders ${environment}'s restored settings differently from ${restored}:\n` +
        files.map((line) => `  ${line}`).join("\n") +
        `\nThe rollback keeps the manifests exactly as released. \`npm run check\` reports this drift until ${environment} is re-rendered (\`npm run render -- ${environment}\`) and committed, or released again.`,
    ];
  } catch (error) {
    if (error instanceof SettingsError || error instanceof InvalidObjectsError) {
      return [
        `the current generator rejects ${restored}:\n${error.message}\n` +
          `The rollback keeps the manifests exactly as released; fix the settings before ${environment}'s next release.`,
      ];
    }
    throw error;
  }
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
  checkReadyToCommit(root, `rollback ${environment}`, { dryRun });

  const paths = releasePaths(environment);
  if (gitSucceeds(root, ["diff", "--quiet", "HEAD", chosen.commit, "--", ...paths])) {
    throw new ReleaseRefusal(`${environment}: ${paths.join(" and ")} are already exactly as at ${chosen.shortCommit} (revision ${chosen.revision}): this rollback changes nothing`);
  }
  const subject = `rollback(${environment}): to ${chosen.shortCommit} (${describeTags(chosen.tags)})`;
  if (dryRun) {
    return {
      summary: `dry run: would commit "${subject}"; nothing was changed (the check against the current generator runs only on a real rollback)`,
      details: git(root, ["diff", "HEAD", chosen.commit, "--", ...paths]),
      warnings: [],
    };
  }

  try {
    restorePaths(root, chosen.commit, paths);
    const outside = gitLines(root, ["diff", "--cached", "--name-only"]).filter((file) => !paths.some((path) => file === path || file.startsWith(`${path}/`)));
    if (outside.length) throw new ReleaseRefusal(`files outside ${paths.join(" and ")} are staged (${outside.join(", ")}); not committing`);
    const warnings = await regenerationWarnings(root, environment, chosen);
    const sha = createCommit(root, {
      environment,
      action: "rollback",
      subject,
      tags: chosen.tags,
      extraTrailers: { [TRAILER.rollbackTo]: chosen.commit },
    });
    const details = git(root, ["show", "--name-status", "--format=", sha]);
    return { summary: `committed ${sha.slice(0, 12)} ${subject}`, details, commit: sha, warnings };
  } catch (error) {
    try {
      restorePaths(root, "HEAD", paths);
    } catch (undoError) {
      throw new Error(`${(error as Error).message}\nand putting ${paths.join(" and ")} back to HEAD failed too: ${(undoError as Error).message}`);
    }
    throw error;
  }
}
