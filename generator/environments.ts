/**
 * Finds and loads environments: environments/<env>.ts (overrides) merged
 * over the shared defaults, with environments/<env>.images.json for images.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { minikube } from "../clusters/minikube/cluster.ts";
import { defaultSettings } from "./defaults.ts";
import { SettingsError } from "./errors.ts";
import { type EnvironmentOverrides, type ImagesFile, RELEASED_COMPONENTS, type SealedValues, type Settings, merge } from "./settings.ts";

/** The repository's root directory. */
export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

export function environmentsDir(root = REPO_ROOT): string {
  return join(root, "environments");
}

export function imagesFilePath(name: string, root = REPO_ROOT): string {
  return join(environmentsDir(root), `${name}.images.json`);
}

/** Every environment, by name: one per environments/<env>.ts. */
export function listEnvironments(root = REPO_ROOT): string[] {
  return readdirSync(environmentsDir(root))
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && !file.endsWith(".d.ts"))
    .map((file) => file.slice(0, -".ts".length))
    .sort();
}

export function readImagesFile(name: string, root = REPO_ROOT): ImagesFile {
  const path = imagesFilePath(name, root);
  if (!existsSync(path)) {
    throw new SettingsError([{ environment: name, path: `environments/${name}.images.json`, value: undefined, rule: "the file must exist" }]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new SettingsError([
      { environment: name, path: `environments/${name}.images.json`, value: undefined, rule: `must be valid JSON (${(error as Error).message})` },
    ]);
  }
  const problems = [];
  for (const component of RELEASED_COMPONENTS) {
    const ref = (parsed as Record<string, { repository?: unknown; tag?: unknown } | undefined>)?.[component];
    for (const field of ["repository", "tag"] as const) {
      if (typeof ref?.[field] !== "string") {
        problems.push({ environment: name, path: `images.${component}.${field}`, value: ref?.[field], rule: "must be a string" });
      }
    }
  }
  if (problems.length) throw new SettingsError(problems);
  return parsed as ImagesFile;
}

/**
 * Environment modules compiled into the generator's bundle, by absolute file path
 * (see generator/launcher/build.mjs). Under tsx it stays empty and files are imported directly.
 */
const bundledEnvironments = new Map<string, unknown>();

export function provideBundledEnvironment(file: string, module: unknown): void {
  bundledEnvironments.set(file, module);
}

export async function loadOverrides(name: string, root = REPO_ROOT): Promise<EnvironmentOverrides> {
  const file = join(environmentsDir(root), `${name}.ts`);
  if (!existsSync(file)) {
    const known = existsSync(environmentsDir(root)) ? listEnvironments(root).join(", ") : "none";
    throw new SettingsError([{ environment: name, path: "environment", value: name, rule: `must be one of: ${known}` }]);
  }
  const module = (bundledEnvironments.get(file) ?? (await import(pathToFileURL(file).href))) as { default?: EnvironmentOverrides };
  if (!module.default || typeof module.default !== "object") {
    throw new SettingsError([
      { environment: name, path: `environments/${name}.ts`, value: module.default, rule: "must `export default defineEnvironment({...})`" },
    ]);
  }
  return module.default;
}

export interface LoadedEnvironment {
  settings: Settings;
  /** What the environment file states, for the unknown-setting check. */
  overrides: EnvironmentOverrides;
}

/**
 * environments/<env>.sealed.json as committed ({} when there is none). Its
 * content is checked against what the environment reads with the other
 * settings (generator/secrets/sealed-file.ts).
 */
export function readSealedValues(name: string, root = REPO_ROOT): SealedValues {
  const path = join(root, sealedFileName(name));
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, "utf8")) as SealedValues;
  } catch (error) {
    throw new SettingsError([{ environment: name, path: sealedFileName(name), value: undefined, rule: `must be valid JSON (${(error as Error).message})` }]);
  }
}

/** An environment's sealed values, relative to the repository root. */
export function sealedFileName(environment: string): string {
  return `environments/${environment}.sealed.json`;
}

/** An environment's settings file, relative to the repository root. */
export function environmentFileName(environment: string): string {
  return `environments/${environment}.ts`;
}

export async function loadEnvironmentWithOverrides(name: string, root = REPO_ROOT): Promise<LoadedEnvironment> {
  const overrides = await loadOverrides(name, root);
  const images = readImagesFile(name, root);
  const sealed = readSealedValues(name, root);
  return { settings: merge(defaultSettings(name, minikube, images, sealed), overrides), overrides };
}

/** The environment's complete settings, not yet validated (see validateSettings). */
export async function loadEnvironment(name: string, root = REPO_ROOT): Promise<Settings> {
  return (await loadEnvironmentWithOverrides(name, root)).settings;
}
