/**
 * Settings this same code has loaded and checked before, by the content of
 * every file they came from. Checking is a pure function of the code and of
 * those files (each environment's .ts, images and sealed file, each
 * cluster's cluster.ts, and what they import), so a render whose files did
 * not change since the last successful one skips compiling, running and
 * checking them, as the render cache skips validating unchanged objects.
 *
 * The compiled CLI keeps one per build of the code (generator/launcher/):
 * any change to the generator starts an empty one. The key is the text of
 * every file read; an entry also records the files the environment and
 * cluster modules imported, and is used only while those are unchanged.
 * Only settings that passed every check are remembered. Tests, the release
 * commands and library calls use none.
 */
import type { Settings } from "../settings.ts";
import { readCacheFile, writeCacheFile } from "./cache-file.ts";
import { inputsUnchanged } from "./module.ts";

interface Entry {
  settings: Settings[];
  /** Files compiled into the environment and cluster modules → content hash. */
  imports: Record<string, string>;
}

/** Keys kept (the oldest go first): many edits' worth. */
const MAX_ENTRIES = 50;

export class CheckedSettingsCache {
  readonly file: string;
  private readonly entries: Map<string, Entry>;
  private changed = false;

  /** @param file where the cache is kept; a missing or unreadable file is an empty cache */
  constructor(file: string) {
    this.file = file;
    this.entries = new Map(Object.entries(readCacheFile<Record<string, Entry>>(file) ?? {}));
  }

  /** The settings checked before from exactly these files (a copy), or undefined. */
  get(key: string, root: string): Settings[] | undefined {
    const entry = this.entries.get(key);
    return entry && inputsUnchanged(root, entry.imports) ? structuredClone(entry.settings) : undefined;
  }

  /** Records settings that passed every check (a JSON copy: what is remembered cannot change afterwards). */
  remember(key: string, settings: readonly Settings[], imports: Record<string, string>): void {
    this.entries.delete(key);
    this.entries.set(key, JSON.parse(JSON.stringify({ settings, imports })) as Entry);
    this.changed = true;
  }

  /** Writes the cache (atomically); one that cannot be written only means checking again next time. */
  save(): void {
    if (this.changed && writeCacheFile(this.file, Object.fromEntries([...this.entries].slice(-MAX_ENTRIES)))) this.changed = false;
  }
}
