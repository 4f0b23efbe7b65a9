/**
 * Loads a TypeScript file a user edits (environments/<env>.ts,
 * clusters/<name>/cluster.ts) from its text, in memory: esbuild compiles it
 * with whatever it imports from the repository, and it runs as a function of
 * this process. The text may come from the work tree or from a Git revision
 * (rollback), and every load is a fresh evaluation: no module cache of Node's
 * keeps an old version.
 *
 * Every way it can fail is one line, `<file>:<line>:<column>: <message>`, at
 * the user's own source: esbuild's errors for syntax, bad imports and missing
 * exports, and for an error thrown while the file runs (a ReferenceError,
 * say), its position mapped back through the source map. No stack trace of
 * the generator is ever the message.
 *
 * Compiled modules are kept by content in an optional cache directory (the
 * launcher passes .cache/generator/modules), so that a render whose
 * environment files did not change never starts esbuild.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { SourceMap, createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileFunction } from "node:vm";
import { type LoadProblem, formatLoadProblem } from "../errors.ts";
import { readCacheFile, writeCacheFile } from "./cache-file.ts";

/** A file could not be loaded; `problems` says where and why. */
export class ModuleLoadError extends Error {
  readonly problems: LoadProblem[];
  constructor(problems: LoadProblem[]) {
    super(problems.map(formatLoadProblem).join("\n"));
    this.name = "ModuleLoadError";
    this.problems = problems;
  }
}

export interface SourceText {
  /** Repository-relative path, with `/` separators. */
  path: string;
  text: string;
}

export interface ModuleLoadOptions {
  /** Compiled modules by content; none: compile every time. */
  cacheDir?: string | undefined;
}

interface Compiled {
  code: string;
  /** The source map, as esbuild wrote it (sources relative to the repository root). */
  map: string;
  /** Repository files bundled in besides the loaded one (e.g. generator/settings.ts) → content hash. */
  inputs: Record<string, string>;
}

const sha256 = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

let loaderKey: string | undefined;
/** What else decides the compiled code: this file (its compile options) and esbuild's version. */
function compilerKey(): string {
  if (loaderKey === undefined) {
    let esbuildVersion = "none";
    try {
      const require = createRequire(import.meta.url);
      esbuildVersion = (JSON.parse(readFileSync(require.resolve("esbuild/package.json"), "utf8")) as { version: string }).version;
    } catch {
      // compile() names the missing package if it is needed
    }
    loaderKey = sha256(`${readFileSync(fileURLToPath(import.meta.url), "utf8")}\0${esbuildVersion}`);
  }
  return loaderKey;
}

/** One compile per content and process (tests load the same files many times). */
const compiledInProcess = new Map<string, Compiled>();

function readCached(root: string, file: string): Compiled | undefined {
  const compiled = readCacheFile<Partial<Compiled>>(file);
  return typeof compiled?.code === "string" && typeof compiled.inputs === "object" && inputsUnchanged(root, compiled.inputs) ? (compiled as Compiled) : undefined;
}

