// @ts-check
/**
 * The generator's commands as one JavaScript bundle (generator/commands/entry.ts):
 * render, check and diff (generator/commands/cli.ts), release, promote,
 * rollback, restore and history (generator/release/cli.ts) and seal
 * (generator/secrets/seal-command.ts).
 * Running the TypeScript sources resolves several hundred modules and strips
 * their types at every start, which took most of a second of every command;
 * a bundle starts in a fraction of that (an incident's rollback included).
 * Plain JavaScript because it runs before anything can compile TypeScript.
 *
 * The bundle never runs stale: it is rebuilt whenever a file esbuild read to
 * build it (esbuild's metafile inputs: generator code and dependencies)
 * changed — by content hash for the repository's files, by size and
 * modification time for installed packages — when this file or esbuild
 * changes, or when the repository moved. The files a user edits are not in
 * it: environments/<env>.ts and clusters/<name>/cluster.ts are loaded at run
 * time (generator/load/module.ts), compiled by content into
 * .cache/generator/modules/. It all lives in .cache/generator/ (ignored by
 * Git); deleting it is always safe. To debug with the TypeScript sources, run
 * the same CLI directly: `node generator/commands/cli.ts render`,
 * `node generator/release/cli.ts history dev`.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const CACHE_DIR = join(".cache", "generator");
const STAMP = "stamp.json";
const BUNDLE = "cli.mjs";
/** In each build's directory, beside the bundle: its render cache (generator/commands/render-cache.ts), for this code only. */
const RENDER_CACHE = "render-cache.json";
/** Beside it: the settings this code checked before (generator/load/checked-cache.ts), for this code only. */
const CHECKED_CACHE = "checked-settings.json";
/**
 * Beside the bundle: the repository's own files it was built from (its metafile's
 * inputs outside node_modules), which the release commands refuse to commit
 * over while they hold uncommitted changes (generator/release/preconditions.ts).
 */
const SOURCES = "sources.json";
/** Compiled environment and cluster files, by content (generator/load/module.ts), shared by every build. */
const MODULES = "modules";
/** Compiled files unused for this long are removed when a new build is made. */
const KEEP_MODULES_MS = 7 * 24 * 60 * 60 * 1000;
/** The generated entry's name in esbuild's metafile; it has no file (its content follows from the keys above). */
const ENTRY = "<launcher entry>";
/**
 * Packages the bundle imports at run time by a computed path, which esbuild
 * cannot follow (client-node's models, see generator/validation/unknown-fields.ts):
 * their package.json stands for them among the inputs.
 */
const RUNTIME_PACKAGES = ["@kubernetes/client-node"];
/** Builds older than this are removed when a new one is made (a running process may still be loading one). */
const KEEP_OLD_BUILDS_MS = 10 * 60 * 1000;

const THIS_FILE = fileURLToPath(import.meta.url);

/**
 * @typedef {object} Stamp
 * @property {string} root
 * @property {string} builder hash of this file and the esbuild version
 * @property {Record<string, string>} inputs every file the bundle was built from (root-relative) → its fingerprint
 * @property {string} build directory name of the bundle under CACHE_DIR
 */

/** @param {string | Buffer} content */
function digest(content) {
  return createHash("sha256").update(content).digest("hex");
}

/** @param {string} path root-relative */
function isDependency(path) {
  return path.split(/[\\/]/).includes("node_modules");
}

/**
 * A file's fingerprint: its content hash; for installed dependencies, which only
 * change by being rewritten, its size and modification time (much cheaper).
 * @param {string} root @param {string} path
 */
function fingerprint(root, path) {
  const file = join(root, path);
  if (isDependency(path)) {
    const { size, mtimeMs } = statSync(file);
    return `${size} ${mtimeMs}`;
  }
  return digest(readFileSync(file));
}

function builderKey() {
  let esbuildPackage;
  try {
    esbuildPackage = createRequire(import.meta.url).resolve("esbuild/package.json");
  } catch {
    throw new BuildError("esbuild (a dependency in package.json) is not installed: run `npm ci`.\n");
  }
  const { version } = JSON.parse(readFileSync(esbuildPackage, "utf8"));
  return digest(`${readFileSync(THIS_FILE, "utf8")}\nesbuild ${version}`);
}

/**
 * Why the recorded build cannot be used, or undefined when it can.
 * @param {string} root
 * @param {Stamp | undefined} stamp
 */
