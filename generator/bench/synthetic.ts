/**
 * The synthetic scale case of `npm run bench`: C application components in
 * each of E environments, through the real pipeline — settings rules, the
 * real app workload (generator/lib/app-workload.ts), schema and unknown-field
 * validation, YAML — in memory, without the render cache.
 *
 * Run as a child of bench.ts: `node generator/bench/synthetic.ts <components> <environments>`
 * prints one JSON line: { objects, coldMs, warmMs, maxRssKb }. The cold pass
 * includes what the first objects of each kind cost (loading validators and
 * field lists, compiling); the warm pass repeats it in the same process.
 */
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { pathToFileURL } from "node:url";
import { REPO_ROOT, listEnvironments, loadEnvironmentSources } from "../load/environments.ts";
import { InvalidObjectsError, SettingsError } from "../errors.ts";
import { backendImage } from "../images.ts";
import type { KubeObject } from "../kube-object.ts";
import { appWorkload } from "../lib/app-workload.ts";
import { identity } from "../lib/labels.ts";
import { metadata } from "../lib/metadata.ts";
import { SYNC_WAVE } from "../lib/sync-waves.ts";
import { manifestPath, toYAML, validateObjects } from "../render.ts";
import { resolveEnvironment } from "../settings/resolve.ts";
import type { Settings } from "../settings.ts";

/** One synthetic application component: its ConfigMap and the real app workload (ServiceAccount, Deployment, Service, HPA/PDB as its settings say). */
function component(settings: Settings, index: number): KubeObject[] {
  const who = identity(`app-${index}`);
  const app = settings.backend;
  const configMap: IConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(settings, who, { name: `${who.name}-config`, version: app.image.tag, wave: SYNC_WAVE.config }),
    data: { ...app.config, COMPONENT_INDEX: String(index) },
  };
  const env = [{ name: "COMPONENT_NAME", value: who.name }];
  return [configMap, ...appWorkload({ settings, who, app, image: backendImage, wave: SYNC_WAVE.backend, configMap, env })];
}

/**
 * Renders `components` × `environments` objects into YAML files in memory.
 * Environment i takes the files of the real environment i mod 3 (so the
 * shapes vary: one replica, a PodDisruptionBudget, an autoscaler) under its
 * own name (and so its own namespace), checked by the real declaration and rules.
 */
export async function renderSynthetic(components: number, environments: number, root = REPO_ROOT): Promise<Map<string, string>> {
  const bases = await Promise.all(listEnvironments(root).map((name) => loadEnvironmentSources(name, { root })));
  const clusters = bases[0]!.clusters;
  const files = new Map<string, string>();
  for (let e = 0; e < environments; e++) {
    const name = `synthetic-${e}`;
    const resolved = resolveEnvironment({ ...bases[e % bases.length]!.sources, name }, clusters);
    if (!resolved.settings || resolved.problems.length) throw new SettingsError(resolved.problems);
    const settings: Settings = resolved.settings;
    const objects = Array.from({ length: components }, (_, c) => component(settings, c)).flat();
    const invalid = await validateObjects(name, objects);
    if (invalid.length) throw new InvalidObjectsError(invalid);
    for (const object of objects) files.set(manifestPath(name, object), toYAML(object));
  }
  return files;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [components, environments] = process.argv.slice(2).map(Number);
  if (!Number.isInteger(components) || !Number.isInteger(environments)) {
    console.error("usage: synthetic.ts <components> <environments>");
    process.exit(2);
  }
  const timed = async () => {
    const start = performance.now();
    const files = await renderSynthetic(components!, environments!);
    return { objects: files.size, ms: performance.now() - start };
  };
  const cold = await timed();
  const warm = await timed();
  console.log(JSON.stringify({ objects: cold.objects, coldMs: cold.ms, warmMs: warm.ms, maxRssKb: process.resourceUsage().maxRSS }));
}
