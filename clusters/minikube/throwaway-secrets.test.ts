import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { listEnvironments, loadEnvironment } from "../../generator/load/environments.ts";
import { throwawaySecrets } from "./throwaway-secrets.ts";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

interface Secret {
  kind: string;
  metadata: { name: string; namespace?: string };
  stringData?: Record<string, string>;
}

/** Every Secret key the rendered manifests of an environment read: "<secret>.<key>", or "<secret>.*" for whole-Secret references. */
function referencedSecretKeys(environment: string): Set<string> {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== "object" || node === null) return;
    const record = node as Record<string, any>;
    if (record.secretKeyRef?.name) found.add(`${record.secretKeyRef.name}.${record.secretKeyRef.key}`);
    if (record.secretRef?.name) found.add(`${record.secretRef.name}.*`);
    if (record.secret?.secretName) found.add(`${record.secret.secretName}.*`);
    Object.values(record).forEach(visit);
  };
  const dir = join(REPO_ROOT, "manifests", environment);
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
      const object = doc.toJS() as { kind?: string };
      // SealedSecrets and rendered Secrets provide keys themselves; everything else reads them.
      if (object?.kind !== "SealedSecret" && object?.kind !== "Secret") visit(object);
    }
  }
  return found;
}

describe("throwaway-secrets", () => {
  it("gives dev every Secret key its rendered workloads read, in its namespace", async () => {
    const objects = (await throwawaySecrets("dev")) as Secret[];
    const { namespace } = await loadEnvironment("dev");
    assert.deepEqual(objects[0], { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
    const secrets = objects.filter((o) => o.kind === "Secret");
    const provided = new Set(secrets.flatMap((s) => Object.keys(s.stringData ?? {}).flatMap((k) => [`${s.metadata.name}.${k}`, `${s.metadata.name}.*`])));
    const referenced = referencedSecretKeys("dev");
    assert.ok(referenced.size > 0, "dev's manifests read no Secret at all?");
    for (const key of referenced) assert.ok(provided.has(key), `manifests/dev reads ${key}, which throwaway-secrets does not provide`);
    for (const secret of secrets) assert.equal(secret.metadata.namespace, namespace);
  });

  it("gives better-auth's secret one throwaway value, in todo-auth-secret, which the frontend and the backend both read", async () => {
    const secrets = ((await throwawaySecrets("dev")) as Secret[]).filter((o) => o.kind === "Secret");
    const holders = secrets.filter((s) => s.stringData && "BETTER_AUTH_SECRET" in s.stringData).map((s) => s.metadata.name);
    assert.deepEqual(holders, ["todo-auth-secret"]);
    assert.match(secrets.find((s) => s.metadata.name === "todo-auth-secret")!.stringData!.BETTER_AUTH_SECRET!, /^[0-9a-f]{64}$/);
  });

  it("makes fresh random credentials on every run, and plain names", async () => {
    const [first, second] = [(await throwawaySecrets("dev")) as Secret[], (await throwawaySecrets("dev")) as Secret[]];
    const database = (objects: Secret[]) => objects.find((o) => o.stringData?.POSTGRES_PASSWORD)?.stringData;
    assert.ok(database(first), "dev has an in-cluster database");
    assert.match(database(first)!.POSTGRES_PASSWORD!, /^[0-9a-f]{64}$/);
    assert.notEqual(database(first)!.POSTGRES_PASSWORD, database(second)!.POSTGRES_PASSWORD);
    assert.equal(database(first)!.POSTGRES_USER, "todo");
  });

  it("refuses an environment that needs a real value from outside, naming the environment and the key", async () => {
    const external: string[] = [];
    for (const name of listEnvironments()) {
      if ((await loadEnvironment(name)).database.mode === "external") external.push(name);
    }
    assert.ok(external.length > 0, "expected an environment with an external database (prod)");
    for (const name of external) {
      await assert.rejects(throwawaySecrets(name), new RegExp(`environment ${name} needs values from outside the cluster \\(todo-backend-secret\\.DATABASE_URL`));
    }
  });
});
