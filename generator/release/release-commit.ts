/**
 * What a release commit is: the files it may touch, its message and the Git
 * trailers that `history` and `rollback` read back (never the prose).
 */
import { environmentFileName, sealedFileName } from "../environment-files.ts";
import { RELEASED_COMPONENTS } from "../settings/schema.ts";
import type { ImagesFile } from "../settings.ts";
import { git } from "./git.ts";

export const TRAILER = {
  env: "Release-Env",
  images: "Release-Images",
  action: "Release-Action",
  promotedFrom: "Release-Promoted-From",
  /** A rollback: the commit whose image change it undoes. */
  rollbackOf: "Release-Rollback-Of",
  /** A rollback: the commit whose images it takes (the undone commit's parent, or the one named). */
  rollbackTo: "Release-Rollback-To",
  /** A restore: the commit whose settings and manifests it restores. */
  restoredFrom: "Release-Restored-From",
} as const;

export type ReleaseAction = "release" | "promote" | "rollback" | "restore";

/** Image tag per released component. */
export type Tags = Record<string, string>;

/** An environment's settings files (overrides, image tags, sealed values; a file may be absent): what `restore` puts back. */
export function settingsPaths(environment: string): string[] {
  return [environmentFileName(environment), imagesFileRelativePath(environment), sealedFileName(environment)];
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
  /** Paragraphs between the subject and the trailers: what it undoes, which settings change, what goes. */
  body?: string;
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
  const body = commit.body?.trim() ? `${commit.body.trim()}\n\n` : "";
  return `${commit.subject}\n\n${body}${trailers.map(([key, value]) => `${key}: ${value}`).join("\n")}\n`;
}

/**
 * Commits what is staged (only the command's files, checked by the caller);
 * returns the new commit. --cleanup=verbatim keeps the message exactly as
 * built. --no-verify: the command has rendered, checked and guarded exactly
 * what it commits; the pre-commit hook would check every environment again
 * and could hold up a rollback in an incident over another environment's
 * unrelated drift.
 */
export function createCommit(root: string, commit: ReleaseCommit): string {
  git(root, ["commit", "--quiet", "--no-verify", "--cleanup=verbatim", "--file=-"], commitMessage(commit));
  return git(root, ["rev-parse", "HEAD"]).trim();
}
