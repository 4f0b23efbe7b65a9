/**
 * Settings → objects → validated YAML files, in memory. Render takes the
 * environments' settings as data and touches no file: loading them is
 * generator/load/'s job, writing the files generator/commands/'s, so a render
 * that fails leaves the previous files alone.
 */
import { stringify } from "yaml";
import { ARGOCD_APPS_DIR, ARGOCD_BOOTSTRAP_DIR, argocdApps, argocdProjects, bootstrap, environmentApplication, environmentProjectName, localCaObjects } from "./components/argocd.ts";
import { backend } from "./components/backend.ts";
import { dapr } from "./components/dapr.ts";
import { database } from "./components/database.ts";
import { frontend } from "./components/frontend.ts";
import { ingress } from "./components/ingress.ts";
import { migration } from "./components/migration.ts";
import { namespace } from "./components/namespace.ts";
import { networkPolicies } from "./components/network-policies.ts";
import { redis } from "./components/redis.ts";
import { sealedSecrets } from "./components/sealed-secrets.ts";
import { smokeTest } from "./components/smoke-test.ts";
import { tls } from "./components/tls.ts";
import { InvalidObjectsError } from "./errors.ts";
import type { KubeObject } from "./kube-object.ts";
import type { Settings } from "./settings.ts";
import { kindKey, problemsOf } from "./validation/kinds.ts";

export type Component = (settings: Settings) => KubeObject[];

/** Every component, in the seeds' creation order (the sync waves enforce it in the cluster). */
export const COMPONENTS: readonly Component[] = [
  namespace,
  sealedSecrets,
  dapr,
  networkPolicies,
  database,
  redis,
  migration,
  backend,
  frontend,
  ingress,
  tls,
  smokeTest,
];

/** All objects of one environment. Pure: the same settings always give the same objects. */
export function renderEnvironment(settings: Settings): KubeObject[] {
  return COMPONENTS.flatMap((component) => component(settings));
}

export const MANIFESTS_DIR = "manifests";

/** One file per object: `<dir>/<kind>-<name>.yaml`. */
export function objectPath(dir: string, object: KubeObject): string {
  return `${dir}/${object.kind.toLowerCase()}-${object.metadata?.name}.yaml`;
}

export function manifestPath(environment: string, object: KubeObject): string {
  return objectPath(`${MANIFESTS_DIR}/${environment}`, object);
}

const HEADER = "# Rendered by `npm run render`. Edit environments/ or generator/, not this file.\n";

