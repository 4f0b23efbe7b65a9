/**
 * Least privilege for Secret values: every container in every environment's
 * rendered manifests (manifests/<env>/*.yaml) receives exactly the Secret
 * keys its contract needs (docker/README.md, "The app's contract"; the
 * images' own needs for PostgreSQL and Redis), through env, envFrom or a
 * mounted Secret volume. Written out here, not derived from the generator,
 * so that a key the generator hands out by mistake fails.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type RenderedContainer, renderedContainers, renderedEnvironments } from "./testing/pod-commands.ts";

type DatabaseMode = "in-cluster" | "external";

/** What reaching the app's database takes: the in-cluster one's credentials (DATABASE_URL is composed from them), or the external one's URL. */
const databaseKeys = (mode: DatabaseMode) =>
  mode === "in-cluster"
    ? ["todo-database-secret/POSTGRES_USER", "todo-database-secret/POSTGRES_PASSWORD", "todo-database-secret/POSTGRES_DB"]
    : ["todo-backend-secret/DATABASE_URL"];

/** better-auth's signing secret: one Secret of its own, read by the frontend (signs) and the backend (verifies). */
const AUTH_KEY = "todo-auth-secret/BETTER_AUTH_SECRET";

const CONTRACT: Record<string, (mode: DatabaseMode) => string[]> = {
  // DATABASE_URL, BETTER_AUTH_SECRET (verifies the tokens better-auth signs), OPENAI_API_KEY.
  "Deployment/todo-backend backend": (mode) => [...databaseKeys(mode), AUTH_KEY, "todo-backend-secret/OPENAI_API_KEY"],
  // better-auth at /api/auth: its secret, and the database (as the backend reaches it) for users and sessions.
  "Deployment/todo-frontend frontend": (mode) => [...databaseKeys(mode), AUTH_KEY],
  // `alembic upgrade head`: the database only.
  "Job/todo-migration migrate": (mode) => databaseKeys(mode),
  // pg_isready: a user and a database name, no password.
  "Job/todo-migration wait-for-database": () => ["todo-database-secret/POSTGRES_USER", "todo-database-secret/POSTGRES_DB"],
  // The postgres image's entrypoint creates the user and database from all three.
  "StatefulSet/todo-database postgres": () => databaseKeys("in-cluster"),
  "Deployment/todo-redis redis": () => ["todo-redis-secret/REDIS_PASSWORD"],
  // Calls two health endpoints: no credentials at all.
  "Job/todo-smoke-test smoke-test": () => [],
};

/** `<secret>/<key>` for each key the container can read; `<secret>/*` for a whole Secret. */
function keysReadBy(rendered: RenderedContainer): string[] {
  const { container, pod } = rendered;
  const keys = new Set<string>();
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref) keys.add(`${ref.name}/${ref.key}`);
  }
  for (const source of container.envFrom ?? []) if (source.secretRef) keys.add(`${source.secretRef.name}/*`);
  for (const mount of container.volumeMounts ?? []) {
    const volume = (pod.volumes ?? []).find((v) => v.name === mount.name);
    const secret = volume?.secret ?? undefined;
    if (secret) {
      if (secret.items?.length) for (const item of secret.items) keys.add(`${secret.secretName}/${item.key}`);
      else keys.add(`${secret.secretName}/*`);
    }
    for (const source of volume?.projected?.sources ?? []) {
      if (source.secret) for (const item of source.secret.items ?? [{ key: "*" }]) keys.add(`${source.secret.name}/${item.key}`);
    }
  }
  return [...keys].sort();
}

for (const { environment, objects } of renderedEnvironments()) {
  const mode: DatabaseMode = objects.some((o) => o.kind === "StatefulSet" && o.metadata.name === "todo-database") ? "in-cluster" : "external";
  describe(`${environment}: each container gets only the Secret keys its contract needs (database ${mode})`, () => {
    for (const rendered of renderedContainers(environment, objects)) {
      it(rendered.where, () => {
        const contract = CONTRACT[rendered.where];
        assert.ok(contract, `${rendered.where} has no entry in the contract table: say which Secret keys it needs`);
        assert.deepEqual(keysReadBy(rendered), contract(mode).sort());
      });
    }
  });
}

describe("better-auth's secret has one source: the signer and the verifier read the same Secret key, and nothing else reads it", () => {
  for (const { environment, objects } of renderedEnvironments()) {
    it(environment, () => {
      const readers = renderedContainers(environment, objects)
        .filter((rendered) => keysReadBy(rendered).includes(AUTH_KEY))
        .map((rendered) => rendered.where);
      assert.deepEqual(readers.sort(), ["Deployment/todo-backend backend", "Deployment/todo-frontend frontend"]);
      // No copy under another name that could drift from it.
      const elsewhere = renderedContainers(environment, objects).flatMap((rendered) =>
        (rendered.container.env ?? []).filter((e) => e.name === "BETTER_AUTH_SECRET" && e.valueFrom?.secretKeyRef?.name !== "todo-auth-secret").map(() => rendered.where),
      );
      assert.deepEqual(elsewhere, []);
    });
  }
});
