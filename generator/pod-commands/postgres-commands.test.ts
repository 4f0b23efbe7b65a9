/**
 * Runs every command the rendered manifests run against PostgreSQL (init
 * containers and exec probes that call pg_isready or psql), taken from
 * manifests/<env>/*.yaml, against a real PostgreSQL with password
 * authentication, as a user id without a passwd entry, with the container's
 * environment. Each must succeed within seconds against the ready server,
 * and keep waiting (a wait loop) or fail (a probe) against a stopped one.
 * Against a server that is up but refusing connections (a smart shutdown
 * waiting for a client, as in start-up or crash recovery), the liveness and
 * startup probes pass and readiness fails: kube-score's pod-probes-identical
 * (generator/policy/), run for real.
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

/** Waits (up to 10 s) until pg_isready answers with this exit status: 0 accepting, 1 rejecting, 2 no response. */
async function untilIsReady(server: Postgres, status: 0 | 1 | 2): Promise<void> {
  let last: number | null = null;
  for (let waited = 0; waited < 10_000; waited += 100) {
    last = (await run([`${server.binDir}/pg_isready`, "-h", "127.0.0.1", "-p", String(server.port)], { env: { PATH: "/usr/bin:/bin" }, timeoutMs: 5_000 })).code;
    if (last === status) return;
    await sleep(100);
  }
  throw new Error(`pg_isready answered ${last}, not ${status}, for 10 s`);
}

interface Outcome {
  where: string;
  what: string;
  verdict: "passes" | "fails" | "keeps waiting" | "hangs" | "ends";
  output: string;
}

/** Every command's verdict is the one expected of its kind (`what`); a failure shows the output of each command that differs. */
function assertVerdicts(outcomes: Outcome[], expected: (what: string) => Outcome["verdict"]): void {
  assert.deepEqual(
    outcomes.map((o) => `${o.where}: ${o.verdict}`),
    outcomes.map((o) => `${o.where}: ${expected(o.what)}`),
    outcomes.filter((o) => o.verdict !== expected(o.what)).map((o) => `${o.where}: ${o.output}`).join("\n"),
  );
}

/**
 * What a command does against the server as it is now: a probe passes
 * or fails within its timeout (or hangs); a wait loop must print why it waits
 * (`waitingFor`) and go on waiting past its first sleep.
 */
async function outcome(testCase: Case, server: Postgres, waitingFor: RegExp): Promise<Outcome> {
  const local = prepare(testCase, server.port, server);
  const where = `${testCase.environment}: ${testCase.rendered.where} ${testCase.what}`;
  try {
    if (testCase.timeoutSeconds !== undefined) {
      const result = await run(local.argv, { env: local.env, uid: local.user.uid, gid: local.user.gid, timeoutMs: testCase.timeoutSeconds * 1000 + 2000 });
      const verdict = result.timedOut ? "hangs" : result.code === 0 ? "passes" : "fails";
      return { where, what: testCase.what, verdict, output: (result.stdout + result.stderr).trim() };
    }
    const loop = start(local.argv, { env: local.env, uid: local.user.uid, gid: local.user.gid });
    for (let waited = 0; waited < 5_000 && !waitingFor.test(loop.output()) && !loop.exited(); waited += 100) await sleep(100);
    await sleep(500);
    const ended = loop.exited();
    await loop.stop();
    const verdict = ended ? "ends" : waitingFor.test(loop.output()) ? "keeps waiting" : "hangs";
    return { where, what: testCase.what, verdict, output: loop.output().trim() };
  } finally {
    local.cleanup();
  }
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
  // The server's other states, last: each ends the shared server's service for the tests after it.

  it("up but refusing connections (a smart shutdown waiting for a client): liveness and startup pass, readiness fails, the wait loop keeps waiting", { skip }, async () => {
    // A client holds a session; a smart shutdown then refuses every new connection until it ends
    // (pg_isready exit 1, "rejecting connections"): the state of a server starting up, shutting
    // down or in crash recovery, which liveness must not restart (kube-score pod-probes-identical).
    const client = start([`${server!.binDir}/psql`, "-X", "-h", "127.0.0.1", "-p", String(server!.port), "-U", server!.user, "-d", server!.database, "-c", "select pg_sleep(60)"], {
      env: { PATH: "/usr/bin:/bin", PGPASSWORD: server!.password },
    });
    try {
      await untilIsReady(server!, 0);
      await server!.pgCtl(["stop", "-m", "smart", "-W"]);
      await untilIsReady(server!, 1);
      const outcomes = await Promise.all(all.map((testCase) => outcome(testCase, server!, /rejecting connections/)));
      assertVerdicts(outcomes, (what) => (what === "readinessProbe" ? "fails" : what === "init container" ? "keeps waiting" : "passes"));
    } finally {
      // A fast shutdown ends the client's session and the server.
      await server!.pgCtl(["stop", "-m", "fast", "-w"]);
      await client.stop();
    }
  });

  it("stopped: every probe fails within its timeout and the wait loop keeps waiting, saying so", { skip }, async () => {
    await untilIsReady(server!, 2);
    const outcomes = await Promise.all(all.map((testCase) => outcome(testCase, server!, /no response/)));
    assertVerdicts(outcomes, (what) => (what === "init container" ? "keeps waiting" : "fails"));
  });
});
