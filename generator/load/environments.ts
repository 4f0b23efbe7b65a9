/**
 * The load step: finds the environments and the clusters, and reads the
 * files that make up each environment (environments/<env>.ts,
 * <env>.images.json, <env>.sealed.json) and each cluster
 * (clusters/<name>/cluster.ts) from the work tree, or from memory where a
 * command replaces them (a release's new images file, a rollback's files from
 * a Git revision), and turns them into checked settings. Nothing here renders
 * or writes.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ClusterFacts } from "../cluster-facts.ts";
import { clusterFileName, environmentFileName, imagesFileName, sealedFileName } from "../environment-files.ts";
import { type LoadProblem, SettingsError, type SettingsProblem } from "../errors.ts";
import { type EnvironmentSources, resolveEnvironment } from "../settings/resolve.ts";
import { crossEnvironmentProblems } from "../settings/rules.ts";
import { problemsFromIssues } from "../settings/problems.ts";
import { imagesFileSchema } from "../settings/schema.ts";
import type { ImagesFile, SealedValues, Settings } from "../settings.ts";
import { ModuleLoadError, loadSourceModule } from "./module.ts";

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
  /** Where compiled environment files are kept (see module.ts); none: compiled at every load. */
  moduleCacheDir?: string | undefined;
}

/** A repository file's text: from `files` when given there, else from the work tree; undefined when absent. */
function readText(path: string, { root = REPO_ROOT, files }: LoadOptions): string | undefined {
  const replaced = files?.get(path);
  if (replaced !== undefined) return replaced ?? undefined;
  const absolute = join(root, path);
  return existsSync(absolute) ? readFileSync(absolute, "utf8") : undefined;
}

/** Every environment, by name: one per environments/<env>.ts (and per such file given in memory). */
export function listEnvironments(root = REPO_ROOT, files?: ReadonlyMap<string, string | null>): string[] {
  const dir = environmentsDir(root);
  const names = new Set(existsSync(dir) ? readdirSync(dir) : []);
  for (const [path, text] of files ?? []) {
    if (!path.startsWith("environments/") || path.includes("/", "environments/".length)) continue;
    const file = path.slice("environments/".length);
    if (text === null) names.delete(file);
    else names.add(file);
  }
  return [...names]
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && !file.endsWith(".d.ts"))
    .map((file) => file.slice(0, -".ts".length))
    .sort();
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

/** Every cluster's facts (each cluster.ts's default export); a file that does not load is a problem, not thrown. */
async function loadClusters(options: LoadOptions, loadProblems: LoadProblem[]): Promise<Map<string, ClusterFacts>> {
  const root = options.root ?? REPO_ROOT;
  const clusters = new Map<string, ClusterFacts>();
  for (const name of listClusters(root)) {
    const file = clusterFileName(name);
    try {
      const module = await loadSourceModule(root, { path: file, text: readText(file, options)! }, { cacheDir: options.moduleCacheDir });
      if (typeof module.default === "object" && module.default !== null) clusters.set(name, module.default as ClusterFacts);
      else loadProblems.push({ file, line: 1, column: 1, message: "must `export default` the cluster's facts (a ClusterFacts object)" });
    } catch (error) {
      if (!(error instanceof ModuleLoadError)) throw error;
      loadProblems.push(...error.problems);
    }
  }
  return clusters;
}

/** A JSON file's content, or the problem with its syntax at a line and column. */
function parseJson(path: string, text: string): { value: unknown } | { problem: LoadProblem } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    const message = (error as Error).message;
    // V8 names the position, except when the text ends too early.
    const position = /at position (\d+)/.exec(message)?.[1] ?? (/end of JSON input/.test(message) ? String(text.length) : undefined);
    if (position === undefined) return { problem: { file: path, message: `not valid JSON: ${message}` } };
    const before = text.slice(0, Number(position));
    const line = before.split("\n").length;
    return { problem: { file: path, line, column: before.length - before.lastIndexOf("\n"), message: `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, "")}` } };
  }
}

