/**
 * The load step: finds the environments and the clusters, and reads the
 * files that make up each environment (environments/<env>.ts,
 * <env>.images.json, <env>.sealed.json) and each cluster
 * (clusters/<name>/cluster.ts) from the work tree, or from memory where a
 * command replaces them (a release's new images file, a rollback's files from
 * a Git revision), and turns them into checked settings. Nothing here renders
 * or writes (but the caches it is given).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ClusterFacts } from "../cluster-facts.ts";
import { clusterFileName, environmentFileName, environmentNameProblem, imagesFileName, sealedFileName } from "../environment-files.ts";
import { type LoadProblem, SettingsError, type SettingsProblem } from "../errors.ts";
import { closestName } from "../settings/problems.ts";
import type { EnvironmentSources } from "../settings/resolve.ts";
import { crossEnvironmentProblems } from "../settings/rules.ts";
import type { ImagesFile, Settings } from "../settings.ts";
import type { CheckedSettingsCache } from "./checked-cache.ts";
import { parseJsonFile } from "./json-file.ts";
import { ModuleLoadError, loadModule } from "./module.ts";

/** The repository's root directory. */
export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export function environmentsDir(root = REPO_ROOT): string {
  return join(root, "environments");
}

export function imagesFilePath(name: string, root = REPO_ROOT): string {
  return join(root, imagesFileName(name));
}

export interface LoadOptions {
  root?: string;
  /**
   * Files to take from memory instead of the work tree, by repository-relative
   * path; `null` stands for a file that does not exist.
   */
  files?: ReadonlyMap<string, string | null>;
  /** Where compiled environment and cluster files are kept (see module.ts); none: compiled at every load. */
  moduleCacheDir?: string | undefined;
  /** Settings checked before from the same files by the same code (see checked-cache.ts); none: every load is checked. */
  checked?: CheckedSettingsCache | undefined;
}

/**
 * The repository's files as this load sees them: from memory where a command
 * replaced them, else from the work tree. It remembers what it read, which
 * is what a load's result depends on.
 */
class Files {
  readonly root: string;
  private readonly replaced: ReadonlyMap<string, string | null>;
  readonly read = new Map<string, string | null>();
  constructor({ root = REPO_ROOT, files = new Map() }: LoadOptions) {
    this.root = root;
    this.replaced = files;
  }

  /** A file's text, or undefined when it does not exist. */
  text(path: string): string | undefined {
    if (!this.read.has(path)) {
      const replaced = this.replaced.get(path);
      const absolute = join(this.root, path);
      this.read.set(path, replaced !== undefined ? replaced : existsSync(absolute) ? readFileSync(absolute, "utf8") : null);
    }
    return this.read.get(path) ?? undefined;
  }

  /** Every file read so far, by content: the key of what was loaded from them. */
  key(): string {
    return createHash("sha256")
      .update(JSON.stringify([...this.read].sort(([a], [b]) => (a < b ? -1 : 1))))
      .digest("hex");
  }
}

/** The files in environments/ as a load sees them: the work tree's, with those given in memory added or removed. */
function environmentsDirFiles(root: string, files: ReadonlyMap<string, string | null> | undefined): string[] {
  const dir = environmentsDir(root);
  const names = new Set(existsSync(dir) ? readdirSync(dir) : []);
  for (const [path, text] of files ?? []) {
    if (!path.startsWith("environments/") || path.includes("/", "environments/".length)) continue;
    const file = path.slice("environments/".length);
    if (text === null) names.delete(file);
    else names.add(file);
  }
  return [...names].sort();
}

/** Every environment, by name: one per environments/<env>.ts (and per such file given in memory). */
export function listEnvironments(root = REPO_ROOT, files?: ReadonlyMap<string, string | null>): string[] {
  return environmentsDirFiles(root, files)
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && !file.endsWith(".d.ts"))
    .map((file) => file.slice(0, -".ts".length));
}

/**
 * An images or sealed file with no environment file of its name (a misspelt
 * name, or what is left of a removed environment) would be ignored without
 * a word: each is refused, naming the environments there are.
 */
function strayFileProblems(root: string, files: ReadonlyMap<string, string | null> | undefined): LoadProblem[] {
  const environments = listEnvironments(root, files);
  const kinds = [
    { suffix: ".images.json", what: "an images file", fileOf: imagesFileName },
    { suffix: ".sealed.json", what: "a sealed file", fileOf: sealedFileName },
  ];
  return environmentsDirFiles(root, files).flatMap((file) => {
    const kind = kinds.find(({ suffix }) => file.endsWith(suffix));
    if (!kind) return [];
    const name = file.slice(0, -kind.suffix.length);
    if (environments.includes(name)) return [];
    return [
      {
        file: kind.fileOf(name),
        message:
          `there is no environment ${name} (no ${environmentFileName(name)}): ${kind.what} belongs to the environment of its name, and this one would be ignored; ` +
          theEnvironmentsAre(environments, name, (meant) => ` (did you mean ${kind.fileOf(meant)}?)`),
      },
    ];
  });
}

