/**
 * Writes a render to disk, or compares it with what is there. Each owned
 * directory that differs from the render is rebuilt from empty in a staging
 * directory and swapped in by rename, so objects that no longer exist
 * disappear and an interrupted write never leaves a half-rendered directory;
 * one that already holds exactly the render is left alone (no file is
 * rewritten, no timestamp moves).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import type { Rendered } from "../render.ts";
import { byCodePoint } from "../lib/order.ts";

/** The files under a directory on disk, repository-relative, sorted; dot files left out (a write's staging directories). */
export function filesUnder(root: string, dir: string): string[] {
  const absolute = join(root, dir);
  if (!existsSync(absolute)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(absolute)) {
    if (entry.startsWith(".")) continue;
    const path = join(absolute, entry);
    if (statSync(path).isDirectory()) found.push(...filesUnder(root, relative(root, path)));
    else found.push(relative(root, path).split("\\").join("/"));
  }
  return found.sort();
}

function filesIn(rendered: Rendered, dir: string): [string, string][] {
  return [...rendered.files].filter(([path]) => path.startsWith(`${dir}/`)).sort(([a], [b]) => byCodePoint(a, b));
}

export function writeRendered(root: string, rendered: Rendered): void {
  const drift = compareRendered(root, rendered);
  const differing = [...drift.changed, ...drift.missing, ...drift.extra];
  const staged: { dir: string; staging: string }[] = [];
  try {
    for (const dir of rendered.ownedDirs.filter((owned) => differing.some((path) => path.startsWith(`${owned}/`)))) {
      const target = join(root, dir);
      const staging = join(dirname(target), `.${basename(target)}.tmp`);
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      staged.push({ dir: target, staging });
      for (const [path, content] of filesIn(rendered, dir)) {
        const file = join(staging, relative(dir, path));
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
      // Files another render owns (another environment's Argo CD objects) stay as they are.
      for (const path of filesUnder(root, dir).filter((file) => rendered.keep?.has(file))) {
        const file = join(staging, relative(dir, path));
        mkdirSync(dirname(file), { recursive: true });
        copyFileSync(join(root, path), file);
      }
    }
  } catch (error) {
    for (const { staging } of staged) rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  for (const { dir, staging } of staged) {
    const old = join(dirname(dir), `.${basename(dir)}.old`);
    rmSync(old, { recursive: true, force: true });
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(staging, dir);
    rmSync(old, { recursive: true, force: true });
  }
}

export interface Drift {
  /** On disk, but different from a fresh render. */
  changed: string[];
  /** Rendered, but not on disk. */
  missing: string[];
  /** On disk, but no longer rendered. */
  extra: string[];
}

/** `changed: <file>` / `missing: <file>` / `stale:   <file>` lines, as `npm run check` prints them. */
export function driftLines(drift: Drift, keep: (file: string) => boolean = () => true): string[] {
  return [
    ...drift.changed.filter(keep).map((file) => `changed: ${file}`),
    ...drift.missing.filter(keep).map((file) => `missing: ${file}`),
    ...drift.extra.filter(keep).map((file) => `stale:   ${file}`),
  ];
}

export function compareRendered(root: string, rendered: Rendered): Drift {
  const drift: Drift = { changed: [], missing: [], extra: [] };
  for (const dir of rendered.ownedDirs) {
    const onDisk = new Set(filesUnder(root, dir).filter((file) => !rendered.keep?.has(file)));
    for (const [path, content] of filesIn(rendered, dir)) {
      if (!onDisk.has(path)) drift.missing.push(path);
      else if (readFileSync(join(root, path), "utf8") !== content) drift.changed.push(path);
      onDisk.delete(path);
    }
    drift.extra.push(...onDisk);
  }
  return drift;
}

export function hasDrift(drift: Drift): boolean {
  return drift.changed.length + drift.missing.length + drift.extra.length > 0;
}

export function readCommitted(root: string, path: string): string {
  const file = join(root, path);
  return existsSync(file) ? readFileSync(file, "utf8") : "";
}