export function staleReason(root, stamp) {
  if (!stamp) return "no build yet";
  if (stamp.root !== root) return "the repository moved";
  if (stamp.builder !== builderKey()) return "the launcher or esbuild changed";
  if (!existsSync(join(root, CACHE_DIR, stamp.build, BUNDLE))) return "the bundle is missing";
  for (const [path, recorded] of Object.entries(stamp.inputs)) {
    let current;
    try {
      current = fingerprint(root, path);
    } catch {
      return `${path} is gone`;
    }
    if (current !== recorded) return `${path} changed`;
  }
  return undefined;
}

/** @param {string} root @returns {Stamp | undefined} */
function readStamp(root) {
  try {
    return JSON.parse(readFileSync(join(root, CACHE_DIR, STAMP), "utf8"));
  } catch {
    return undefined;
  }
}

/**
 * Reads the repository's TypeScript and JSON itself, so that the fingerprint recorded
 * is that of exactly what was bundled even if a file is saved during the
 * build, and so that each module keeps its own import.meta.url (REPO_ROOT is
 * computed from it, and the module loader reads its own source) as if it had
 * not been bundled. Other files (dependencies' JavaScript) are left to esbuild
 * and fingerprinted after the build.
 * @param {string} root
 * @param {Record<string, string>} fingerprints filled in: root-relative path → fingerprint
 * @returns {import("esbuild").Plugin}
 */
function ownSources(root, fingerprints) {
  return {
    name: "own-sources",
    setup(build) {
      build.onLoad({ filter: /\.([cm]?ts|json)$/, namespace: "file" }, async (args) => {
        const path = relative(root, args.path);
        if (isDependency(path)) return undefined;
        const content = await readFile(args.path, "utf8");
        fingerprints[path] = digest(content);
        if (path.endsWith(".json")) return { contents: content, loader: "json" };
        return { contents: content.replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href)), loader: "ts" };
      });
    },
  };
}

/**
 * The fingerprint of a file esbuild read itself, or one that never matches
 * when the file changed after the build began (esbuild may have read either version).
 * @param {string} root @param {string} path @param {number} buildStart
 */
function fingerprintAfterBuild(root, path, buildStart) {
  return statSync(join(root, path)).mtimeMs >= buildStart ? "changed during the build" : fingerprint(root, path);
}

/** Thrown when esbuild cannot build the bundle (e.g. a syntax error in an environment file); the message says where. */
export class BuildError extends Error {}