/**
 * An environment named on the command line that has no environments/<env>.ts:
 * a misspelt name, not a bad setting, so it is said as such, with those there are.
 */
export function unknownEnvironmentProblem(name: string, environments: readonly string[]): LoadProblem {
  return {
    file: environmentFileName(name),
    message: `unknown environment ${name} (there is no such file): ${theEnvironmentsAre(environments, name, (meant) => `; did you mean ${meant}?`)}`,
  };
}

/**
 * For a message about `name`, which is no environment: the environments there
 * are (or that there is none), then the one `name` is closest to, if any, as
 * `suggestion` words it (an environment's name, or the file it would have).
 */
function theEnvironmentsAre(environments: readonly string[], name: string, suggestion: (meant: string) => string): string {
  const meant = closestName(name, environments);
  return (environments.length ? `the environments are ${environments.join(", ")}` : "there is no environment") + (meant ? suggestion(meant) : "");
}

/** Every cluster, by name: one per clusters/<name>/cluster.ts. */
export function listClusters(root = REPO_ROOT): string[] {
  const dir = join(root, "clusters");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, "cluster.ts")))
    .map((entry) => entry.name)
    .sort();
}

/** One environment's own problems: its files that do not load, its settings that break their own rules. */
interface OwnProblems {
  loadProblems: LoadProblem[];
  problems: SettingsProblem[];
}

/** What one load found: every problem is collected, none thrown. */
class Load {
  readonly files: Files;
  readonly options: LoadOptions;
  readonly loadProblems: LoadProblem[] = [];
  readonly problems: SettingsProblem[] = [];
  /**
   * The same problems (those above but the clusters', the stray files' and
   * the rules across environments), by the environment whose files gave them.
   */
  readonly ownProblems = new Map<string, OwnProblems>();
  /** Files the compiled modules imported → content hash. */
  readonly imports: Record<string, string> = {};
  constructor(options: LoadOptions) {
    this.options = options;
    this.files = new Files(options);
  }

  /** A module's default export, or undefined with the problem recorded (`required`: what it must say). */
  async defaultExport(path: string, text: string, required: string, into: LoadProblem[] = this.loadProblems): Promise<unknown> {
    try {
      const module = await loadModule(this.files.root, { path, text }, { cacheDir: this.options.moduleCacheDir });
      Object.assign(this.imports, module.inputs);
      if (module.exports.default !== undefined) return module.exports.default;
      into.push({ file: path, line: 1, column: 1, message: required });
    } catch (error) {
      if (!(error instanceof ModuleLoadError)) throw error;
      into.push(...error.problems);
    }
    return undefined;
  }

  /** A JSON file's content; `absent` when it does not exist; undefined with the problem recorded when it is not JSON. */
  json(path: string, absent: unknown, into: LoadProblem[] = this.loadProblems): unknown {
    const text = this.files.text(path);
    if (text === undefined) return absent;
    const parsed = parseJsonFile(path, text);
    if ("value" in parsed) return parsed.value;
    into.push(...parsed.problems);
    return undefined;
  }

  /** The record of one environment's own problems (created empty). */
  own(name: string): OwnProblems {
    let own = this.ownProblems.get(name);
    if (!own) this.ownProblems.set(name, (own = { loadProblems: [], problems: [] }));
    return own;
  }

  /** One cluster's facts (its cluster.ts's default export), checked against their declaration; undefined with the problems recorded. */
  async cluster(name: string): Promise<ClusterFacts | undefined> {
    const file = clusterFileName(name);
    const text = this.files.text(file);
    if (text === undefined) {
      const clusters = listClusters(this.files.root);
      this.loadProblems.push({ file, message: `there is no cluster ${name}: ${clusters.length ? `the clusters are ${clusters.join(", ")}` : "there is none"}` });
      return undefined;
    }
    const required = "must `export default` the cluster's facts (a ClusterFacts object)";
    const facts = await this.defaultExport(file, text, required);
    if (facts === undefined) return undefined;
    if (typeof facts !== "object" || facts === null || Array.isArray(facts)) {
      this.loadProblems.push({ file, line: 1, column: 1, message: required });
      return undefined;
    }
    // zod and the declaration load only when something is to be checked.
    const { resolveCluster } = await import("../settings/resolve.ts");
    const resolved = resolveCluster(name, facts);
    this.problems.push(...resolved.problems);
    return resolved.facts;
  }