/** Reads and evaluates one environment's files; every problem found on the way is collected, not thrown. */
async function readEnvironment(name: string, options: LoadOptions, loadProblems: LoadProblem[], problems: SettingsProblem[]): Promise<EnvironmentSources | undefined> {
  const root = options.root ?? REPO_ROOT;
  const settingsFile = environmentFileName(name);
  const text = readText(settingsFile, options);
  if (text === undefined) {
    problems.push({ environment: name, path: "environment", value: name, rule: `must be one of: ${listEnvironments(root, options.files).join(", ")}` });
    return undefined;
  }
  let settings: unknown;
  let complete = true;
  try {
    const module = await loadSourceModule(root, { path: settingsFile, text }, { cacheDir: options.moduleCacheDir });
    if ("default" in module && module.default !== undefined) settings = module.default;
    else {
      loadProblems.push({ file: settingsFile, line: 1, column: 1, message: "must `export default defineEnvironment({...})`" });
      complete = false;
    }
  } catch (error) {
    if (!(error instanceof ModuleLoadError)) throw error;
    loadProblems.push(...error.problems);
    complete = false;
  }
  const json = (file: string, absent: unknown): unknown => {
    const content = readText(file, options);
    if (content === undefined) return absent;
    const parsed = parseJson(file, content);
    if ("value" in parsed) return parsed.value;
    loadProblems.push(parsed.problem);
    complete = false;
    return undefined;
  };
  const images = json(imagesFileName(name), undefined);
  if (images === undefined && readText(imagesFileName(name), options) === undefined) {
    loadProblems.push({ file: imagesFileName(name), message: "the file must exist: the environment's image references, which npm run release edits" });
    complete = false;
  }
  const sealed = json(sealedFileName(name), {});
  return complete ? { name, settings, images, sealed } : undefined;
}

interface Checked {
  settings: Settings[];
  loadProblems: LoadProblem[];
  problems: SettingsProblem[];
}

async function loadAndCheck(names: string[], options: LoadOptions): Promise<Checked> {
  const loadProblems: LoadProblem[] = [];
  const problems: SettingsProblem[] = [];
  const clusters = await loadClusters(options, loadProblems);
  const sources = await Promise.all(names.map((name) => readEnvironment(name, options, loadProblems, problems)));
  const settings: Settings[] = [];
  for (const source of sources) {
    if (!source) continue;
    const resolved = resolveEnvironment(source, clusters);
    problems.push(...resolved.problems);
    if (resolved.settings) settings.push(resolved.settings);
  }
  return { settings, loadProblems, problems };
}

/**
 * What one environment's files hold, loaded but not yet checked, and every
 * cluster (tests and the benchmark vary them before resolveEnvironment());
 * throws SettingsError when a file does not load.
 */
export async function loadEnvironmentSources(name: string, options: LoadOptions = {}): Promise<{ sources: EnvironmentSources; clusters: Map<string, ClusterFacts> }> {
  const loadProblems: LoadProblem[] = [];
  const problems: SettingsProblem[] = [];
  const clusters = await loadClusters(options, loadProblems);
  const sources = await readEnvironment(name, options, loadProblems, problems);
  if (!sources || loadProblems.length) throw new SettingsError(problems, loadProblems);
  return { sources, clusters };
}

/**
 * Every environment, loaded and checked: each one's settings, and the rules
 * across them (they share a cluster, so a host or node port is checked
 * across all). Throws SettingsError with every problem found.
 */
export async function loadEnvironments(options: LoadOptions = {}): Promise<Settings[]> {
  const names = listEnvironments(options.root ?? REPO_ROOT, options.files);
  const checked = await loadAndCheck(names, options);
  if (checked.loadProblems.length === 0 && checked.problems.length === 0) checked.problems.push(...crossEnvironmentProblems(checked.settings));
  if (checked.loadProblems.length || checked.problems.length) throw new SettingsError(checked.problems, checked.loadProblems);
  return checked.settings;
}

/** One environment's settings, loaded and checked on their own; throws SettingsError. */
export async function loadEnvironment(name: string, options: LoadOptions | string = {}): Promise<Settings> {
  const resolved = typeof options === "string" ? { root: options } : options;
  const checked = await loadAndCheck([name], resolved);
  if (checked.loadProblems.length || checked.problems.length) throw new SettingsError(checked.problems, checked.loadProblems);
  return checked.settings[0]!;
}

/** environments/<env>.images.json as committed, checked against its declaration; throws SettingsError. */
export function readImagesFile(name: string, root = REPO_ROOT): ImagesFile {
  const file = imagesFileName(name);
  const text = readText(file, { root });
  if (text === undefined) throw new SettingsError([], [{ file, message: "the file must exist" }]);
  const parsed = parseJson(file, text);
  if ("problem" in parsed) throw new SettingsError([], [parsed.problem]);
  // Its syntax only: the tags it accepts are the environment's to say (delivery.tags), checked when it loads.
  const schema = imagesFileSchema({ name });
  const result = schema.safeParse(parsed.value, { reportInput: true });
  if (!result.success) throw new SettingsError(problemsFromIssues({ environment: name, file, input: parsed.value, schema, unknownKeys: ["component", "field"] }, result.error.issues));
  return result.data;
}

/** environments/<env>.sealed.json as committed ({} when there is none), not yet checked against the settings. */
export function readSealedValues(name: string, root = REPO_ROOT): SealedValues {
  const text = readText(sealedFileName(name), { root });
  if (text === undefined) return {};
  const parsed = parseJson(sealedFileName(name), text);
  if ("problem" in parsed) throw new SettingsError([], [parsed.problem]);
  return parsed.value as SealedValues;
}
