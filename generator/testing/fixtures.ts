/**
 * Shared by the test suites: the committed environments, loaded and rendered
 * once per test process, for whole-graph tests that run over every one there
 * is and assert only what holds for any configuration (renderedRepository,
 * environments); and the tests' fixture (dev, staging and prod as shipped:
 * fixture-environments.ts), loaded and rendered in memory, for the tests that
 * assert a shipped environment's shape (renderedFixture, fixtureEnvironments,
 * settingsOf, problemsWith).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { minikube } from "../../clusters/minikube/cluster.ts";
import type { SettingsProblem } from "../errors.ts";
import type { KubeObject } from "../kube-object.ts";
import { listEnvironments, loadEnvironment, loadEnvironmentSources, loadEnvironments } from "../load/environments.ts";
import { renderRepository } from "../commands/pipeline.ts";
import type { Rendered } from "../render.ts";
import { resolveEnvironment } from "../settings/resolve.ts";
import type { Settings } from "../settings.ts";
import { FIXTURE_ENVIRONMENTS, fixtureFiles } from "./fixture-environments.ts";
import { merge } from "./merge.ts";
import { scratchRepository } from "./scratch.ts";

export { merge };

let rendered: Promise<Rendered> | undefined;

/** A full render of the repository (every environment and argocd/), computed once. */
export function renderedRepository(): Promise<Rendered> {
  rendered ??= renderRepository();
  return rendered;
}

export async function environments(): Promise<{ settings: Settings; objects: KubeObject[] }[]> {
  const { objects } = await renderedRepository();
  return Promise.all(listEnvironments().map(async (name) => ({ settings: await loadEnvironment(name), objects: objects.get(name)! })));
}

let renderedFixtureRepository: Promise<Rendered> | undefined;

/**
 * A full render of the fixture (dev, staging and prod as shipped, argocd/
 * with them), computed once: the work tree's own render where the work tree
 * holds the fixture (the repository as shipped), else one from memory.
 */
export function renderedFixture(): Promise<Rendered> {
  const files = fixtureFiles();
  if (files.size === 0) return renderedRepository();
  renderedFixtureRepository ??= renderRepository({ files });
  return renderedFixtureRepository;
}

/**
 * A scratch repository (scratch.ts: the sources and the fixture's
 * environments) holding the fixture's render as files (argocd/ and
 * manifests/, as `npm run render` would write them), for code that reads a
 * rendered repository from a root. The caller removes it.
 */
export async function fixtureRenderDirectory(prefix = "todo-fixture-render-"): Promise<string> {
  const dir = scratchRepository(prefix);
  for (const [path, text] of (await renderedFixture()).files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** The fixture's environments, each with its settings and rendered objects. */
export async function fixtureEnvironments(): Promise<{ settings: Settings; objects: KubeObject[] }[]> {
  const { objects } = await renderedFixture();
  const settings = await loadEnvironments({ files: fixtureFiles() });
  return FIXTURE_ENVIRONMENTS.map((name) => ({ settings: settings.find((environment) => environment.name === name)!, objects: objects.get(name)! }));
}

/** A fixture environment's settings (dev, staging or prod as shipped, whatever environments a user added). */
export async function settingsOf(name: string): Promise<Settings> {
  return loadEnvironment(name, { files: fixtureFiles() });
}

/** A change to an environment's files: merged over what each file holds (arrays replace). */
export interface FilesChange {
  /** Over what environments/<env>.ts states. */
  settings?: unknown;
  /** Over environments/<env>.images.json. */
  images?: unknown;
  /** Replaces environments/<env>.sealed.json. */
  sealed?: unknown;
}

/** Every problem the real checks (the declaration and the rules) find in a fixture environment with `change` applied to its files. */
export async function problemsWith(name: string, change: FilesChange): Promise<SettingsProblem[]> {
  const { sources, clusters } = await loadEnvironmentSources(name, { files: fixtureFiles() });
  return resolveEnvironment(
    {
      name,
      settings: merge(sources.settings, change.settings),
      images: merge(sources.images, change.images),
      sealed: change.sealed ?? sources.sealed,
    },
    clusters,
  ).problems;
}

/** The cluster every committed environment runs on, as the loader reads it. */
export const TEST_CLUSTERS = new Map([["minikube", minikube]]);

/** The settings an environment file stating `stated` (on minikube) gives: the real declaration, defaults included; throws on any problem. */
export function declaredSettings(name: string, stated: unknown = {}, images: unknown = TEST_IMAGES): Settings {
  const resolved = resolveEnvironment({ name, settings: merge({ delivery: { cluster: "minikube" } }, stated), images, sealed: {} }, TEST_CLUSTERS);
  if (!resolved.settings || resolved.problems.length) throw new Error(`declaredSettings(${name}): ${JSON.stringify(resolved.problems)}`);
  return resolved.settings;
}

export const TEST_IMAGES = { frontend: { repository: "todo-frontend", tag: "1.0.0" }, backend: { repository: "todo-backend", tag: "1.0.0" } };

export function find<T = KubeObject>(objects: KubeObject[], kind: string, name: string): T {
  const found = objects.find((object) => object.kind === kind && object.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(", ")}`);
  return found as T;
}

/** A deep copy of an object with `change` applied: the object as a mistake would leave it, the original untouched. */
export function withChange(object: KubeObject, change: (copy: any) => void): KubeObject {
  const copy = structuredClone(object);
  change(copy);
  return copy;
}

export { scratchRepository } from "./scratch.ts";
