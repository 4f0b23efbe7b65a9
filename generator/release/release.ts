/** `release <env> <component>=<tag>...`: new image tags for one environment, as one commit. */
import { imagesFileName } from "../environment-files.ts";
import type { SettingsProblem } from "../errors.ts";
import { readImagesFile } from "../load/environments.ts";
import { RELEASED_COMPONENTS } from "../settings/schema.ts";
import type { ImagesFile, ReleasedComponent } from "../settings.ts";
import { type Outcome, applySettingsChange, formatImagesFile } from "./change.ts";
import { ReleaseRefusal, checkEnvironment, checkReadyToCommit, checkRepository } from "./preconditions.ts";
import { type Tags, describeTags, tagsOf } from "./release-commit.ts";

function isReleasedComponent(name: string): name is ReleasedComponent {
  return (RELEASED_COMPONENTS as readonly string[]).includes(name);
}

/**
 * Parses `backend=1.4.0` arguments; every problem at once. The tags
 * themselves are checked where every tag is, by the images file's
 * declaration, against the environment's delivery.tags (applySettingsChange).
 * The one place that reads a `<component>=<tag>` argument.
 */
export function parseReleaseTags(environment: string, assignments: string[]): Partial<Record<ReleasedComponent, string>> {
  const problems: SettingsProblem[] = [];
  const file = imagesFileName(environment);
  const tags: Partial<Record<ReleasedComponent, string>> = {};
  if (assignments.length === 0) {
    problems.push({ environment, path: "images", value: undefined, rule: `name at least one <component>=<tag> (components: ${RELEASED_COMPONENTS.join(", ")})` });
  }
  for (const assignment of assignments) {
    const separator = assignment.indexOf("=");
    if (separator < 0) {
      problems.push({ environment, path: "images", value: assignment, rule: "must be <component>=<tag>, e.g. backend=1.4.0" });
      continue;
    }
    const component = assignment.slice(0, separator);
    const tag = assignment.slice(separator + 1);
    if (!isReleasedComponent(component)) {
      problems.push({ environment, path: "component", value: component, rule: `unknown component: must be one of ${RELEASED_COMPONENTS.join(", ")}` });
      continue;
    }
    if (component in tags) {
      problems.push({ environment, file, path: `${component}.tag`, value: tag, rule: `${component} is named more than once` });
      continue;
    }
    tags[component] = tag;
  }
  if (problems.length) throw ReleaseRefusal.fromProblems(problems);
  return tags;
}

/** The images file with the new tags; repositories stay as they are. */
export function withTags(images: ImagesFile, tags: Partial<Record<ReleasedComponent, string>>): ImagesFile {
  const updated = structuredClone(images);
  for (const component of RELEASED_COMPONENTS) {
    const tag = tags[component];
    if (tag !== undefined) updated[component].tag = tag;
  }
  return updated;
}

/** Only the components whose tag actually changes. */
export function changedTags(before: ImagesFile, after: ImagesFile): Tags {
  return Object.fromEntries(RELEASED_COMPONENTS.filter((c) => before[c].tag !== after[c].tag).map((c) => [c, after[c].tag]));
}

export interface ReleaseOptions {
  root: string;
  environment: string;
  /** `<component>=<tag>` as typed on the command line. */
  assignments: string[];
  dryRun: boolean;
  /** Commit even when a data-bearing object would go (listed in the output and the commit body). */
  allowRemoval?: boolean;
}

export async function release({ root, environment, assignments, dryRun, allowRemoval = false }: ReleaseOptions): Promise<Outcome> {
  checkRepository(root);
  checkEnvironment(root, environment);
  const tags = parseReleaseTags(environment, assignments);
  checkReadyToCommit(root, `release ${environment}`, { dryRun });

  const current = await readImagesFile(environment, root);
  const next = withTags(current, tags);
  const changed = changedTags(current, next);
  if (Object.keys(changed).length === 0) {
    throw new ReleaseRefusal(`${environment} already runs ${describeTags(tagsOf(current))}: this release changes nothing`);
  }
  return applySettingsChange({
    root,
    environment,
    files: new Map([[imagesFileName(environment), formatImagesFile(next)]]),
    what: "these images",
    dryRun,
    allowRemoval,
    commit: { environment, action: "release", subject: `release(${environment}): ${describeTags(changed)}`, tags: tagsOf(next) },
  });
}
