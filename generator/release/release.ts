/** `release <env> <component>=<tag>[@sha256:<digest>]...`: new image tags (and digests) for one environment, as one commit. */
import { imagesFileName } from "../environment-files.ts";
import type { SettingsProblem } from "../errors.ts";
import { readImagesFile } from "../load/environments.ts";
import { RELEASED_COMPONENTS } from "../settings/schema.ts";
import type { ImagesFile, ReleasedComponent } from "../settings.ts";
import { type Outcome, applySettingsChange, formatImagesFile } from "./change.ts";
import { type CommitOptions, ReleaseRefusal, checkEnvironment, checkReadyToCommit, checkRepository } from "./preconditions.ts";
import { type Tags, describeTags, tagsOf } from "./release-commit.ts";

function isReleasedComponent(name: string): name is ReleasedComponent {
  return (RELEASED_COMPONENTS as readonly string[]).includes(name);
}

/** What a release names for one component: a tag, and the digest it points at when the release pins one. */
export interface ReleasedImage {
  tag: string;
  digest?: string;
}

/**
 * `1.4.0` → { tag }, `1.4.0@sha256:…` → { tag, digest }: the one place the
 * command line's image is split (at the first `@`, as distribution/reference
 * does). Both parts are checked where every image is, by the images file's
 * declaration (a tag for the environment's delivery.tags, a sha256 digest).
 */
export function parseImageArgument(value: string): ReleasedImage {
  const at = value.indexOf("@");
  return at < 0 ? { tag: value } : { tag: value.slice(0, at), digest: value.slice(at + 1) };
}

/** `1.4.0`, or `1.4.0@sha256:0123456789ab` (the digest shortened, as in commit subjects). */
export function describeImage(image: ReleasedImage): string {
  return image.digest ? `${image.tag}@${image.digest.slice(0, "sha256:".length + 12)}` : image.tag;
}

/**
 * Parses `backend=1.4.0` and `backend=1.4.0@sha256:…` arguments; every
 * problem at once. The tags and digests themselves are checked where every
 * image is, by the images file's declaration, against the environment's
 * delivery.tags (applySettingsChange).
 */
export function parseReleaseTags(environment: string, assignments: string[]): Partial<Record<ReleasedComponent, ReleasedImage>> {
  const problems: SettingsProblem[] = [];
  const file = imagesFileName(environment);
  const images: Partial<Record<ReleasedComponent, ReleasedImage>> = {};
  if (assignments.length === 0) {
    problems.push({ environment, path: "images", value: undefined, rule: `name at least one <component>=<tag> (components: ${RELEASED_COMPONENTS.join(", ")})` });
  }
  for (const assignment of assignments) {
    const separator = assignment.indexOf("=");
    if (separator < 0) {
      problems.push({ environment, path: "images", value: assignment, rule: "must be <component>=<tag> or <component>=<tag>@sha256:<digest>, e.g. backend=1.4.0" });
      continue;
    }
    const component = assignment.slice(0, separator);
    const value = assignment.slice(separator + 1);
    if (!isReleasedComponent(component)) {
      problems.push({ environment, path: "component", value: component, rule: `unknown component: must be one of ${RELEASED_COMPONENTS.join(", ")}` });
      continue;
    }
    if (component in images) {
      problems.push({ environment, file, path: `${component}.tag`, value, rule: `${component} is named more than once` });
      continue;
    }
    images[component] = parseImageArgument(value);
  }
  if (problems.length) throw ReleaseRefusal.fromProblems(problems);
  return images;
}

/**
 * The images file with the new tags; repositories stay as they are. A digest
 * belongs to one tag, so each named component gets exactly the digest named
 * with it: none when none is, removing the one its previous tag had.
 */
export function withTags(images: ImagesFile, released: Partial<Record<ReleasedComponent, ReleasedImage>>): ImagesFile {
  const updated = structuredClone(images);
  for (const component of RELEASED_COMPONENTS) {
    const image = released[component];
    if (image === undefined) continue;
    updated[component] = { repository: images[component].repository, tag: image.tag, ...(image.digest !== undefined ? { digest: image.digest } : {}) };
  }
  return updated;
}

/** Only the components whose tag or digest actually changes, as the commit subject shows them. */
export function changedTags(before: ImagesFile, after: ImagesFile): Tags {
  return Object.fromEntries(
    RELEASED_COMPONENTS.filter((c) => before[c].tag !== after[c].tag || before[c].digest !== after[c].digest).map((c) => [c, describeImage(after[c])]),
  );
}

export interface ReleaseOptions extends CommitOptions {
  environment: string;
  /** `<component>=<tag>` or `<component>=<tag>@sha256:<digest>` as typed on the command line. */
  assignments: string[];
}

export async function release({ root, environment, assignments, dryRun, allowRemoval = false, generatorSources }: ReleaseOptions): Promise<Outcome> {
  checkRepository(root);
  checkEnvironment(root, environment);
  const released = parseReleaseTags(environment, assignments);
  await checkReadyToCommit(root, `release ${environment}`, { dryRun, generatorSources });

  const current = await readImagesFile(environment, root);
  const next = withTags(current, released);
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
