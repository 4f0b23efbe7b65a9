/**
 * The files of the generator's caches (the compiled environment files, the
 * checked settings, the render cache; generator/launcher/ names them): JSON,
 * read whole, written atomically. A cache is never the truth, so a file
 * that is missing or unreadable is an empty cache, and one that cannot be
 * written only means doing the work again next time.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** The file's JSON, or undefined when it is missing or not JSON. */
export function readCacheFile<T>(file: string): T | undefined {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as T | null) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Writes `data` as JSON beside the file, then renames it over the file (readers never see half of one); false when it could not. */
export function writeCacheFile(file: string, data: unknown): boolean {
  const staging = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(staging, JSON.stringify(data));
    renameSync(staging, file);
    return true;
  } catch {
    rmSync(staging, { force: true });
    return false;
  }
}
