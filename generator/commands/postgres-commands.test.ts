/**
 * Runs every command the rendered manifests run against PostgreSQL (init
 * containers and exec probes that call pg_isready or psql), taken from
 * manifests/<env>/*.yaml, against a real PostgreSQL with password
 * authentication, as a user id without a passwd entry, with the container's
 * environment. Each must succeed within seconds against the ready server,
 * and keep waiting (a wait loop) or fail (a probe) against a missing one.
 *
 * Also: the DATABASE_URL every pod receives logs in to that server, so the
 * credentials composed from the Secrets are the ones the database has.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  EXTERNAL_DATABASE_HOST,
  type Endpoint,
  type RenderedContainer,
  execActions,
  localProcess,
  mountScratch,
  removeScratch,
  renderedContainers,
  renderedEnvironments,
  serviceAddresses,
  throwawaySecrets,
} from "../testing/pod-commands.ts";
import {
  type Postgres,
  assertAvailable,
  freePort,
  prerequisites,
  run,
  skipUnlessAvailable,
  start,
  startPostgres,
  uidWithoutPasswdEntry,
} from "../testing/real-servers.ts";

const TALKS_TO_POSTGRES = /\b(pg_isready|psql)\b/;
const prereq = prerequisites({ postgres: true });
const skip = skipUnlessAvailable(prereq);
const secrets = throwawaySecrets();
const database = secrets["todo-database-secret"]!;

interface Case {
  environment: string;
  rendered: RenderedContainer;
  objects: ReturnType<typeof renderedEnvironments>[number]["objects"];
  /** The container's command, or an exec action's. */
  what: string;
  command?: string[];
  timeoutSeconds?: number;
}

/** Every command in the rendered manifests that talks to PostgreSQL. */
function cases(): Case[] {
  const found: Case[] = [];
  for (const { environment, objects } of renderedEnvironments()) {
    for (const rendered of renderedContainers(environment, objects)) {
      const own = [...(rendered.container.command ?? []), ...(rendered.container.args ?? [])].join(" ");
      if (TALKS_TO_POSTGRES.test(own)) found.push({ environment, rendered, objects, what: rendered.init ? "init container" : "command" });
      for (const action of execActions(rendered.container)) {
        if (TALKS_TO_POSTGRES.test(action.command.join(" "))) {
          found.push({ environment, rendered, objects, what: action.what, command: action.command, timeoutSeconds: action.timeoutSeconds });
        }
      }
    }
  }
  return found;
}

/** Every Service host and the external database host, pointed at `port`. */
function endpointsTo(objects: Case["objects"], port: number): Endpoint[] {
  const database = serviceAddresses(objects).filter((s) => s.name.endsWith("-database"));
  return [...database.flatMap((s) => s.ports.map((p) => ({ host: s.host, port: p, localPort: port }))), { host: EXTERNAL_DATABASE_HOST, port: 5432, localPort: port }];
}

function runAs(rendered: RenderedContainer) {
  const context = rendered.pod.securityContext ?? {};
  const uid = uidWithoutPasswdEntry(rendered.container.securityContext?.runAsUser ?? context.runAsUser ?? 65534);
  const gid = rendered.container.securityContext?.runAsGroup ?? context.runAsGroup ?? uid;
  return { uid, gid };
}

function prepare(testCase: Case, port: number, server: Postgres) {
  const user = runAs(testCase.rendered);
  const mounts = mountScratch(testCase.rendered, secrets, user);
  const process = localProcess(testCase.rendered, testCase.objects, {
    secrets,
    endpoints: endpointsTo(testCase.objects, port),
    mounts,
    // The image's own pg_isready and psql, not Debian's pg_wrapper.
    path: `${server.binDir}:/usr/bin:/bin`,
    ...(testCase.command ? { commandOverride: testCase.command } : {}),
  });
  const cleanup = () => {
    removeScratch(mounts);
  };
  return { ...process, user, cleanup };
}

const describeLabel = "PostgreSQL commands from the rendered manifests, against a real server, as a uid without a passwd entry";

