/** `promote <from> <to>`: give <to> the image tags <from> runs now, as one commit to <to>. */
import { readImagesFile } from "../load/environments.ts";
import type { SettingsProblem } from "../errors.ts";
import { RELEASED_COMPONENTS, tagProblem } from "../settings/schema.ts";
import { type Outcome, applyImages } from "./apply-images.ts";
import { ReleaseRefusal, checkEnvironment, checkReadyToCommit, checkRepository } from "./preconditions.ts";
import { TRAILER, describeTags, tagsOf } from "./release-commit.ts";
import { changedTags, withTags } from "./release.ts";

export interface PromoteOptions {
  root: string;
  from: string;
  to: string;
  dryRun: boolean;
}

export async function promote({ root, from, to, dryRun }: PromoteOptions): Promise<Outcome> {
  checkRepository(root);
  checkEnvironment(root, from);
  checkEnvironment(root, to);
  if (from === to) throw new ReleaseRefusal(`promote: ${from} to ${to}: the two environments must differ`);
  checkReadyToCommit(root, `promote ${from} ${to}`, { dryRun });

  // Only tags move: each environment keeps its own image repositories.
  const source = tagsOf(readImagesFile(from, root));
  const current = readImagesFile(to, root);
  // A tag fine in dev (e.g. latest) may break the rules of the target environment.
  const problems: SettingsProblem[] = RELEASED_COMPONENTS.flatMap((component) => {
    const problem = tagProblem(to, source[component] ?? "");
    return problem ? [{ environment: to, path: `${component}.image.tag`, value: source[component], rule: `${problem} (promoted from ${from})` }] : [];
  });
  if (problems.length) throw ReleaseRefusal.fromProblems(problems);

  const next = withTags(current, source);
  if (Object.keys(changedTags(current, next)).length === 0) {
    throw new ReleaseRefusal(`${to} already runs what ${from} runs (${describeTags(source)}): this promotion changes nothing`);
  }
  const tags = tagsOf(next);
  return applyImages({
    root,
    environment: to,
    images: next,
    dryRun,
    commit: {
      environment: to,
      action: "promote",
      subject: `promote(${to}): from ${from} (${describeTags(tags)})`,
      tags,
      extraTrailers: { [TRAILER.promotedFrom]: from },
    },
  });
}
