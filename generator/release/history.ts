/**
 * `history <env>`: every commit that changed what the environment runs
 * (manifests/<env>/, or its images file), newest first, like Argo CD's
 * History: releases, promotions, rollbacks and restores (by their trailers),
 * and settings, generator and other changes (by the files they touched),
 * each with the images the environment ran at it. Read from Git only, never
 * from the working tree, so it shows what was committed.
 */
import { readBlobs } from "../commands/git-view.ts";
import { isSettingsFile } from "../commands/settings-files.ts";
import { formatLoadProblem } from "../errors.ts";
import { unknownEnvironmentProblem } from "../load/environments.ts";
import { MANIFESTS_DIR } from "../render.ts";
import { git, gitLines } from "./git.ts";
import { ReleaseRefusal } from "./preconditions.ts";
import { TRAILER, type Tags, describeChange, describeTags, imagesFileRelativePath } from "./release-commit.ts";
import { parseJsonFile } from "../load/json-file.ts";

export type HistoryKind = "release" | "promotion" | "rollback" | "restore" | "settings change" | "generator change" | "merge" | "manifests only";

/** An images file as committed, read leniently (any commit's layout): component → its fields. */
export type ImageRefs = Record<string, Record<string, unknown>>;

export interface HistoryEntry {
  /** 1 for the oldest entry, like Helm's and Argo CD's revision numbers. */
  revision: number;
  commit: string;
  shortCommit: string;
  /** Committer date, ISO 8601. */
  date: string;
  author: string;
  subject: string;
  kind: HistoryKind;
  /** The images file at this commit; undefined where it did not exist or is not an object. */
  images: ImageRefs | undefined;
  /** The images file at the commit's first parent; undefined where it did not exist (or there is no parent). */
  imagesBefore: ImageRefs | undefined;
  /** Image tag per component at this commit. */
  tags: Tags;
  promotedFrom?: string;
  rollbackOf?: string;
  rollbackTo?: string;
  restoredFrom?: string;
  /** What changed, e.g. `release backend 1.3.0 → 1.4.0`. */
  description: string;
}

const FIELD = "\x1f";
const RECORD = "\x1e";
const trailer = (key: string) => `%(trailers:key=${key},valueonly,separator=%x2C)`;
const FORMAT =
  RECORD +
  ["%H", "%h", "%P", "%cI", "%an", "%s", trailer(TRAILER.env), trailer(TRAILER.action), trailer(TRAILER.promotedFrom), trailer(TRAILER.rollbackOf), trailer(TRAILER.rollbackTo), trailer(TRAILER.restoredFrom)].join(
    "%x1f",
  ) +
  FIELD;

interface LoggedCommit {
  commit: string;
  shortCommit: string;
  parents: string[];
  date: string;
  author: string;
  subject: string;
  env: string;
  action: string;
  promotedFrom: string;
  rollbackOf: string;
  rollbackTo: string;
  restoredFrom: string;
  /** Every file the commit changed (not only the environment's). */
  files: string[];
}

/** Every commit that touched the environment's manifests or images file, newest first, with all the files each changed. */
function commitsTouching(root: string, environment: string): LoggedCommit[] {
  const output = git(root, ["log", `--format=${FORMAT}`, "--name-only", "--full-diff", "HEAD", "--", `${MANIFESTS_DIR}/${environment}`, imagesFileRelativePath(environment)]);
  return output
    .split(RECORD)
    .filter((record) => record.trim() !== "")
    .map((record) => {
      const fields = record.split(FIELD);
      const [commit = "", shortCommit = "", parents = "", date = "", author = "", subject = "", env = "", action = "", promotedFrom = "", rollbackOf = "", rollbackTo = "", restoredFrom = ""] = fields;
      const files = (fields[12] ?? "").split("\n").filter((line) => line.trim() !== "");
      const trim = (value: string) => value.trim();
      return {
        commit,
        shortCommit,
        parents: parents.split(" ").filter(Boolean),
        date,
        author,
        subject,
        env: trim(env),
        action: trim(action),
        promotedFrom: trim(promotedFrom),
        rollbackOf: trim(rollbackOf),
        rollbackTo: trim(rollbackTo),
        restoredFrom: trim(restoredFrom),
        files,
      };
    });
}

/**
 * An images file's content as a commit holds it; undefined unless it is a
 * JSON object of objects with no key stated twice (JSON.parse would keep the
 * last of two, which the render refuses: history must not show images that
 * were never rendered).
 */
export function parseImageRefs(text: string | undefined): ImageRefs | undefined {
  if (text === undefined) return undefined;
  const parsed = parseJsonFile("", text);
  if (!("value" in parsed)) return undefined;
  const { value } = parsed;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const refs: ImageRefs = {};
  for (const [component, ref] of Object.entries(value)) if (typeof ref === "object" && ref !== null && !Array.isArray(ref)) refs[component] = ref as Record<string, unknown>;
  return refs;
}

export function tagsOfRefs(refs: ImageRefs | undefined): Tags {
  return Object.fromEntries(Object.entries(refs ?? {}).flatMap(([component, ref]) => (typeof ref.tag === "string" ? [[component, ref.tag]] : [])));
}

