/**
 * The Argo CD objects to apply when the cluster should track another Git
 * repository or revision than clusters/minikube/cluster.ts names, for
 * example CI testing the commit under test:
 *
 *   node clusters/minikube/bootstrap.ts --repo-url <url> --revision <sha> | kubectl apply -f -
 *
 * `npm run cluster:up -- --git-repo-url <url> --git-revision <rev>` does this.
 *
 * The rendered AppProjects and Applications (argocd/bootstrap, argocd/apps)
 * are printed with every source that points at cluster.ts's repository moved
 * to the override, and AppProjects admitting the override's repository. The
 * root Application is left out: it would sync argocd/apps from Git and put
 * the committed source back within one reconciliation. The Applications are
 * therefore applied directly; a later plain `npm run cluster:up` hands them
 * back to the root Application.
 *
 * Without the root Application nothing orders the sync waves (control planes
 * before the environments whose pods need them), so `--list-waves` and
 * `--wave <n>` let cluster:up apply them one wave at a time.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Command, CommanderError } from "commander";
import { parseAllDocuments, stringify } from "yaml";
import { REPO_ROOT } from "../../generator/load/environments.ts";
import { SYNC_WAVE_ANNOTATION } from "../../generator/lib/sync-waves.ts";
import { runScript, thisCluster } from "./facts.ts";

export interface GitOverride {
  repoURL?: string;
  revision?: string;
}

interface Source {
  repoURL?: string;
  targetRevision?: string;
}

interface ArgoObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  spec: { source?: Source; sources?: Source[]; sourceRepos?: string[] };
}

function readObjects(dir: string): ArgoObject[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".yaml"))
    .sort()
    .flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((doc) => doc.toJS() as ArgoObject))
    .filter((object) => object !== null);
}

function moveSource(source: Source, override: GitOverride, repoURL: string): Source {
  if (source.repoURL !== repoURL) return source;
  return {
    ...source,
    ...(override.repoURL ? { repoURL: override.repoURL } : {}),
    ...(override.revision ? { targetRevision: override.revision } : {}),
  };
}

/** `repoURL`: the repository the cluster's facts name (git.repoURL), which the override replaces. */
export function overriddenBootstrap(override: GitOverride, repoURL: string, root = REPO_ROOT): ArgoObject[] {
  const bootstrap = readObjects(join(root, "argocd", "bootstrap"));
  const apps = readObjects(join(root, "argocd", "apps"));
  const projects = [...bootstrap, ...apps].filter((o) => o.kind === "AppProject");
  const applications = apps.filter((o) => o.kind === "Application");
  return [
    ...projects.map((project) => {
      const repos = project.spec.sourceRepos ?? [];
      if (!override.repoURL || !repos.includes(repoURL) || repos.includes(override.repoURL)) return project;
      return { ...project, spec: { ...project.spec, sourceRepos: [...repos, override.repoURL] } };
    }),
    ...applications.map((application) => {
      const spec = { ...application.spec };
      if (spec.source) spec.source = moveSource(spec.source, override, repoURL);
      if (spec.sources) spec.sources = spec.sources.map((s) => moveSource(s, override, repoURL));
      return { ...application, spec };
    }),
  ];
}

/** Argo CD's sync wave of an object: its annotation, 0 without one. */
export function waveOf(object: ArgoObject): number {
  return Number(object.metadata.annotations?.[SYNC_WAVE_ANNOTATION] ?? "0");
}

/** The waves the objects fall in, first to last. */
export function syncWaves(objects: readonly ArgoObject[]): number[] {
  return [...new Set(objects.map(waveOf))].sort((a, b) => a - b);
}

const REVISION = /^[^\s]+$/;
const REPO_URL = /^(https:\/\/|ssh:\/\/|git@)\S+$/;

/** Throws SettingsError when the cluster's facts do not load or pass their checks. */
export async function run(argv: readonly string[], out: (text: string) => void, err: (text: string) => void, root = REPO_ROOT): Promise<number> {
  const { git } = await thisCluster(root);
  const program = new Command("bootstrap")
    .description("Print the rendered AppProjects and Applications, moved to another Git repository and/or revision.")
    .option("--repo-url <url>", `Git repository Argo CD syncs from (default: ${git.repoURL})`)
    .option("--revision <rev>", `branch, tag or commit SHA (default: ${git.targetRevision})`)
    .option("--wave <n>", "print only the objects of this sync wave")
    .option("--list-waves", "print the sync waves, first to last, one a line, instead of the objects")
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err });
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  const options = program.opts<{ repoUrl?: string; revision?: string; wave?: string; listWaves?: boolean }>();
  const problems: string[] = [];
  if (options.repoUrl !== undefined && !REPO_URL.test(options.repoUrl)) {
    problems.push(`--repo-url "${options.repoUrl}" must be an https://, ssh:// or git@ Git URL`);
  }
  if (options.revision !== undefined && !REVISION.test(options.revision)) {
    problems.push(`--revision "${options.revision}" must be a branch, tag or commit SHA without spaces`);
  }
  if (options.wave !== undefined && !/^-?\d+$/.test(options.wave)) {
    problems.push(`--wave "${options.wave}" must be a whole number, like the argocd.argoproj.io/sync-wave annotation`);
  }
  if (options.repoUrl === undefined && options.revision === undefined) {
    problems.push("nothing to override: pass --repo-url and/or --revision");
  }
  if (problems.length > 0) {
    err(problems.map((p) => `bootstrap: ${p}\n`).join(""));
    return 1;
  }
  const objects = overriddenBootstrap({ repoURL: options.repoUrl, revision: options.revision }, git.repoURL, root);
  if (options.listWaves) {
    out(syncWaves(objects).map((wave) => `${wave}\n`).join(""));
    return 0;
  }
  const printed = options.wave === undefined ? objects : objects.filter((object) => waveOf(object) === Number(options.wave));
  if (printed.length === 0) {
    err(`bootstrap: no object is in sync wave ${options.wave}; the waves are ${syncWaves(objects).join(", ")}\n`);
    return 1;
  }
  out(printed.map((object) => stringify(object)).join("---\n"));
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runScript(() => run(process.argv.slice(2), (t) => process.stdout.write(t), (t) => process.stderr.write(t)));
}
