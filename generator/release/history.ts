/**
 * `history <env>`: the environment's releases, newest first, like `helm
 * history`. Read from Git only (commits and their trailers), never from the
 * working tree, so it shows what was committed, not what is being edited.
 */
import { MANIFESTS_DIR } from "../render.ts";
import { git, gitLines, gitSucceeds, trackedFiles } from "./git.ts";
import { ReleaseRefusal } from "./preconditions.ts";
import { type ReleaseAction, TRAILER, type Tags, describeChange, describeTags, environmentPaths, imagesFileRelativePath, parseImagesTrailer } from "./release-commit.ts";

export interface HistoryEntry {
  /** 1 for the oldest entry, like Helm's revision numbers. */
  revision: number;
  commit: string;
  shortCommit: string;
  /** Committer date, ISO 8601. */
  date: string;
  author: string;
  /** Image tags at this commit (from the Release-Images trailer). */
  tags: Tags;
  /** `initial`: the commit that first held the environment's files, made before any release. */
  action: ReleaseAction | "initial";
  promotedFrom?: string;
  rollbackTo?: string;
  /** What changed, e.g. `release backend 1.3.0 → 1.4.0`. */
  description: string;
}

const FIELD = "\x1f";
const RECORD = "\x1e";
const trailer = (key: string) => `%(trailers:key=${key},valueonly,separator=%x2C)`;
const LOG_FORMAT = ["%H", "%h", "%cI", "%an", trailer(TRAILER.env), trailer(TRAILER.images), trailer(TRAILER.action), trailer(TRAILER.promotedFrom), trailer(TRAILER.rollbackTo)].join("%x1f") + "%x1e";

interface LoggedCommit {
  commit: string;
  shortCommit: string;
  date: string;
  author: string;
  env: string;
  images: string;
  action: string;
  promotedFrom: string;
  rollbackTo: string;
}

/** Every commit that touched the environment's settings or manifests, newest first (a rollback may change only environments/<env>.ts). */
function commitsTouching(root: string, environment: string): LoggedCommit[] {
  const output = git(root, ["log", `--format=${LOG_FORMAT}`, "HEAD", "--", ...environmentPaths(environment)]);
  return output
    .split(RECORD)
    .map((record) => record.replace(/^\n/, ""))
    .filter((record) => record !== "")
    .map((record) => {
      const [commit = "", shortCommit = "", date = "", author = "", env = "", images = "", action = "", promotedFrom = "", rollbackTo = ""] = record.split(FIELD);
      return { commit, shortCommit, date, author, env: env.trim(), images: images.trim(), action: action.trim(), promotedFrom: promotedFrom.trim(), rollbackTo: rollbackTo.trim() };
    });
}

/** Tags as committed in the images file, for the initial commit (which has no trailers). */
function tagsInFile(root: string, commit: string, environment: string): Tags {
  try {
    const images = JSON.parse(git(root, ["show", `${commit}:${imagesFileRelativePath(environment)}`])) as Record<string, { tag?: unknown }>;
    return Object.fromEntries(Object.entries(images).flatMap(([component, ref]) => (typeof ref?.tag === "string" ? [[component, ref.tag]] : [])));
  } catch {
    return {};
  }
}

/** The first commit at which both the images file and rendered manifests exist: revision 1. */
function initialCommit(root: string, environment: string, commits: LoggedCommit[]): LoggedCommit | undefined {
  for (const logged of [...commits].reverse()) {
    const hasImages = gitSucceeds(root, ["cat-file", "-e", `${logged.commit}:${imagesFileRelativePath(environment)}`]);
    if (hasImages && trackedFiles(root, `${MANIFESTS_DIR}/${environment}`, logged.commit).length > 0) return logged;
  }
  return undefined;
}

/** The environment's releases, newest first. */
export function readHistory(root: string, environment: string): HistoryEntry[] {
  const commits = commitsTouching(root, environment);
  const releases = commits.filter((logged) => logged.env === environment);
  const initial = initialCommit(root, environment, commits);
  if (initial && !releases.some((logged) => logged.commit === initial.commit)) releases.push(initial);

  const oldestFirst = releases.reverse();
  const entries: HistoryEntry[] = [];
  for (const [index, logged] of oldestFirst.entries()) {
    const isInitial = logged.env !== environment;
    const tags = (isInitial ? undefined : parseImagesTrailer(logged.images)) ?? tagsInFile(root, logged.commit, environment);
    const previous = entries[index - 1];
    const change = describeChange(previous?.tags, tags);
    const action: HistoryEntry["action"] = isInitial ? "initial" : logged.action === "promote" || logged.action === "rollback" ? logged.action : "release";
    const entry: HistoryEntry = {
      revision: index + 1,
      commit: logged.commit,
      shortCommit: logged.shortCommit,
      date: logged.date,
      author: logged.author,
      tags,
      action,
      description: "",
    };
    if (action === "promote" && logged.promotedFrom) entry.promotedFrom = logged.promotedFrom;
    if (action === "rollback" && logged.rollbackTo) entry.rollbackTo = logged.rollbackTo;
    entry.description = describeEntry(entry, change, entries);
    entries.push(entry);
  }
  return entries.reverse();
}

function describeEntry(entry: HistoryEntry, change: string, older: HistoryEntry[]): string {
  switch (entry.action) {
    case "initial":
      return "initial: first commit with the environment's files";
    case "promote":
      return `promote from ${entry.promotedFrom ?? "?"} (${change})`;
    case "rollback": {
      const target = older.find((candidate) => candidate.commit === entry.rollbackTo);
      return `rollback to ${target ? `${target.shortCommit} (revision ${target.revision})` : (entry.rollbackTo ?? "?").slice(0, 12)}: ${change}`;
    }
    default:
      return `release ${change}`;
  }
}

/** Environments that exist in HEAD, for a clear message on an unknown name. */
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
    throw new ReleaseRefusal(`${environment}: environment = "${environment}": unknown environment: Git knows ${known.join(", ") || "none"}`);
  }
  return entries;
}

/** An aligned table, newest first. */
export function formatHistory(entries: HistoryEntry[]): string {
  const rows = [
    ["REVISION", "COMMIT", "DATE", "AUTHOR", "IMAGES", "DESCRIPTION"],
    ...entries.map((entry) => [String(entry.revision), entry.shortCommit, entry.date, entry.author, describeTags(entry.tags), entry.description]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ")).join("\n") + "\n";
}
