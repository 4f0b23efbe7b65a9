/** Shared by the test suites: the real environments, loaded and rendered once per test process. */
import { loadEnvironment, listEnvironments } from "../load/environments.ts";
import type { KubeObject } from "../kube-object.ts";
import { type Rendered } from "../render.ts";
import { renderRepository } from "../commands/pipeline.ts";
import type { Settings } from "../settings.ts";

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

export async function settingsOf(name: string): Promise<Settings> {
  return loadEnvironment(name);
}

export function find<T = KubeObject>(objects: KubeObject[], kind: string, name: string): T {
  const found = objects.find((object) => object.kind === kind && object.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(", ")}`);
  return found as T;
}

export function findAll(objects: KubeObject[], kind: string): KubeObject[] {
  return objects.filter((object) => object.kind === kind);
}

export { scratchRepository } from "./scratch.ts";
