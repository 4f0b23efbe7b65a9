/**
 * An environment's files, as loaded, to its checked settings: each file
 * through its declaration (schema.ts), then the rules across them
 * (rules.ts). Every problem is collected; none is thrown.
 */
import { type ClusterFacts, clusterFactsSchema } from "../cluster-facts.ts";
import { clusterFileName, environmentFileName, imagesFileName } from "../environment-files.ts";
import type { SettingsProblem } from "../errors.ts";
import { sealedFileProblems, sealedValuesOf } from "../secrets/sealed-file.ts";
import type { Settings } from "../settings.ts";
import type * as z from "zod";
import { type ProblemSource, problemsFromIssues } from "./problems.ts";
import { environmentProblems } from "./rules.ts";
import { type EnvironmentContext, TAG_POLICIES, environmentSchema, imagesFileSchema } from "./schema.ts";

/** What an environment's files hold, parsed but not yet checked. */
export interface EnvironmentSources {
  name: string;
  /** environments/<env>.ts's default export. */
  settings: unknown;
  /** environments/<env>.images.json. */
  images: unknown;
  /** environments/<env>.sealed.json; `{}` when there is none. */
  sealed: unknown;
}

export interface Resolved {
  /** Present when every file parsed; the problems may still hold rules it breaks. */
  settings?: Settings;
  problems: SettingsProblem[];
}

/** The file's content as its declaration parses it, or undefined with every problem added. */
function parse<Schema extends z.ZodType>(schema: Schema, source: Omit<ProblemSource, "schema">, problems: SettingsProblem[]): z.output<Schema> | undefined {
  const result = schema.safeParse(source.input, { reportInput: true, jitless: true });
  if (result.success) return result.data;
  problems.push(...problemsFromIssues({ ...source, schema }, result.error.issues));
  return undefined;
}

/** What the file states under `delivery`, read leniently before anything is checked: the rest is checked against it. */
function statedDelivery(settings: unknown, clusters: ReadonlyMap<string, ClusterFacts>): EnvironmentContext["delivery"] {
  const delivery = (settings as { delivery?: { cluster?: unknown; tags?: unknown } } | undefined)?.delivery;
  if (typeof delivery !== "object" || delivery === null) return undefined;
  const cluster = typeof delivery.cluster === "string" ? clusters.get(delivery.cluster) : undefined;
  const tags = delivery.tags === undefined ? "pinned" : TAG_POLICIES.find((policy) => policy === delivery.tags);
  return { cluster, tags };
}

/** One environment's settings; `clusters`: every cluster there is, by name (clusters/<name>/cluster.ts). */
export function resolveEnvironment(sources: EnvironmentSources, clusters: ReadonlyMap<string, ClusterFacts>): Resolved {
  const { name } = sources;
  const context: EnvironmentContext = { name, clusters, delivery: statedDelivery(sources.settings, clusters) };
  const problems: SettingsProblem[] = [];
  const declared = parse(environmentSchema(context), { environment: name, file: environmentFileName(name), input: sources.settings }, problems);
  const images = parse(imagesFileSchema(context), { environment: name, file: imagesFileName(name), input: sources.images, unknownKeys: ["component", "field"] }, problems);
  if (!declared || !images) return { problems };
  const { name: _name, cluster: _cluster, sealedSecrets: _sealed, frontend, backend, ...rest } = declared;
  const cluster = clusters.get(declared.delivery.cluster)!;
  const { image: _frontendImage, ...frontendSettings } = frontend;
  const { image: _backendImage, ...backendSettings } = backend;
  const settings: Settings = {
    name,
    ...rest,
    cluster,
    frontend: { ...frontendSettings, image: images.frontend },
    backend: { ...backendSettings, image: images.backend },
    sealedSecrets: sealedValuesOf(sources.sealed),
  };
  problems.push(...environmentProblems(settings), ...sealedFileProblems(settings, sources.sealed));
  return { settings, problems };
}

/**
 * A cluster's facts (clusters/<name>/cluster.ts's default export) as their
 * declaration parses them, with every problem; its `name` is its directory's.
 */
export function resolveCluster(name: string, input: unknown): { facts?: ClusterFacts; problems: SettingsProblem[] } {
  const problems: SettingsProblem[] = [];
  const source = { environment: `cluster ${name}`, file: clusterFileName(name), input, unknownKeys: ["fact"] };
  const facts = parse(clusterFactsSchema, source, problems);
  if (facts && facts.name !== name) {
    problems.push({ environment: source.environment, file: source.file, path: "name", value: facts.name, rule: `must be the name of its directory, clusters/${name}/ (environments name it in delivery.cluster)` });
  }
  return problems.length ? { problems } : { facts, problems };
}
