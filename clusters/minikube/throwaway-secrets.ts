/**
 * Prints the namespace and the Secrets an environment's workloads reference
 * (generator/secrets.ts, externalSecrets), filled with throwaway values, for
 * a cluster whose data does not matter: the e2e workflow, or a first look at
 * dev.
 *
 *   node clusters/minikube/throwaway-secrets.ts dev | kubectl --context todo apply -f -
 *
 * Passwords and keys are random on every run; user and database names are
 * plain. An environment that needs a value from outside (an external
 * database's DATABASE_URL, a TLS certificate) is refused: no throwaway value
 * would work. Real values: README, "Secrets".
 */
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { stringify } from "yaml";
import { loadEnvironment } from "../../generator/load/environments.ts";
import { externalSecrets } from "../../generator/secrets.ts";

/** Keys that are names, not credentials: a readable constant works. */
const PLAIN_KEYS: Readonly<Record<string, string>> = { POSTGRES_USER: "todo", POSTGRES_DB: "todo" };
/** Keys no made-up value can satisfy. */
const EXTERNAL_KEYS = ["DATABASE_URL"];

export async function throwawaySecrets(environment: string, root?: string): Promise<object[]> {
  const settings = await loadEnvironment(environment, root);
  const secrets = externalSecrets(settings);
  const external = secrets.flatMap((s) => s.keys.filter((k) => EXTERNAL_KEYS.includes(k)).map((k) => `${s.name}.${k}`));
  if (external.length > 0) {
    throw new Error(
      `environment ${environment} needs values from outside the cluster (${external.join(", ")}): ` +
        "throwaway Secrets only work for self-contained environments; create its Secrets by hand (README, \"Secrets\")",
    );
  }
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: settings.namespace } },
    ...secrets.map((secret) => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: secret.name, namespace: settings.namespace },
      type: "Opaque",
      stringData: Object.fromEntries(secret.keys.map((key) => [key, PLAIN_KEYS[key] ?? randomBytes(32).toString("hex")])),
    })),
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [environment, ...rest] = process.argv.slice(2);
  if (!environment || rest.length > 0 || environment.startsWith("-")) {
    process.stderr.write("Usage: node clusters/minikube/throwaway-secrets.ts <environment>\n");
    process.exitCode = 2;
  } else {
    try {
      process.stdout.write((await throwawaySecrets(environment)).map((o) => stringify(o)).join("---\n"));
    } catch (error) {
      process.stderr.write(`throwaway-secrets: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  }
}
