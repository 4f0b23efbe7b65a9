/**
 * The exec probes of the database and Redis, taken from the rendered objects
 * and run against real servers (Debian's PostgreSQL 15 and Redis) on loopback
 * ports, as the user ID the pod runs as. Readiness and liveness must tell
 * "up but not serving" apart (kube-score pod-probes-identical, generator/policy/):
 * a liveness probe that fails there restarts a server that only needs time.
 */
import assert from "node:assert/strict";
import { type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, chownSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IProbe } from "kubernetes-models/v1/Probe";
import { postgresImage, redisImage } from "../images.ts";
import { find, settingsOf } from "../testing/fixtures.ts";
import { database } from "./database.ts";
import { redis } from "./redis.ts";

const PG_BIN = "/usr/lib/postgresql/15/bin";
const isRoot = process.getuid?.() === 0;

for (const [what, path] of [["PostgreSQL 15 (Debian package postgresql-15)", `${PG_BIN}/postgres`], ["pg_isready (postgresql-client)", "/usr/bin/pg_isready"], ["redis-server (Debian package redis-server)", "/usr/bin/redis-server"], ["redis-cli (redis-tools)", "/usr/bin/redis-cli"]]) {
  if (!existsSync(path!)) throw new Error(`probes-against-servers.test.ts needs ${what}: ${path} is missing (apt-get install postgresql redis-server)`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a probe's command as the pod's user (when this process may switch users), with the container's environment. */
function runProbe(probe: IProbe | undefined, uid: number, gid: number, env: Record<string, string>, rewrite: (command: string) => string = (c) => c): SpawnSyncReturns<string> {
  const [shell, flag, command] = probe!.exec!.command!;
  assert.deepEqual([shell, flag], ["sh", "-c"]);
  const argv = isRoot ? ["setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", "sh", "-c", rewrite(command!)] : ["sh", "-c", rewrite(command!)];
  return spawnSync(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH!, ...env }, encoding: "utf8", timeout: 10_000 });
}

function asUser(user: string, command: string): SpawnSyncReturns<string> {
  return isRoot ? spawnSync("su", [user, "-s", "/bin/sh", "-c", command], { encoding: "utf8" }) : spawnSync("sh", ["-c", command], { encoding: "utf8" });
}

describe("PostgreSQL probes against a real server", async () => {
  const dev = await settingsOf("dev");
  const container = find<IStatefulSet>(database(dev), "StatefulSet", "todo-database").spec!.template.spec!.containers[0] as IContainer;
  const dir = mkdtempSync(join(tmpdir(), "pg-probes-"));
  // initdb and postgres need a user with a passwd entry; Debian's `postgres` user stands in for the image's (UID 70).
  const serverUser = "postgres";
  let port = 0;
  let env: Record<string, string> = {};
  const probe = (p: IProbe | undefined) => runProbe(p, postgresImage.uid, postgresImage.gid, env).status;

  before(async () => {
    port = await freePort();
    env = { PGPORT: String(port), POSTGRES_USER: "todo", POSTGRES_DB: "todo" };
    if (isRoot) chownSync(dir, Number(spawnSync("id", ["-u", serverUser], { encoding: "utf8" }).stdout.trim()), 0);
    const init = asUser(serverUser, `${PG_BIN}/initdb -D ${dir}/data -U todo --auth=trust >/dev/null && ${PG_BIN}/pg_ctl -D ${dir}/data -o "-p ${port} -k ${dir} -c listen_addresses=127.0.0.1" -l ${dir}/log -w start >/dev/null`);
    assert.equal(init.status, 0, `PostgreSQL did not start: ${init.stderr}`);
  });
  after(() => {
    asUser(serverUser, `${PG_BIN}/pg_ctl -D ${dir}/data -m immediate -w stop >/dev/null 2>&1`);
    rmSync(dir, { recursive: true, force: true });
  });

  it("accepting connections: startup, liveness and readiness pass", () => {
    assert.deepEqual([probe(container.startupProbe), probe(container.livenessProbe), probe(container.readinessProbe)], [0, 0, 0]);
  });

  it("up but refusing connections (a smart shutdown waiting for a client): alive, not ready", async () => {
    // A client holds a session; a smart shutdown then refuses new connections until it ends.
    const client = spawn("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "todo", "-d", "postgres", "-c", "select pg_sleep(5)"], { stdio: "ignore" });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(asUser(serverUser, `${PG_BIN}/pg_ctl -D ${dir}/data -m smart -W stop`).status, 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(spawnSync("pg_isready", ["-h", "127.0.0.1", "-p", String(port)]).status, 1, "the server should be refusing connections now");
    assert.equal(probe(container.livenessProbe), 0, "liveness must pass while the server answers");
    assert.equal(probe(container.startupProbe), 0, "startup must pass while the server answers");
    assert.notEqual(probe(container.readinessProbe), 0, "readiness must fail while it refuses connections");
    await new Promise((resolve) => client.on("exit", resolve));
  });

  it("stopped: every probe fails", async () => {
    for (let i = 0; i < 50 && spawnSync("pg_isready", ["-h", "127.0.0.1", "-p", String(port)]).status !== 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual([probe(container.startupProbe), probe(container.livenessProbe), probe(container.readinessProbe)].map((s) => s !== 0), [true, true, true]);
  });
});

describe("Redis probes against a real server", async () => {
  const dev = await settingsOf("dev");
  const container = find<IDeployment>(redis(dev), "Deployment", "todo-redis").spec!.template.spec!.containers[0] as IContainer;
  const dir = mkdtempSync(join(tmpdir(), "redis-probes-"));
  const password = "probe-test-password";
  let port = 0;
  let server: ReturnType<typeof spawn> | undefined;
  const onPort = (command: string) => command.replaceAll(`-p ${redisImage.port}`, `-p ${port}`);
  const probe = (p: IProbe | undefined, auth = password) => runProbe(p, redisImage.uid, redisImage.gid, { REDISCLI_AUTH: auth }, onPort).status;

  before(async () => {
    port = await freePort();
    if (isRoot) chownSync(dir, redisImage.uid, redisImage.gid);
    // The rendered command line, with the Secret's value and the test's port and directory.
    const args = container.args!.map((arg) => (arg === "$(REDIS_PASSWORD)" ? password : arg === String(redisImage.port) ? String(port) : arg === "/data" ? dir : arg));
    const argv = [...container.command!, ...args];
    server = isRoot
      ? spawn("setpriv", [`--reuid=${redisImage.uid}`, `--regid=${redisImage.gid}`, "--clear-groups", ...argv], { stdio: "ignore" })
      : spawn(argv[0]!, argv.slice(1), { stdio: "ignore" });
    for (let i = 0; i < 50 && probe(container.readinessProbe) !== 0; i++) await new Promise((r) => setTimeout(r, 100));
  });
  after(() => {
    server?.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("serving: startup, liveness and readiness pass", () => {
    assert.deepEqual([probe(container.startupProbe), probe(container.livenessProbe), probe(container.readinessProbe)], [0, 0, 0]);
  });

  it("answering with an error instead of PONG (here: a wrong password): alive, not ready", () => {
    assert.equal(probe(container.livenessProbe, "wrong"), 0);
    assert.notEqual(probe(container.readinessProbe, "wrong"), 0);
  });

  it("stopped: every probe fails", async () => {
    server!.kill("SIGTERM");
    await new Promise((resolve) => server!.on("exit", resolve));
    assert.deepEqual([probe(container.startupProbe), probe(container.livenessProbe), probe(container.readinessProbe)].map((s) => s !== 0), [true, true, true]);
  });
});
