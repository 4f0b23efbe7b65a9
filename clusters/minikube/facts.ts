/**
 * Prints the cluster facts the shell scripts need as `NAME='value'` lines,
 * quoted for `eval`, so that cluster.ts (and the environments) stay the only
 * place they are written down:
 *
 *   eval "$(node clusters/minikube/facts.ts)"
 */
import { basename, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ClusterFacts } from "../../generator/cluster-facts.ts";
import { SettingsError } from "../../generator/errors.ts";
import { REPO_ROOT, listEnvironments, loadCluster, loadEnvironment } from "../../generator/load/environments.ts";

/** The cluster this directory's scripts drive: clusters/<name>/, so minikube. */
export const CLUSTER_NAME = basename(dirname(fileURLToPath(import.meta.url)));

/**
 * Its facts, clusters/<name>/cluster.ts, loaded and checked as every command
 * loads them (generator/load/environments.ts loadCluster()): never imported
 * as a module, where a typo would be taken as it is and a wrong type would
 * surface as a stack trace. Throws SettingsError with every problem.
 */
export function thisCluster(root = REPO_ROOT): Promise<ClusterFacts> {
  return loadCluster(CLUSTER_NAME, root);
}

/**
 * Runs a script's entry point: a settings file that does not load or pass
 * its checks is its message (file, path, value, rule) and exit code 1, never
 * a stack trace.
 */
export async function runScript(main: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}

/** The Ingress hosts of every environment that has an Ingress, for the /etc/hosts line. */
export async function ingressHosts(root = REPO_ROOT): Promise<string[]> {
  const hosts: string[] = [];
  for (const name of listEnvironments(root)) {
    const { ingress } = await loadEnvironment(name, root);
    if (ingress.enabled && !hosts.includes(ingress.host)) hosts.push(ingress.host);
  }
  return hosts;
}

/** Every environment's namespace, for diagnostics. */
export async function namespaces(root = REPO_ROOT): Promise<string[]> {
  const all: string[] = [];
  for (const name of listEnvironments(root)) all.push((await loadEnvironment(name, root)).namespace);
  return all;
}

/**
 * The repository URL this repository ships with (cluster.ts, `git.repoURL`):
 * no such repository exists, so Argo CD would only show "repository not
 * found". Each user points it at their fork first.
 */
export const PLACEHOLDER_REPO_URL = /^https:\/\/github\.com\/your-org\//;

export function isPlaceholderRepoURL(url: string): boolean {
  return PLACEHOLDER_REPO_URL.test(url);
}

export async function clusterFacts(root = REPO_ROOT): Promise<Record<string, string>> {
  const minikube = await thisCluster(root);
  return {
    CLUSTER_PROFILE: minikube.profile,
    CLUSTER_KUBERNETES_VERSION: minikube.kubernetesVersion,
    CLUSTER_CPUS: String(minikube.cpus),
    CLUSTER_MEMORY_MIB: String(minikube.memoryMiB),
    CLUSTER_ADDONS: minikube.addons.join(" "),
    CLUSTER_CNI: minikube.cni.name,
    CLUSTER_CONTAINER_RUNTIME: minikube.containerRuntime,
    CLUSTER_CNI_NAMESPACE: minikube.cni.daemonSet.namespace,
    CLUSTER_CNI_DAEMONSET: minikube.cni.daemonSet.name,
    GIT_REPO_URL: minikube.git.repoURL,
    GIT_REPO_URL_IS_PLACEHOLDER: String(isPlaceholderRepoURL(minikube.git.repoURL)),
    GIT_REVISION: minikube.git.targetRevision,
    ARGOCD_NAMESPACE: minikube.argocdNamespace,
    ENVIRONMENTS: listEnvironments(root).join(" "),
    NAMESPACES: (await namespaces(root)).join(" "),
    INGRESS_HOSTS: (await ingressHosts(root)).join(" "),
  };
}

/** Single-quotes a value for POSIX shells: nothing inside is expanded. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function shellAssignments(facts: Record<string, string>): string {
  return Object.entries(facts)
    .map(([name, value]) => {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`not a shell variable name: ${name}`);
      return `${name}=${shellQuote(value)}\n`;
    })
    .join("");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runScript(async () => {
    process.stdout.write(shellAssignments(await clusterFacts()));
    return 0;
  });
}