  /** Every cluster's facts that pass their declaration; `complete` is false when one of them does not. */
  async clusters(): Promise<{ clusters: Map<string, ClusterFacts>; complete: boolean }> {
    const clusters = new Map<string, ClusterFacts>();
    let complete = true;
    for (const name of listClusters(this.files.root)) {
      const facts = await this.cluster(name);
      if (facts) clusters.set(name, facts);
      else complete = false;
    }
    return { clusters, complete };
  }

  /** One environment's files, loaded: undefined when one of them does not load (its problems recorded, as its own too). */
  async sources(name: string): Promise<EnvironmentSources | undefined> {
    // Collected apart first: the environments load concurrently.
    const problems: LoadProblem[] = [];
    const sources = await this.loadSources(name, problems);
    this.loadProblems.push(...problems);
    this.own(name).loadProblems.push(...problems);
    return problems.length ? undefined : sources;
  }

  private async loadSources(name: string, problems: LoadProblem[]): Promise<EnvironmentSources | undefined> {
    const file = environmentFileName(name);
    const text = this.files.text(file);
    if (text === undefined) {
      problems.push(unknownEnvironmentProblem(name, listEnvironments(this.files.root, this.options.files)));
      return undefined;
    }
    // Checked once, here: every name the render derives from it (namespace, Applications, host) is valid.
    const nameProblem = environmentNameProblem(name);
    if (nameProblem) {
      problems.push({ file, message: nameProblem });
      return undefined;
    }
    const settings = await this.defaultExport(file, text, "must `export default defineEnvironment({...})`", problems);
    if (this.files.text(imagesFileName(name)) === undefined) {
      problems.push({ file: imagesFileName(name), message: "the file must exist: the environment's image references, which npm run release edits" });
    }
    const images = this.json(imagesFileName(name), undefined, problems);
    const sealed = this.json(sealedFileName(name), {}, problems);
    return { name, settings, images, sealed };
  }

  /** The environments' files, loaded and checked through their declaration and the rules. */
  async check(names: readonly string[]): Promise<Settings[]> {
    const { clusters, complete } = await this.clusters();
    for (const name of names) this.own(name);
    const sources = await Promise.all(names.map((name) => this.sources(name)));
    // An environment's settings are checked against its cluster's facts (pull policies, the solver's resources…):
    // with a cluster.ts that does not pass, its own problems are the ones to fix first.
    if (!complete) return [];
    // zod and the declaration load only when something is to be checked (not when the checked cache answers).
    const { resolveEnvironment } = await import("../settings/resolve.ts");
    const settings: Settings[] = [];
    for (const source of sources) {
      if (!source) continue;
      const resolved = resolveEnvironment(source, clusters);
      this.problems.push(...resolved.problems);
      this.own(source.name).problems.push(...resolved.problems);
      if (resolved.settings) settings.push(resolved.settings);
    }
    return settings;
  }

  failed(): boolean {
    return this.loadProblems.length > 0 || this.problems.length > 0;
  }
}

/**
 * What one environment's files hold, loaded but not yet checked, and every
 * cluster (tests and the benchmark vary them before resolveEnvironment());
 * throws SettingsError when a file does not load.
 */
export async function loadEnvironmentSources(name: string, options: LoadOptions = {}): Promise<{ sources: EnvironmentSources; clusters: Map<string, ClusterFacts> }> {
  const load = new Load(options);
  const { clusters } = await load.clusters();
  const sources = await load.sources(name);
  if (!sources || load.failed()) throw new SettingsError(load.problems, load.loadProblems);
  return { sources, clusters };
}

/**
 * Every environment, loaded and checked: each one's settings, and the rules
 * across them (they share a cluster, so a host or node port is checked
 * across all). Throws SettingsError with every problem found.
 */
export async function loadEnvironments(options: LoadOptions = {}): Promise<Settings[]> {
  const load = new Load(options);
  const root = load.files.root;
  const names = listEnvironments(root, options.files);
  load.loadProblems.push(...strayFileProblems(root, options.files));
  if (options.checked && !load.failed()) {
    // Read every file the result depends on first: they are the cache's key.
    for (const name of names) for (const file of [environmentFileName(name), imagesFileName(name), sealedFileName(name)]) load.files.text(file);
    for (const cluster of listClusters(root)) load.files.text(clusterFileName(cluster));
    const known = options.checked.get(load.files.key(), root);
    if (known) return known;
  }
  const settings = await load.check(names);
  if (!load.failed()) load.problems.push(...crossEnvironmentProblems(settings));
  if (load.failed()) throw new SettingsError(load.problems, load.loadProblems);
  options.checked?.remember(load.files.key(), settings, load.imports);
  return settings;
}

