/**
 * What Git holds, as a clone would see it: the index (what the next commit
 * takes) of the rendered files and of the settings they come from. `npm run
 * check` compares a render with the files on disk and with the index, so a
 * rendered file left untracked or unstaged fails the check on this machine,
 * not on the next clone; `check --staged` (the pre-commit hook) renders the
 * settings as staged and compares with what is staged, never the work tree.
 *
 * Blob ids are computed here, as Git does ("blob <size>\0<bytes>" under the
 * repository's object format), so a whole comparison costs one `git ls-files`.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Rendered } from "../render.ts";

function git(root: string, args: string[], input?: string): string {
  return execFileSync("git", args, { cwd: root, encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
}

export interface IndexEntry {
  mode: string;
  blob: string;
  /** 0, or 1–3 while a merge conflict is unresolved. */
  stage: number;
}

export interface GitIndex {
  /** sha1 or sha256 */
  objectFormat: string;
  /** Repository-relative path → its index entry (stage 0, or the first conflicting stage). */
  entries: Map<string, IndexEntry>;
}

/** The index entries under `paths`; undefined when `root` is not in a Git work tree (or Git is missing). */
export function readIndex(root: string, paths: readonly string[]): GitIndex | undefined {
  let objectFormat: string;
  try {
    objectFormat = git(root, ["rev-parse", "--show-object-format"]).trim();
  } catch {
    return undefined;
  }
  const entries = new Map<string, IndexEntry>();
  for (const record of git(root, ["ls-files", "--stage", "-z", "--", ...paths]).split("\0")) {
    // <mode> SP <blob> SP <stage> TAB <path>
    const match = /^(\d+) ([0-9a-f]+) (\d)\t(.+)$/s.exec(record);
    if (!match) continue;
    const [, mode, blob, stage, path] = match;
    if (!entries.has(path!)) entries.set(path!, { mode: mode!, blob: blob!, stage: Number(stage) });
  }
  return { objectFormat: objectFormat || "sha1", entries };
}

/** Git's object id of a file with this content. */
export function blobId(content: string | Buffer, objectFormat = "sha1"): string {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  return createHash(objectFormat === "sha256" ? "sha256" : "sha1")
    .update(`blob ${bytes.length}\0`)
    .update(bytes)
    .digest("hex");
}

/** The contents of blobs, by id, in one `git cat-file --batch`. */
export function readBlobs(root: string, ids: readonly string[]): Map<string, string> {
  const wanted = [...new Set(ids)];
  const out = new Map<string, string>();
  if (!wanted.length) return out;
  const raw = execFileSync("git", ["cat-file", "--batch"], { cwd: root, input: `${wanted.join("\n")}\n`, maxBuffer: 256 * 1024 * 1024 });
  let offset = 0;
  for (const id of wanted) {
    const newline = raw.indexOf(0x0a, offset);
    const header = raw.subarray(offset, newline).toString("utf8").split(" ");
    if (header[1] === "missing") {
      offset = newline + 1;
      continue;
    }
    const size = Number(header[2]);
    out.set(id, raw.subarray(newline + 1, newline + 1 + size).toString("utf8"));
    offset = newline + 1 + size + 1;
  }
  return out;
}

/** How the index differs from what it should hold. */
export interface IndexDrift {
  /** Should be in Git, is not tracked at all. */
  untracked: string[];
  /** Tracked, but what is staged differs. */
  unstaged: string[];
  /** In Git, but no longer rendered (or deleted on disk): the deletion is not staged. */
  deleted: string[];
  /** A merge conflict is unresolved. */
  conflicted: string[];
}

export function hasIndexDrift(drift: IndexDrift): boolean {
  return drift.untracked.length + drift.unstaged.length + drift.deleted.length + drift.conflicted.length > 0;
}

export function indexDriftLines(drift: IndexDrift): string[] {
  return [
    ...drift.untracked.map((file) => `not in Git (untracked): ${file}`),
    ...drift.unstaged.map((file) => `not staged:   ${file}`),
    ...drift.deleted.map((file) => `deleted, not staged: ${file}`),
    ...drift.conflicted.map((file) => `unmerged:     ${file}`),
  ];
}

/** The `git add` that stages exactly what is listed: rendered directories whole, settings files by name. */
export function gitAddCommand(drift: IndexDrift, rendered: Pick<Rendered, "ownedDirs">): string {
  const paths = new Set<string>();
  for (const file of [...drift.untracked, ...drift.unstaged, ...drift.deleted, ...drift.conflicted]) {
    // An environment's directory, or argocd/apps, argocd/bootstrap: a directory a render rebuilds; a settings file by its name.
    const environmentDir = /^manifests\/[^/]+(?=\/)/.exec(file)?.[0];
    paths.add(environmentDir ?? rendered.ownedDirs.find((dir) => file.startsWith(`${dir}/`)) ?? file);
  }
  return `git add -A -- ${[...paths].sort().join(" ")}`;
}

/**
 * `expected`: path → content the index should hold (a render, or the settings
 * files as they are on disk; null: should not exist). `owned`: directories in
 * which any other tracked file should not exist; `keep`: files there that are
 * someone else's.
 */
export function indexDrift(
  index: GitIndex,
  expected: ReadonlyMap<string, string | null>,
  { owned = [], keep }: { owned?: readonly string[]; keep?: ReadonlySet<string> | undefined } = {},
): IndexDrift {
  const drift: IndexDrift = { untracked: [], unstaged: [], deleted: [], conflicted: [] };
  for (const [path, content] of expected) {
    const entry = index.entries.get(path);
    if (entry?.stage) drift.conflicted.push(path);
    else if (content === null) {
      if (entry) drift.deleted.push(path);
    } else if (!entry) drift.untracked.push(path);
    else if (entry.blob !== blobId(content, index.objectFormat)) drift.unstaged.push(path);
  }
  for (const [path, entry] of index.entries) {
    if (expected.has(path) || keep?.has(path) || !owned.some((dir) => path.startsWith(`${dir}/`))) continue;
    (entry.stage ? drift.conflicted : drift.deleted).push(path);
  }
  for (const list of Object.values(drift)) list.sort();
  return drift;
}

/** A file's content on disk, or null when it does not exist. */
export function onDisk(root: string, path: string): string | null {
  const file = join(root, path);
  return existsSync(file) ? readFileSync(file, "utf8") : null;
}
