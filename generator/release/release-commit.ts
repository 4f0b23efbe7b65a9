/**
 * What a release commit is: the files it may touch, its message and the Git
 * trailers that `history` and `rollback` read back (never the prose).
 */
import { environmentFileName, sealedFileName } from "../environment-files.ts";
import { MANIFESTS_DIR } from "../render.ts";
import { RELEASED_COMPONENTS } from "../settings/schema.ts";
import type { ImagesFile } from "../settings.ts";
import { git } from "./git.ts";

export const TRAILER = {
  env: "Release-Env",
  images: "Release-Images",
  action: "Release-Action",
  promotedFrom: "Release-Promoted-From",
  /** The release whose files a rollback restored. */
  rollbackTo: "Release-Rollback-To",
} as const;

export type ReleaseAction = "release" | "promote" | "rollback";

/** Image tag per released component. */
export type Tags = Record<string, string>;

/** What `release` and `promote` change: the image tags and the manifests rendered from them. */
export function releasePaths(environment: string): string[] {
  return [imagesFileRelativePath(environment), `${MANIFESTS_DIR}/${environment}`];
}

/**
 * Everything that makes up an environment's state at a release: its settings
 * (overrides, image tags, sealed values; a file may be absent) and its
 * rendered manifests. `rollback` restores all of them; `history` follows
 * the commits that touched any of them.
 */
export function environmentPaths(environment: string): string[] {
  return [
    environmentFileName(environment),
    imagesFileRelativePath(environment),
    sealedFileName(environment),
    `${MANIFESTS_DIR}/${environment}`,
  ];
}

export function imagesFileRelativePath(environment: string): string {
  return `environments/${environment}.images.json`;
}

export function tagsOf(images: ImagesFile): Tags {
  return Object.fromEntries(RELEASED_COMPONENTS.map((component) => [component, images[component].tag]));
}

/** `backend 1.4.0, frontend 1.4.0`: components sorted, for messages and tables. */
export function describeTags(tags: Tags): string {
  return Object.keys(tags)
    .sort()
    .map((component) => `${component} ${tags[component]}`)
    .join(", ");
}

/** The Release-Images trailer value: `backend=1.4.0,frontend=1.4.0`. */
/** `backend=1.4.0,frontend=1.4.0`: the trailer's form; with `separator = " "`, the release command's arguments. */
export function formatImagesTrailer(tags: Tags, separator = ","): string {
  return Object.keys(tags)
    .sort()
    .map((component) => `${component}=${tags[component]}`)
    .join(separator);
}

export function parseImagesTrailer(value: string): Tags | undefined {
  if (!value.trim()) return undefined;
  const tags: Tags = {};
  for (const pair of value.split(",")) {
    const [component, tag, ...rest] = pair.trim().split("=");
    if (!component || !tag || rest.length) return undefined;
    tags[component] = tag;
  }
  return tags;
}

/** `backend 1.3.0 → 1.4.0, frontend 1.3.0 → 1.4.0`, only the components that changed. */
export function describeChange(before: Tags | undefined, after: Tags): string {
  const changed = Object.keys(after)
    .sort()
    .filter((component) => before?.[component] !== after[component])
    .map((component) => (before?.[component] ? `${component} ${before[component]} → ${after[component]}` : `${component} ${after[component]}`));
  return changed.length ? changed.join(", ") : "no tag change";
}

export interface ReleaseCommit {
  environment: string;
  action: ReleaseAction;
  subject: string;
  tags: Tags;
  /** Further trailers, e.g. where a promotion came from. */
  extraTrailers?: Record<string, string>;
}

export function commitMessage(commit: ReleaseCommit): string {
  const trailers: [string, string][] = [
    [TRAILER.env, commit.environment],
    [TRAILER.images, formatImagesTrailer(commit.tags)],
    [TRAILER.action, commit.action],
    ...Object.entries(commit.extraTrailers ?? {}),
  ];
  return `${commit.subject}\n\n${trailers.map(([key, value]) => `${key}: ${value}`).join("\n")}\n`;
}

/** Commits what is staged (only the release's files, checked by the caller); returns the new commit. */
export function createCommit(root: string, commit: ReleaseCommit): string {
  // --cleanup=verbatim keeps the message exactly as built; the hooks of the repository still run.
  git(root, ["commit", "--quiet", "--cleanup=verbatim", "--file=-"], commitMessage(commit));
  return git(root, ["rev-parse", "HEAD"]).trim();
}