/** An environment whose own files do not load or break its own rules: set aside by loadEnvironmentsSkippingBroken(). */
export interface BrokenEnvironment {
  name: string;
  /** Its own problems only, as a strict load would report them. */
  error: SettingsError;
}

/** What loadEnvironmentsSkippingBroken() found: the environments that load, and those set aside. */
export interface EnvironmentsLoad {
  /** Each loaded and checked on its own, and the rules across environments checked among these. */
  settings: Settings[];
  /** In name order; the rules across environments that involve them were not checked. */
  broken: BrokenEnvironment[];
}

/**
 * Every environment, like loadEnvironments(), but one whose own files do not
 * load or break its own rules is set aside (`broken`) instead of failing the
 * load: the release commands move one environment's images and must not be
 * held up by another's broken file (generator/release/skip-broken.ts). The
 * rules across environments are checked among those that load; a promotion
 * source may be a broken one (it exists; nothing else about it is known).
 *
 * Throws SettingsError for what is no single environment's: a stray file in
 * environments/, a cluster.ts that does not load or pass (every environment
 * is checked against it), and a rule across the environments that load.
 * render, check and diff use loadEnvironments(): strict, on purpose.
 */
export async function loadEnvironmentsSkippingBroken(options: Omit<LoadOptions, "checked"> = {}): Promise<EnvironmentsLoad> {
  const load = new Load(options);
  const root = load.files.root;
  const names = listEnvironments(root, options.files);
  const stray = strayFileProblems(root, options.files);
  if (stray.length) throw new SettingsError([], stray);
  const checked = await load.check(names);
  const own = new Set<LoadProblem | SettingsProblem>([...load.ownProblems.values()].flatMap(({ loadProblems, problems }) => [...loadProblems, ...problems]));
  // A cluster's problems: every environment is checked against its facts, so they are every environment's.
  if ([...load.loadProblems, ...load.problems].some((problem) => !own.has(problem))) throw new SettingsError(load.problems, load.loadProblems);
  const broken = names
    .map((name) => ({ name, own: load.ownProblems.get(name)! }))
    .filter(({ own }) => own.loadProblems.length || own.problems.length)
    .map(({ name, own }) => ({ name, error: new SettingsError(own.problems, own.loadProblems) }));
  const brokenNames = broken.map(({ name }) => name);
  // An environment with a setting problem resolves to no settings; this keeps the two lists exact either way.
  const settings = checked.filter((candidate) => !brokenNames.includes(candidate.name));
  const across = crossEnvironmentProblems(settings, brokenNames);
  if (across.length) throw new SettingsError(across);
  return { settings, broken };
}

/** One environment's settings, loaded and checked on their own; throws SettingsError. */
export async function loadEnvironment(name: string, options: LoadOptions | string = {}): Promise<Settings> {
  const load = new Load(typeof options === "string" ? { root: options } : options);
  const [settings] = await load.check([name]);
  if (load.failed()) throw new SettingsError(load.problems, load.loadProblems);
  return settings!;
}

/**
 * One cluster's facts, clusters/<name>/cluster.ts, loaded and checked
 * against their declaration (generator/cluster-facts.ts), for the commands
 * and scripts that need them; throws SettingsError with every problem.
 */
export async function loadCluster(name: string, options: LoadOptions | string = {}): Promise<ClusterFacts> {
  const load = new Load(typeof options === "string" ? { root: options } : options);
  const facts = await load.cluster(name);
  if (!facts || load.failed()) throw new SettingsError(load.problems, load.loadProblems);
  return facts;
}

/** environments/<env>.images.json as committed, its syntax checked against its declaration; throws SettingsError. */
export async function readImagesFile(name: string, root = REPO_ROOT): Promise<ImagesFile> {
  const load = new Load({ root });
  const file = imagesFileName(name);
  if (load.files.text(file) === undefined) throw new SettingsError([], [{ file, message: "the file must exist" }]);
  const value = load.json(file, undefined);
  if (load.failed()) throw new SettingsError([], load.loadProblems);
  // Its syntax only: the tags it accepts are the environment's to say (delivery.tags), checked when it loads.
  const { imagesFileSchema } = await import("../settings/schema.ts");
  const { problemsFromIssues } = await import("../settings/problems.ts");
  const schema = imagesFileSchema({ name });
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw new SettingsError(problemsFromIssues({ environment: name, file, input: value, schema, unknownKeys: ["component", "field"] }, result.error.issues));
  return result.data;
}

/** environments/<env>.sealed.json's content as committed ({} when there is none), not yet checked against the settings (sealedFileProblems() does). */
export function readSealedFile(name: string, root = REPO_ROOT): unknown {
  const load = new Load({ root });
  const value = load.json(sealedFileName(name), {});
  if (load.failed()) throw new SettingsError([], load.loadProblems);
  return value;
}