/** Stable YAML: keys in the order the components build them, no line folding, no anchors. */
export function toYAML(object: KubeObject): string {
  // The JSON round trip drops undefined fields and leaves plain data only.
  // YAML 1.1 quoting: Kubernetes and Argo CD read YAML 1.1, where a bare `on`, `yes` or `12:30` is not a string.
  return HEADER + stringify(JSON.parse(JSON.stringify(object)), { version: "1.1", lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * The files under argocd/ that are one environment's own: its Application
 * and its AppProject, which depend on its settings and objects only. Every
 * other file there (the control planes', the root, the closed default
 * project) depends on the cluster or on every environment (the Dapr control
 * plane while any environment enables Dapr, cert-manager while any serves TLS).
 */
export function ownArgocdFiles(settings: Settings): string[] {
  return [objectPath(ARGOCD_APPS_DIR, environmentApplication(settings)), `${ARGOCD_BOOTSTRAP_DIR}/appproject-${environmentProjectName(settings)}.yaml`];
}

export interface Rendered {
  /** Repository-relative path → file content. */
  files: Map<string, string>;
  /** Directories the render owns: anything else in them is stale, except the files in `keep`. */
  ownedDirs: string[];
  /**
   * Files in the owned directories that this render leaves as they are: a
   * one-environment render owns Argo CD's objects of that environment and
   * those every environment shares, not the other environments' own.
   */
  keep?: ReadonlySet<string>;
  objects: Map<string, KubeObject[]>;
}

/** Checks each object against its schema and for unknown fields; every problem is reported together. */
export async function validateObjects(environment: string, objects: KubeObject[]): Promise<string[]> {
  const results = await Promise.all(
    objects.map(async (object) =>
      (await problemsOf(object)).map((problem) => `${environment}: ${kindKey(object)} ${object.metadata?.name}: ${problem}`),
    ),
  );
  return results.flat();
}

/**
 * Objects validated before by this same code, with their YAML: render skips
 * validating and serializing those (generator/commands/render-cache.ts keeps
 * one per build of the compiled CLI).
 */
export interface ValidatedObjects {
  get(object: KubeObject): string | undefined;
  remember(object: KubeObject, yaml: string): void;
}

export interface RenderOptions {
  /**
   * Environments to render (by name); all of them when empty. A render of
   * some environments renders their manifests and the Argo CD objects they
   * change: their own Application and AppProject, and those every
   * environment shares (the control planes'); the other environments' own
   * Argo CD objects are left as they are (`keep`).
   */
  environments?: readonly string[];
  /** None by default: every object is validated. */
  cache?: ValidatedObjects | undefined;
}

/**
 * Renders and validates checked settings (see generator/load/): every
 * environment's objects and Argo CD's. Throws InvalidObjectsError with every
 * problem. Pure: the same settings always give the same files.
 */
export async function render(all: readonly Settings[], { environments = [], cache }: RenderOptions = {}): Promise<Rendered> {
  const selected = environments.length ? all.filter((settings) => environments.includes(settings.name)) : all;
  const files = new Map<string, string>();
  const objects = new Map<string, KubeObject[]>();
  const invalid: string[] = [];
  const yamlOf = new Map<KubeObject, string>();
  // Another environment's own Argo CD objects, in a render of some environments: left as they are.
  const keep = new Set<string>();
  for (const settings of all) {
    if (selected.includes(settings)) continue;
    for (const path of ownArgocdFiles(settings)) keep.add(path);
  }
  const add = async (owner: string, dir: string, rendered: KubeObject[]) => {
    const owned = rendered.filter((object) => !keep.has(objectPath(dir, object)));
    invalid.push(...(await validateObjects(owner, owned.filter((object) => cache?.get(object) === undefined))));
    for (const object of owned) {
      const path = objectPath(dir, object);
      if (files.has(path)) invalid.push(`${owner}: two objects render to ${path}`);
      const yaml = cache?.get(object) ?? toYAML(object);
      yamlOf.set(object, yaml);
      files.set(path, yaml);
    }
  };
  // Argo CD's objects describe every environment (an AppProject admits the kinds its environment renders), so every one is rendered; only the selected ones are validated and written.
  const environmentsRendered = all.map((settings) => ({ settings, objects: renderEnvironment(settings) }));
  for (const { settings, objects: rendered } of environmentsRendered) {
    if (!selected.includes(settings)) continue;
    objects.set(settings.name, rendered);
    await add(settings.name, `${MANIFESTS_DIR}/${settings.name}`, rendered);
  }
  const ownedDirs = environments.length ? selected.map((settings) => `${MANIFESTS_DIR}/${settings.name}`) : all.length ? [MANIFESTS_DIR] : [];
  if (all.length > 0) {
    const { cluster, partOf } = all[0]!;
    await add("argocd", ARGOCD_APPS_DIR, argocdApps(environmentsRendered));
    // Objects inside a chart's values are checked like files: Argo CD applies them all the same.
    invalid.push(...(await validateObjects("argocd (cert-manager extraObjects)", localCaObjects(environmentsRendered))));
    await add("argocd", ARGOCD_BOOTSTRAP_DIR, [...bootstrap(cluster, partOf), ...argocdProjects(environmentsRendered)]);
    ownedDirs.push(ARGOCD_APPS_DIR, ARGOCD_BOOTSTRAP_DIR);
  }
  if (invalid.length) throw new InvalidObjectsError(invalid);
  for (const [object, yaml] of yamlOf) cache?.remember(object, yaml);
  return keep.size ? { files, ownedDirs, keep, objects } : { files, ownedDirs, objects };
}