describe(describeLabel, () => {
  let server: Postgres | undefined;
  const all = cases();

  before(async () => {
    if (skip) return;
    assertAvailable(prereq);
    server = await startPostgres({ user: database.POSTGRES_USER!, password: database.POSTGRES_PASSWORD!, database: database.POSTGRES_DB! });
  });
  after(async () => {
    await server?.stop();
  });

  it("finds the commands: the migration's wait for the database and the database's probes, in each environment with an in-cluster database", { skip }, () => {
    const names = all.map((c) => `${c.environment}: ${c.rendered.where} ${c.what}`);
    for (const environment of ["dev", "staging"]) {
      assert.ok(names.includes(`${environment}: Job/todo-migration wait-for-database init container`), names.join("\n"));
      assert.ok(names.includes(`${environment}: StatefulSet/todo-database postgres readinessProbe`), names.join("\n"));
    }
  });

  it("each succeeds within seconds against the ready server", { skip }, async () => {
    const results = await Promise.all(
      all.map(async (testCase) => {
        const local = prepare(testCase, server!.port, server!);
        try {
          const limit = testCase.timeoutSeconds ? testCase.timeoutSeconds * 1000 : 5_000;
          const result = await run(local.argv, { env: local.env, uid: local.user.uid, gid: local.user.gid, timeoutMs: limit });
          return { testCase, result, limit, uid: local.user.uid };
        } finally {
          local.cleanup();
        }
      }),
    );
    const failures = results
      .filter(({ result }) => result.code !== 0)
      .map(
        ({ testCase, result, limit, uid }) =>
          `${testCase.environment}: ${testCase.rendered.where} ${testCase.what} (uid ${uid}): ` +
          (result.timedOut ? `did not finish within ${limit / 1000} s` : `exit ${result.code}`) +
          `; output: ${(result.stdout + result.stderr).trim().split("\n").slice(-3).join(" | ")}`,
      );
    assert.deepEqual(failures, []);
  });

  it("against a missing server, a wait loop keeps waiting and a probe fails, each saying so", { skip }, async () => {
    const deadPort = await freePort();
    const results = await Promise.all(
      all.map(async (testCase) => {
        const local = prepare(testCase, deadPort, server!);
        try {
          if (testCase.timeoutSeconds !== undefined) {
            const result = await run(local.argv, { env: local.env, uid: local.user.uid, gid: local.user.gid, timeoutMs: testCase.timeoutSeconds * 1000 + 2000 });
            return { testCase, probe: true, result, output: result.stdout + result.stderr };
          }
          // A wait loop: it must say why it waits, then go on waiting (past its first sleep).
          const loop = start(local.argv, { env: local.env, uid: local.user.uid, gid: local.user.gid });
          for (let waited = 0; waited < 5_000 && !/no response/.test(loop.output()) && !loop.exited(); waited += 100) await sleep(100);
          await sleep(500);
          const exited = loop.exited();
          await loop.stop();
          return { testCase, probe: false, exited, output: loop.output() };
        } finally {
          local.cleanup();
        }
      }),
    );
    for (const entry of results) {
      const where = `${entry.testCase.environment}: ${entry.testCase.rendered.where} ${entry.testCase.what}`;
      if (entry.probe && "result" in entry) {
        assert.equal(entry.result!.timedOut, false, `${where}: the probe should fail within its timeout, not hang`);
        assert.notEqual(entry.result!.code, 0, `${where}: the probe passed without a server`);
      } else {
        assert.match(entry.output, /no response/, `${where}: should say that the server does not respond: ${entry.output}`);
        assert.equal(entry.exited, undefined, `${where}: should keep waiting for the database, but ended (${JSON.stringify(entry.exited)}): ${entry.output}`);
      }
    }
  });

  it("the DATABASE_URL each pod receives logs in with the password (scram-sha-256)", { skip }, async () => {
    const withUrl = renderedEnvironments().flatMap(({ environment, objects }) =>
      renderedContainers(environment, objects)
        .filter((r) => (r.container.env ?? []).some((e) => e.name === "DATABASE_URL"))
        .map((rendered) => ({ environment, rendered, objects, what: "DATABASE_URL" })),
    );
    assert.ok(withUrl.length > 0, "no container receives DATABASE_URL");
    const results = await Promise.all(
      withUrl.map(async (testCase) => {
        const local = prepare({ ...testCase, command: ["sh", "-c", 'psql -X -A -t -c "select current_user" "$DATABASE_URL"'] }, server!.port, server!);
        try {
          return { testCase, result: await run(local.argv, { env: local.env, uid: local.user.uid, gid: local.user.gid, timeoutMs: 10_000 }) };
        } finally {
          local.cleanup();
        }
      }),
    );
    for (const { testCase, result } of results) {
      assert.equal(result.code, 0, `${testCase.environment}: ${testCase.rendered.where}: ${result.stderr}`);
      assert.equal(result.stdout.trim(), database.POSTGRES_USER);
    }
  });
});
