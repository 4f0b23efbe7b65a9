/**
 * Objects that this exact build of the generator has already validated and
 * turned into YAML, remembered by content. Validating and serializing ~90
 * objects is most of what is left of a render once the CLI runs compiled, and
 * between two renders almost none of them change.
 *
 * Strictness is unchanged: validation and YAML are pure functions of an
 * object's data and of the code, so
 * - the compiled CLI keeps one cache per version of the code
 *   (generator/launcher/): any change to the generator or its dependencies
 *   starts from an empty one; a change to an environment's settings keeps it,
 *   since settings change objects, not how an object is checked;
 * - the key is the object's full content, including keys whose value is
 *   undefined (the unknown-field check sees those); an object that is not
 *   plain JSON data (NaN, a class instance, a function…) is never cached;
 * - only the objects of a render that passed validation are remembered.
 * The compiled CLI passes one to render() (generator/launcher/ names its file);
 * tests and library calls pass none: everything is validated.
 */
import { createHash } from "node:crypto";
import type { KubeObject } from "../kube-object.ts";
import { readCacheFile, writeCacheFile } from "../load/cache-file.ts";
import type { ValidatedObjects } from "../render.ts";

/** Stands for `undefined` in a key; a string holding it makes an object uncacheable. */
const UNDEFINED = "\u0000undefined";
/** Entries kept on disk (the oldest go first): many renders' worth. */
const MAX_ENTRIES = 2000;

function isPlainContainer(value: object): boolean {
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The content key of an object, or undefined when the object is not plain JSON data. */
export function contentKey(object: unknown): string | undefined {
  let plain = true;
  const json = JSON.stringify(object, function (this: Record<string, unknown>, key, value: unknown) {
    const original = this[key]; // before toJSON(): a Date must not pass for a string
    if (original === undefined) return UNDEFINED;
    if (typeof original === "object" && original !== null && (!isPlainContainer(original) || "toJSON" in original)) plain = false;
    else if (typeof original === "number" && !Number.isFinite(original)) plain = false;
    else if (typeof original === "string" && original.startsWith("\u0000")) plain = false;
    else if (typeof original === "function" || typeof original === "symbol" || typeof original === "bigint") plain = false;
    return value;
  });
  return plain && json !== undefined ? createHash("sha256").update(json).digest("base64url") : undefined;
}

export class RenderCache implements ValidatedObjects {
  private readonly entries: Map<string, string>;
  private readonly keys = new WeakMap<object, string | undefined>();
  private changed = false;

  /** @param file where the cache is kept; a missing or unreadable file is an empty cache */
  readonly file: string;
  constructor(file: string) {
    this.file = file;
    this.entries = new Map(Object.entries(readCacheFile<Record<string, string>>(file) ?? {}));
  }

  private keyOf(object: KubeObject): string | undefined {
    if (!this.keys.has(object)) this.keys.set(object, contentKey(object));
    return this.keys.get(object);
  }

  /** The YAML of an object validated before with exactly this content, or undefined. */
  get(object: KubeObject): string | undefined {
    const key = this.keyOf(object);
    return key === undefined ? undefined : this.entries.get(key);
  }

  /** Records objects that passed validation, with their YAML. */
  remember(object: KubeObject, yaml: string): void {
    const key = this.keyOf(object);
    // Changed since it was looked up (and so perhaps since it was validated): not remembered.
    if (key === undefined || contentKey(object) !== key) return;
    if (this.entries.get(key) === yaml) return;
    this.entries.set(key, yaml);
    this.changed = true;
  }

  /** Writes the cache (atomically). A cache that cannot be written only means validating again next time. */
  save(): void {
    if (this.changed && writeCacheFile(this.file, Object.fromEntries([...this.entries].slice(-MAX_ENTRIES)))) this.changed = false;
  }
}
