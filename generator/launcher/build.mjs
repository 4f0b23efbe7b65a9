// @ts-check
/**
 * The generator's CLI (generator/cli.ts) as one JavaScript bundle. Starting it
 * through tsx transpiles on the fly and resolves several hundred modules, which
 * took most of a second of every `npm run render` and `npm run check`; a bundle
 * starts in a fraction of that. Plain JavaScript because it runs before
 * anything can compile TypeScript.
 *
 * The bundle never runs stale: it is rebuilt whenever a file esbuild read to
 * build it (esbuild's metafile inputs: generator code, environments, clusters,
 * dependencies) differs by content hash, when an environment file appears or
 * disappears, when this file or esbuild changes, or when the repository moved.
 * It lives in .cache/generator/ (ignored by Git); deleting it is always safe.
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
/** Beside the bundle, so a new build starts with an empty cache (see generator/render-cache.ts). */
const RENDER_CACHE = "render-cache.json";
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
 * @property {string[]} environments the environment files bundled
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

/** The same selection as listEnvironments() in generator/environments.ts. */
function environmentFiles(/** @type {string} */ root) {
  return readdirSync(join(root, "environments"))
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && !file.endsWith(".d.ts"))
    .sort();
}

function builderKey() {
  let esbuildPackage;
  try {
    esbuildPackage = createRequire(import.meta.url).resolve("esbuild/package.json");
  } catch {
    throw new BuildError("esbuild (a devDependency) is not installed: run `npm ci`.\n");
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
  if (stamp.environments.join("\n") !== environmentFiles(root).join("\n")) return "the environment files changed";
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

const LOADERS = /** @type {const} */ ({ ".ts": "ts", ".mts": "ts", ".cts": "ts", ".js": "js", ".mjs": "js", ".cjs": "js", ".json": "json" });

/**
 * Loads every source file itself, so that the fingerprint recorded is that of
 * exactly what was bundled, even if a file is saved during the build. Each of
 * the repository's own modules keeps its import.meta.url (REPO_ROOT is
 * computed from it) as if it had not been bundled; dependencies are bundled as
 * they are.
 * @param {string} root
 * @param {Record<string, string>} fingerprints filled in: root-relative path → fingerprint
 * @returns {import("esbuild").Plugin}
 */
function fingerprintedSources(root, fingerprints) {
  return {
    name: "fingerprinted-sources",
    setup(build) {
      build.onLoad({ filter: /.*/, namespace: "file" }, async (args) => {
        const loader = LOADERS[/** @type {keyof typeof LOADERS} */ (extname(args.path))];
        if (!loader) return undefined; // fingerprinted from the metafile after the build
        const path = relative(root, args.path);
        const dependency = isDependency(path);
        const stats = dependency ? statSync(args.path) : undefined; // before reading: a later change shows
        const content = await readFile(args.path);
        fingerprints[path] = stats ? `${stats.size} ${stats.mtimeMs}` : digest(content);
        if (dependency) return { contents: content, loader };
        const source = content.toString("utf8").replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href));
        return { contents: source, loader };
      });
    },
  };
}

/** Thrown when esbuild cannot build the bundle (e.g. a syntax error in an environment file); the message says where. */
export class BuildError extends Error {}

/** @param {string} root @returns {Promise<Stamp>} */
async function build(root) {
  const esbuild = await import("esbuild");
  const environments = environmentFiles(root);
  // The environments are bundled too (plain Node cannot import .ts); the CLI
  // is imported after they are provided, since it renders as it loads.
  const entry = [
    `import { fileURLToPath as bundlePath } from "node:url";`,
    `import { provideBundledEnvironment } from "./generator/environments.ts";`,
    `import { useRenderCache } from "./generator/render-cache.ts";`,
    `useRenderCache(bundlePath(new URL(${JSON.stringify(RENDER_CACHE)}, import.meta.url)));`,
    ...environments.map((file, i) => `import * as environment${i} from ${JSON.stringify(`./environments/${file}`)};`),
    ...environments.map((file, i) => `provideBundledEnvironment(${JSON.stringify(join(root, "environments", file))}, environment${i});`),
    `await import("./generator/cli.ts");`,
  ].join("\n");
  const cacheDir = join(root, CACHE_DIR);
  /** @type {Record<string, string>} */
  const inputs = {};
  for (const name of RUNTIME_PACKAGES) {
    const path = join("node_modules", name, "package.json");
    inputs[path] = fingerprint(root, path);
  }
  let result;
  try {
    result = await esbuild.build({
      stdin: { contents: entry, resolveDir: root, sourcefile: ENTRY, loader: "ts" },
      absWorkingDir: root,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile: join(cacheDir, "build", BUNDLE),
      sourcemap: "linked",
      write: false,
      metafile: true,
      logLevel: "silent",
      // CommonJS dependencies call require() for Node's built-in modules.
      banner: { js: 'import { createRequire as __bundleRequire } from "node:module"; const require = __bundleRequire(import.meta.url);' },
      plugins: [fingerprintedSources(root, inputs)],
    });
  } catch (error) {
    const errors = /** @type {{ errors?: import("esbuild").Message[] }} */ (error).errors;
    if (!errors) throw error;
    const text = await esbuild.formatMessages(errors, { kind: "error", color: false });
    throw new BuildError(`The generator does not compile:\n${text.join("")}`);
  }

  for (const path of Object.keys(result.metafile.inputs)) {
    if (path !== ENTRY && !(path in inputs)) inputs[path] = fingerprint(root, path);
  }
  const bundle = result.outputFiles.find((file) => file.path.endsWith(BUNDLE));
  if (!bundle) throw new Error("launcher: esbuild produced no bundle");
  // Named by what decides a render: the bundle and the packages it imports at run time.
  const runtime = RUNTIME_PACKAGES.map((name) => inputs[join("node_modules", name, "package.json")]).join("\n");
  const name = digest(Buffer.concat([bundle.contents, Buffer.from(runtime)])).slice(0, 16);

  // Builds are immutable directories named by content, so a process that read
  // an older stamp still finds the bundle it named.
  mkdirSync(cacheDir, { recursive: true });
  const target = join(cacheDir, name);
  if (!existsSync(target)) {
    const staging = join(cacheDir, `.${name}.${process.pid}.tmp`);
    mkdirSync(staging, { recursive: true });
    for (const file of result.outputFiles) writeFileSync(join(staging, file.path.slice(file.path.lastIndexOf(sep) + 1)), file.contents);
    try {
      renameSync(staging, target);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(target)) throw error; // else: another process built the same bundle
    }
  }
  const sortedInputs = Object.fromEntries(Object.entries(inputs).sort(([a], [b]) => (a < b ? -1 : 1)));
  /** @type {Stamp} */
  const stamp = { root, builder: builderKey(), environments, inputs: sortedInputs, build: name };
  const stampTmp = join(cacheDir, `.${STAMP}.${process.pid}.tmp`);
  writeFileSync(stampTmp, `${JSON.stringify(stamp, null, 1)}\n`);
  renameSync(stampTmp, join(cacheDir, STAMP));
  removeOldBuilds(cacheDir, name);
  return stamp;
}

/** @param {string} cacheDir @param {string} current */
function removeOldBuilds(cacheDir, current) {
  const now = Date.now();
  for (const entry of readdirSync(cacheDir)) {
    if (entry === current || entry === STAMP) continue;
    const path = join(cacheDir, entry);
    try {
      if (now - statSync(path).mtimeMs > KEEP_OLD_BUILDS_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed by another process meanwhile
    }
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