/** @param {string} root @returns {Promise<Stamp>} */
async function build(root) {
  const esbuild = await import("esbuild");
  // The caches are the CLI's parameters, found beside the bundle (import.meta.url is the bundle's own here).
  // The first argument picks the CLI (generator/commands/entry.ts).
  const entry = [
    `import { fileURLToPath as bundlePath } from "node:url";`,
    `import { main } from "./generator/commands/entry.ts";`,
    `await main({`,
    `  renderCacheFile: bundlePath(new URL(${JSON.stringify(RENDER_CACHE)}, import.meta.url)),`,
    `  checkedCacheFile: bundlePath(new URL(${JSON.stringify(CHECKED_CACHE)}, import.meta.url)),`,
    `  moduleCacheDir: bundlePath(new URL(${JSON.stringify(`../${MODULES}/`)}, import.meta.url)),`,
    `  generatorSourcesFile: bundlePath(new URL(${JSON.stringify(SOURCES)}, import.meta.url)),`,
    `});`,
  ].join("\n");
  const cacheDir = join(root, CACHE_DIR);
  /** @type {Record<string, string>} */
  const inputs = {};
  for (const name of RUNTIME_PACKAGES) {
    const path = join("node_modules", name, "package.json");
    inputs[path] = fingerprint(root, path);
  }
  let result;
  const buildStart = Date.now() - 1000; // file systems with coarse timestamps
  try {
    result = await esbuild.build({
      stdin: { contents: entry, resolveDir: root, sourcefile: ENTRY, loader: "ts" },
      absWorkingDir: root,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      // ajv-formats-draft2019 (kubernetes-models' validator) calls require("punycode"),
      // which would load Node's deprecated built-in and print DEP0040 on every run:
      // the bundle takes the npm package of the same code instead.
      // jsonc-parser's "main" is a UMD build whose require() calls esbuild cannot follow: the bundle takes its ESM build ("module").
      alias: { punycode: "punycode/punycode.js", "jsonc-parser": "jsonc-parser/lib/esm/main.js" },
      // The module loader starts esbuild only when an environment file changed: from node_modules, as installed.
      external: ["esbuild"],
      outfile: join(cacheDir, BUNDLE),
      write: false,
      metafile: true,
      logLevel: "silent",
      // CommonJS dependencies call require() for Node's built-in modules.
      banner: { js: 'import { createRequire as __bundleRequire } from "node:module"; const require = __bundleRequire(import.meta.url);' },
      plugins: [ownSources(root, inputs)],
    });
  } catch (error) {
    const errors = /** @type {{ errors?: import("esbuild").Message[] }} */ (error).errors;
    if (!errors) throw error;
    const text = await esbuild.formatMessages(errors, { kind: "error", color: false });
    throw new BuildError(`The generator does not compile:\n${text.join("")}`);
  }

  for (const path of Object.keys(result.metafile.inputs)) {
    if (path !== ENTRY && !(path in inputs)) inputs[path] = fingerprintAfterBuild(root, path, buildStart);
  }
  const bundle = result.outputFiles.find((file) => file.path.endsWith(BUNDLE));
  if (!bundle) throw new Error("launcher: esbuild produced no bundle");
  const runtime = RUNTIME_PACKAGES.map((name) => inputs[join("node_modules", name, "package.json")]).join("\n");
  const sortedInputs = Object.fromEntries(Object.entries(inputs).sort(([a], [b]) => (a < b ? -1 : 1)));
  const sources = Object.keys(sortedInputs).filter((path) => !isDependency(path)).map((path) => path.split(sep).join("/"));
  const sourcesJson = `${JSON.stringify(sources, null, 1)}\n`;
  // Named by what decides a render (the bundle and the packages it imports at run time) and by the list of its
  // sources written beside it: a module of types only adds a source without changing the bundle, and a build
  // named by the bundle alone would keep the older list (which the release commands read).
  const name = digest(Buffer.concat([bundle.contents, Buffer.from(runtime), Buffer.from(sourcesJson)])).slice(0, 16);

  // Builds are immutable directories named by content, so a process that read
  // an older stamp still finds the bundle it named.
  mkdirSync(cacheDir, { recursive: true });
  const target = join(cacheDir, name);
  if (!existsSync(target)) {
    const staging = join(cacheDir, `.${name}.${process.pid}.tmp`);
    mkdirSync(staging, { recursive: true });
    for (const file of result.outputFiles) writeFileSync(join(staging, file.path.slice(file.path.lastIndexOf(sep) + 1)), file.contents);
    // The name covers this list too, so a build of that name always has these sources.
    writeFileSync(join(staging, SOURCES), sourcesJson);
    try {
      renameSync(staging, target);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(target)) throw error; // else: another process built the same bundle
    }
  }
  /** @type {Stamp} */
  const stamp = { root, builder: builderKey(), inputs: sortedInputs, build: name };
  const stampTmp = join(cacheDir, `.${STAMP}.${process.pid}.tmp`);
  writeFileSync(stampTmp, `${JSON.stringify(stamp, null, 1)}\n`);
  renameSync(stampTmp, join(cacheDir, STAMP));
  removeOldBuilds(cacheDir, name);
  return stamp;
}

/** @param {string} path @param {number} age */
function removeIfOlder(path, age) {
  try {
    if (Date.now() - statSync(path).mtimeMs > age) rmSync(path, { recursive: true, force: true });
  } catch {
    // removed by another process meanwhile
  }
}

/** @param {string} cacheDir @param {string} current */
function removeOldBuilds(cacheDir, current) {
  for (const entry of readdirSync(cacheDir)) {
    if (entry === current || entry === STAMP) continue;
    if (entry === MODULES) {
      for (const file of readdirSync(join(cacheDir, MODULES))) removeIfOlder(join(cacheDir, MODULES, file), KEEP_MODULES_MS);
      continue;
    }
    removeIfOlder(join(cacheDir, entry), KEEP_OLD_BUILDS_MS);
  }
}

/**
 * The path of an up-to-date bundle of the CLI for the repository at `root`, building it if needed.
 * @param {string} root
 * @returns {Promise<{ path: string, rebuilt: string | undefined }>} rebuilt: why it was rebuilt, if it was
 */
export async function bundledCli(root) {
  let stamp = readStamp(root);
  const reason = staleReason(root, stamp);
  if (reason) stamp = await build(root);
  return { path: join(root, CACHE_DIR, /** @type {Stamp} */ (stamp).build, BUNDLE), rebuilt: reason };
}
