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

/**
 * -1, 0 or 1 as semantic version `a` is lower than, equal to or higher than
 * `b`, by semver.org's precedence (§11: numbers, then a pre-release below its
 * release, identifiers compared numerically or in ASCII; build metadata
 * ignored); undefined when either is not a semantic version (a git SHA, latest).
 */
export function compareSemver(a: string, b: string): -1 | 0 | 1 | undefined {
  const parse = (tag: string) => {
    const match = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(tag);
    return match ? { core: [Number(match[1]), Number(match[2]), Number(match[3])], pre: match[4]?.split(".") ?? [] } : undefined;
  };
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return undefined;
  const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return sign(x.core[i]! - y.core[i]!);
  if (!x.pre.length || !y.pre.length) return sign(y.pre.length - x.pre.length);
  for (let i = 0; i < Math.min(x.pre.length, y.pre.length); i++) {
    const [p, q] = [x.pre[i]!, y.pre[i]!];
    if (p === q) continue;
    const [pn, qn] = [/^\d+$/.test(p), /^\d+$/.test(q)];
    if (pn && qn) return sign(Number(p) - Number(q));
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return sign(x.pre.length - y.pre.length);
}

/** `backend goes back from 1.1.0 to 1.0.0` for every component whose semantic version is lower after than before. */
export function downgrades(before: Tags, after: Tags): string[] {
  return Object.keys(after)
    .sort()
    .filter((component) => before[component] !== undefined && compareSemver(after[component]!, before[component]!) === -1)
    .map((component) => `${component} goes back from ${before[component]} to ${after[component]} (a lower semantic version)`);
}
