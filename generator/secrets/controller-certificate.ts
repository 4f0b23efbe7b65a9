/**
 * The controller's sealing certificate, fetched the way
 * `kubeseal --fetch-cert` does: through the API server's service proxy,
 * `GET /v1/cert.pem` on the controller's Service. Only the public certificate
 * travels; the sealing key's Secret is never read.
 */
import { execFile } from "node:child_process";
import type { ClusterFacts } from "../cluster-facts.ts";
import { clusterFileName } from "../environment-files.ts";

/** Where Argo CD installs the controller (the cluster's facts, sealedSecrets). */
export interface ControllerLocation {
  namespace: string;
  name: string;
}

/**
 * Where an environment's values are sealed: the controller of the cluster it
 * runs on (its delivery.cluster), reached through that cluster's kubectl
 * context, which minikube names after the profile, as every cluster script
 * uses it (lib.sh, kube()). Never kubectl's current context, which may point
 * at another cluster, whose key would seal values this cluster cannot open.
 */
export interface SealingCluster {
  /** The cluster's name, for messages (clusters/<name>/cluster.ts). */
  name: string;
  context: string;
  controller: ControllerLocation;
}

export function sealingCluster(cluster: ClusterFacts): SealingCluster {
  return { name: cluster.name, context: cluster.profile, controller: { namespace: cluster.sealedSecrets.namespace, name: cluster.sealedSecrets.name } };
}

export interface FetchOptions {
  /** The cluster whose controller seals, and how to reach it. */
  cluster: SealingCluster;
  /** The kubectl executable (tests point this at a stand-in). */
  kubectl?: string;
  env?: NodeJS.ProcessEnv;
}

interface Run {
  ok: boolean;
  stdout: string;
  stderr: string;
  missing: boolean;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv | undefined): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: 30_000, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      const missing = (error as NodeJS.ErrnoException | null)?.code === "ENOENT";
      resolve({ ok: !error, stdout, stderr: stderr.trim() || (error ? error.message : ""), missing });
    });
  });
}

const OFFLINE_HINT = "or seal offline with --cert <file> (a certificate saved by `kubeseal --fetch-cert`)";

export async function fetchControllerCertificate(options: FetchOptions): Promise<string> {
  const { cluster: where, kubectl = "kubectl", env } = options;
  const { context, controller } = where;
  const client = await run(kubectl, ["version", "--client"], env);
  if (client.missing) {
    throw new Error(`kubectl was not found (looked for "${kubectl}" on PATH): it fetches the controller's certificate. Install kubectl, ${OFFLINE_HINT}`);
  }
  const cluster = (args: string[]) => run(kubectl, ["--context", context, ...args], env);
  const contextName = `"${context}"`;
  const known = await run(kubectl, ["config", "get-contexts", context, "--output", "name"], env);
  if (!known.ok) {
    throw new Error(
      `kubectl has no context ${contextName}, cluster ${where.name}'s (${clusterFileName(where.name)} profile): \`npm run cluster:up\` creates it, ` +
        `or pass --context <name> for another cluster, ${OFFLINE_HINT}`,
    );
  }
  const ready = await cluster(["get", "--raw", "/readyz", "--request-timeout=10s"]);
  if (!ready.ok) {
    throw new Error(`the cluster of kubectl context ${contextName} is not reachable (${ready.stderr}). Start the cluster, ${OFFLINE_HINT}`);
  }
  const service = await cluster(["--namespace", controller.namespace, "get", "service", controller.name, "--output", "json"]);
  if (!service.ok) {
    throw new Error(
      `the Sealed Secrets controller's Service ${controller.namespace}/${controller.name} was not found in context ${contextName} (${service.stderr}). ` +
        `Is the controller installed and synced by Argo CD? Otherwise pass --controller-namespace/--controller-name, ${OFFLINE_HINT}`,
    );
  }
  const port = (JSON.parse(service.stdout) as { spec?: { ports?: { name?: string; port?: number }[] } }).spec?.ports?.[0];
  const portRef = port?.name || port?.port;
  if (!portRef) throw new Error(`the Service ${controller.namespace}/${controller.name} has no port`);
  const path = `/api/v1/namespaces/${controller.namespace}/services/http:${controller.name}:${portRef}/proxy/v1/cert.pem`;
  const certificate = await cluster(["get", "--raw", path]);
  if (!certificate.ok || !certificate.stdout.includes("-----BEGIN CERTIFICATE-----")) {
    throw new Error(
      `the controller did not hand out its certificate at ${path} (${certificate.stderr || "no PEM certificate in the answer"}). ` +
        `Is its pod ready? ${OFFLINE_HINT}`,
    );
  }
  return certificate.stdout;
}