/** Whether two images files name different images (any field of any component: repository, tag, digest). */
export function imagesDiffer(a: ImageRefs | undefined, b: ImageRefs | undefined): boolean {
  const canonical = (refs: ImageRefs | undefined) =>
    JSON.stringify(Object.keys(refs ?? {}).sort().map((component) => [component, Object.entries(refs![component]!).sort(([x], [y]) => (x < y ? -1 : 1))]));
  return canonical(a) !== canonical(b);
}

const ACTIONS: Record<string, HistoryKind> = { release: "release", promote: "promotion", rollback: "rollback", restore: "restore" };

function kindOf(logged: LoggedCommit, environment: string): HistoryKind {
  if (logged.env === environment && ACTIONS[logged.action]) return ACTIONS[logged.action]!;
  if (logged.parents.length > 1) return "merge";
  const settings = logged.files.filter(isSettingsFile);
  if (settings.some((file) => file.startsWith(`environments/${environment}.`))) return "settings change";
  if (logged.files.some((file) => file.startsWith("generator/") || file === "package.json" || file === "package-lock.json")) return "generator change";
  if (settings.length) return "settings change";
  return "manifests only";
}

/** The environment's history, newest first. */
export function readHistory(root: string, environment: string): HistoryEntry[] {
  const commits = commitsTouching(root, environment);
  const path = imagesFileRelativePath(environment);
  const files = readBlobs(root, commits.flatMap((logged) => [`${logged.commit}:${path}`, ...(logged.parents[0] ? [`${logged.parents[0]}:${path}`] : [])]));
  const entries: HistoryEntry[] = commits.map((logged, index) => {
    const images = parseImageRefs(files.get(`${logged.commit}:${path}`));
    const entry: HistoryEntry = {
      revision: commits.length - index,
      commit: logged.commit,
      shortCommit: logged.shortCommit,
      date: logged.date,
      author: logged.author,
      subject: logged.subject,
      kind: kindOf(logged, environment),
      images,
      imagesBefore: logged.parents[0] ? parseImageRefs(files.get(`${logged.parents[0]}:${path}`)) : undefined,
      tags: tagsOfRefs(images),
      description: "",
    };
    if (logged.promotedFrom) entry.promotedFrom = logged.promotedFrom;
    if (logged.rollbackOf) entry.rollbackOf = logged.rollbackOf;
    if (logged.rollbackTo) entry.rollbackTo = logged.rollbackTo;
    if (logged.restoredFrom) entry.restoredFrom = logged.restoredFrom;
    return entry;
  });
  for (const entry of entries) entry.description = describeEntry(entry, entries);
  return entries;
}

/** `3f2c1ab (revision 2)`, or the commit alone when it is not in the list. */
function named(commit: string | undefined, entries: HistoryEntry[]): string {
  const entry = entries.find((candidate) => candidate.commit === commit);
  return entry ? `${entry.shortCommit} (revision ${entry.revision})` : (commit ?? "?").slice(0, 12);
}

function describeEntry(entry: HistoryEntry, entries: HistoryEntry[]): string {
  const change = entry.imagesBefore || entry.images ? describeChange(tagsOfRefs(entry.imagesBefore), entry.tags) : "no images file";
  const imageChange = imagesDiffer(entry.images, entry.imagesBefore) ? change : "no image change";
  switch (entry.kind) {
    case "release":
      return `release ${change}`;
    case "promotion":
      return `promote from ${entry.promotedFrom ?? "?"} (${change})`;
    case "rollback":
      return entry.rollbackOf ? `rollback of ${named(entry.rollbackOf, entries)}: ${change}` : `rollback to the images of ${named(entry.rollbackTo, entries)}: ${change}`;
    case "restore":
      return `restore of ${named(entry.restoredFrom, entries)}: ${imageChange}`;
    default:
      return imageChange === "no image change" ? entry.subject : `${entry.subject} (${imageChange})`;
  }
}

/** Environments that exist in HEAD (history reads Git, not the work tree), for the message on an unknown name. */
function environmentsInHead(root: string): string[] {
  return gitLines(root, ["ls-tree", "--name-only", "HEAD", "environments/"])
    .map((path) => path.slice("environments/".length))
    .filter((file) => file.endsWith(".images.json"))
    .map((file) => file.slice(0, -".images.json".length));
}

/** readHistory, refusing an environment Git has never seen. */
export function history(root: string, environment: string): HistoryEntry[] {
  const entries = readHistory(root, environment);
  const known = environmentsInHead(root);
  if (entries.length === 0 && !known.includes(environment)) {
    throw new ReleaseRefusal(formatLoadProblem(unknownEnvironmentProblem(environment, known)));
  }
  return entries;
}

/** An aligned table, newest first. */
export function formatHistory(entries: HistoryEntry[]): string {
  const rows = [
    ["REVISION", "COMMIT", "DATE", "AUTHOR", "KIND", "IMAGES", "DESCRIPTION"],
    ...entries.map((entry) => [String(entry.revision), entry.shortCommit, entry.date, entry.author, entry.kind, describeTags(entry.tags) || "-", entry.description]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ")).join("\n") + "\n";
}