/** `import … from "file:///…/generator/settings.ts"`, which Node's own loader accepts, resolves to that file. */
const fileUrls: import("esbuild").Plugin = {
  name: "file-urls",
  setup(build) {
    build.onResolve({ filter: /^file:\/\// }, (args) => ({ path: fileURLToPath(args.path) }));
  },
};

type EsbuildLocation = { file: string; line: number; column: number; suggestion?: string };
type EsbuildMessage = { text: string; location: EsbuildLocation | null; notes: { text: string; location: EsbuildLocation | null }[] };

/** A file the user writes (environments/, clusters/), not the generator's own code that a settings file imports. */
function isUsersFile(file: string): boolean {
  return !file.startsWith("generator/") && !file.split("/").includes("node_modules");
}

/**
 * An esbuild warning in a settings file, as a problem: esbuild warns only
 * about code that does not do what it says, and in a file of settings each
 * such place loses or ignores a value. A duplicate key (duplicate-object-key:
 * the later one replaces the earlier, silently; only tsc says TS1117), an
 * import of a name the module does not export (import-is-undefined), an
 * expression after a bare `return` (semicolon-after-return), `import.meta`,
 * which is empty here (empty-import-meta), a comparison that is always false
 * (equals-nan, equals-new-object…). All of them are refused, with where
 * esbuild points (and the other place it names, such as the first key).
 */
function warningProblem({ text, location, notes }: EsbuildMessage, source: SourceText): LoadProblem {
  const elsewhere = notes.flatMap(({ text: note, location: at }) => {
    if (!at) return [];
    const where = `${at.file === location?.file ? "" : `${at.file}:`}${at.line}:${at.column + 1}`;
    // 'The original key "backend" is here:' → 'the original key "backend" is at 11:3'
    return [/ is here:$/.test(note) ? `${note[0]!.toLowerCase()}${note.slice(1).replace(/ is here:$/, ` is at ${where}`)}` : `see ${where}`];
  });
  return {
    file: location?.file ?? source.path,
    line: location?.line,
    column: location ? location.column + 1 : undefined,
    message: `${[text, ...elsewhere].join("; ")} (a warning of esbuild's, refused in a settings file: a value is lost or ignored)`,
  };
}

async function compile(root: string, source: SourceText): Promise<Compiled> {
  let esbuild: typeof import("esbuild");
  try {
    esbuild = await import("esbuild");
  } catch {
    throw new ModuleLoadError([{ file: source.path, message: "cannot compile it: esbuild is not installed (run `npm ci`)" }]);
  }
  const absolute = join(root, source.path);
  try {
    const result = await esbuild.build({
      stdin: { contents: source.text, sourcefile: source.path.slice(source.path.lastIndexOf("/") + 1), resolveDir: dirname(absolute), loader: "ts" },
      absWorkingDir: root,
      bundle: true,
      // Installed packages are required at run time, as Node would import them.
      packages: "external",
      platform: "node",
      format: "cjs",
      target: "node22",
      sourcemap: "external",
      sourcesContent: false,
      outfile: join(root, "compiled.cjs"),
      write: false,
      metafile: true,
      logLevel: "silent",
      plugins: [fileUrls],
    });
    const refused = result.warnings.filter((warning) => isUsersFile(warning.location?.file ?? source.path));
    if (refused.length) throw new ModuleLoadError(refused.map((warning) => warningProblem(warning, source)));
    const output = (suffix: string) => result.outputFiles.find((file) => file.path.endsWith(suffix))!.text;
    const inputs: Record<string, string> = {};
    for (const input of Object.keys(result.metafile.inputs)) {
      if (input !== source.path) inputs[input] = sha256(readFileSync(join(root, input)));
    }
    return { code: output(".cjs"), map: output(".map"), inputs };
  } catch (error) {
    const messages = (error as { errors?: EsbuildMessage[] }).errors;
    if (!messages) throw error;
    throw new ModuleLoadError(
      messages.map(({ text, location }) => ({
        file: location?.file ?? source.path,
        line: location?.line,
        column: location ? location.column + 1 : undefined,
        message: location?.suggestion ? `${text} (did you mean "${location.suggestion}"?)` : text,
      })),
    );
  }
}

/** Where an error thrown by the compiled code happened, in the user's source. */
function thrownAt(error: unknown, source: SourceText, compiledName: string, map: string): LoadProblem {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : `threw ${JSON.stringify(error) ?? String(error)}`;
  const stack = error instanceof Error ? (error.stack ?? "") : "";
  const frame = new RegExp(`${compiledName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+):(\\d+)`).exec(stack);
  if (!frame) return { file: source.path, message };
  const entry = new SourceMap(JSON.parse(map) as ConstructorParameters<typeof SourceMap>[0]).findEntry(Number(frame[1]) - 1, Number(frame[2]) - 1);
  if (!("originalSource" in entry) || entry.originalSource === undefined) return { file: source.path, message };
  return { file: entry.originalSource, line: entry.originalLine + 1, column: entry.originalColumn + 1, message };
}

export interface LoadedModule {
  exports: Record<string, unknown>;
  /** The repository files it imported (compiled into it), by path → content hash: what else it depends on. */
  inputs: Readonly<Record<string, string>>;
}

/**
 * Compiles and runs a TypeScript file given as text; returns its exports.
 * Throws ModuleLoadError, naming the file, line and column, for anything that fails.
 */
export async function loadSourceModule(root: string, source: SourceText, options: ModuleLoadOptions = {}): Promise<Record<string, unknown>> {
  return (await loadModule(root, source, options)).exports;
}

/** loadSourceModule(), with the files the module imported. */
export async function loadModule(root: string, source: SourceText, options: ModuleLoadOptions = {}): Promise<LoadedModule> {
  const key = sha256(`${compilerKey()}\0${source.path}\0${source.text}`);
  const cacheFile = options.cacheDir === undefined ? undefined : join(options.cacheDir, `${key}.json`);
  let compiled = compiledInProcess.get(key);
  if (compiled && !inputsUnchanged(root, compiled.inputs)) compiled = undefined;
  compiled ??= cacheFile === undefined ? undefined : readCached(root, cacheFile);
  if (!compiled) {
    compiled = await compile(root, source);
    if (cacheFile !== undefined) writeCacheFile(cacheFile, compiled);
  }
  compiledInProcess.set(key, compiled);

  const absolute = join(root, source.path);
  // A name of its own in stack traces, so that an error's frame in this code can be told from the generator's.
  const compiledName = `compiled:${source.path}`;
  const module = { exports: {} as Record<string, unknown> };
  try {
    const run = compileFunction(compiled.code, ["exports", "require", "module", "__filename", "__dirname"], { filename: compiledName });
    run(module.exports, createRequire(absolute), module, absolute, dirname(absolute));
  } catch (error) {
    throw new ModuleLoadError([thrownAt(error, source, compiledName, compiled.map)]);
  }
  return { exports: module.exports, inputs: compiled.inputs };
}

/** Whether files a module imported are still as they were (content hashes by path). */
export function inputsUnchanged(root: string, inputs: Readonly<Record<string, string>>): boolean {
  return Object.entries(inputs).every(([path, hash]) => {
    try {
      return sha256(readFileSync(join(root, path))) === hash;
    } catch {
      return false;
    }
  });
}
