/** `promote <from> <to>`: give <to> the image tags <from> runs now, as one commit to <to>, along the declared promotion path. */
import { SettingsError } from "../errors.ts";
import { loadEnvironmentsSkippingBroken } from "../load/environments.ts";
import { promotionProblem } from "../settings/rules.ts";
import type { Settings } from "../settings.ts";
import { imagesFileName } from "../environment-files.ts";
import { type Outcome, applySettingsChange, formatImagesFile, otherEnvironmentsRefusal } from "./change.ts";
import { type CommitOptions, ReleaseRefusal, checkEnvironment, checkReadyToCommit, checkRepository } from "./preconditions.ts";
import { TRAILER, describeChange, describeTags, downgrades, tagsOf } from "./release-commit.ts";
import { changedTags, withTags } from "./release.ts";

export interface PromoteOptions extends CommitOptions {
  from: string;
  to: string;
}

/**
 * The committed settings of the environments that load. Another broken
 * environment is skipped (applySettingsChange says so), but not <from>, whose
 * images are the input, nor <to>, whose image repositories are kept.
 */
async function currentSettings(root: string, from: string, to: string): Promise<Settings[]> {
  try {
    const { settings, broken } = await loadEnvironmentsSkippingBroken({ root });
    for (const [name, role] of [
      [from, `its images are what ${to} would get`],
      [to, "its settings are what the promotion changes"],
    ] as const) {
      const failed = broken.find((candidate) => candidate.name === name);
      if (failed) throw new ReleaseRefusal(`promote ${from} ${to}: ${name}'s own files do not load or break its rules, and ${role}:\n${failed.error.message}`);
    }
    return settings;
  } catch (error) {
    if (error instanceof SettingsError) throw otherEnvironmentsRefusal(root, to, error) ?? new ReleaseRefusal(`the generator rejects the committed settings:\n${error.message}`);
    throw error;
  }
}

export async function promote({ root, from, to, dryRun, allowRemoval = false, generatorSources }: PromoteOptions): Promise<Outcome> {
  checkRepository(root);
  checkEnvironment(root, from);
  checkEnvironment(root, to);
  if (from === to) throw new ReleaseRefusal(`promote: ${from} to ${to}: the two environments must differ`);
  const all = await currentSettings(root, from, to);
  const offPath = promotionProblem(all, from, to);
  if (offPath) throw new ReleaseRefusal(`promote ${from} ${to}: ${offPath}`);
  await checkReadyToCommit(root, `promote ${from} ${to}`, { dryRun, generatorSources });

  // Tags and their digests move (what was tested is what runs); each environment keeps its own image repositories.
  const source = all.find((settings) => settings.name === from)!;
  const target = all.find((settings) => settings.name === to)!;
  const current = { frontend: target.frontend.image, backend: target.backend.image };
  const promoted = { frontend: source.frontend.image, backend: source.backend.image };
  const tags = tagsOf(promoted);
  const next = withTags(current, promoted);
  if (Object.keys(changedTags(current, next)).length === 0) {
    throw new ReleaseRefusal(`${to} already runs what ${from} runs (${describeTags(tags)}): this promotion changes nothing`);
  }
  const nextTags = tagsOf(next);
  // The subject names what runs after; each image's change, and any version going backwards, is said too (allowed: it may be deliberate).
  const backwards = downgrades(tagsOf(current), nextTags);
  return applySettingsChange({
    root,
    environment: to,
    files: new Map([[imagesFileName(to), formatImagesFile(next)]]),
    what: "these images",
    dryRun,
    allowRemoval,
    // A tag fine where it comes from (e.g. latest in dev) may break the rules of the target.
    origin: ` (promoted from ${from})`,
    notes: [`${to}: ${describeChange(tagsOf(current), nextTags)}`, ...backwards.map((line) => `warning: ${line}`)],
    warnings: backwards.map((line) => `${to}: ${line}: promoting from ${from} lowers it; if that is not meant, undo it with npm run rollback -- ${to}`),
    commit: {
      environment: to,
      action: "promote",
      subject: `promote(${to}): from ${from} (${describeTags(nextTags)})`,
      tags: nextTags,
      extraTrailers: { [TRAILER.promotedFrom]: from },
    },
  });
}
