/**
 * load → check → render, for the commands: the environments' files are read
 * (from the work tree, or from memory where a command replaces them), their
 * settings checked, and rendered in memory. Writing is the caller's choice
 * (output.ts), so a command can compare, diff or commit the same render.
 */
import { SettingsError } from "../errors.ts";
import { type LoadOptions, REPO_ROOT, listEnvironments, loadEnvironments, unknownEnvironmentProblem } from "../load/environments.ts";
import { type Rendered, type ValidatedObjects, render } from "../render.ts";
import type { Settings } from "../settings.ts";

export interface RenderRepositoryOptions extends LoadOptions {
  /** Environments to render; all of them (and argocd/) when empty. */
  environments?: readonly string[];
  cache?: ValidatedObjects | undefined;
}

/**
 * Every environment is loaded and checked, even for a one-environment
 * render: they share a cluster, so a host or node port can only be checked
 * across all. Throws SettingsError or InvalidObjectsError with every problem.
 */
export async function renderRepository(options: RenderRepositoryOptions = {}): Promise<Rendered> {
  return (await loadAndRender(options)).rendered;
}

/** renderRepository(), with the checked settings it rendered (every environment's). */
export async function loadAndRender(options: RenderRepositoryOptions = {}): Promise<{ settings: Settings[]; rendered: Rendered }> {
  const { environments = [], cache, ...load } = options;
  const known = listEnvironments(load.root ?? REPO_ROOT, load.files);
  const unknown = environments.filter((name) => !known.includes(name));
  if (unknown.length) {
    throw new SettingsError([], unknown.map((name) => unknownEnvironmentProblem(name, known)));
  }
  const settings = await loadEnvironments(load);
  return { settings, rendered: await render(settings, { environments, cache }) };
}
