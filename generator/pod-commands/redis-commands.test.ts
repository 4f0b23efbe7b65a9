/**
 * Runs the Redis container the rendered manifests describe (its command and
 * args, taken from the fixture's render of manifests/<env>/*.yaml) with the real redis-server from
 * Debian's packages, as a uid without a passwd entry, with the container's
 * environment and its volumes as scratch directories, then runs its exec
 * probes against it, all at once: each must pass within its timeout against
 * the serving server and fail against a stopped one; against a server that
 * is up but busy (answering BUSY, not PONG), liveness and startup pass and
 * readiness fails. The server must demand the
 * password from todo-redis-secret, and the password must appear neither in
 * the rendered command nor in the process list.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type RenderedContainer,
  type RenderedObject,
  execActions,
  localProcess,
  mountScratch,
  removeScratch,
  fixtureRenderedEnvironments,
  renderedContainers,
  serviceAddresses,
  throwawaySecrets,
} from "../testing/pod-commands.ts";
import { type Started, assertAvailable, freePort, prerequisites, run, skipUnlessAvailable, start, uidWithoutPasswdEntry } from "../testing/real-servers.ts";

const prereq = prerequisites({ redis: true });
const skip = skipUnlessAvailable(prereq);
const secrets = throwawaySecrets();
const password = secrets["todo-redis-secret"]!.REDIS_PASSWORD!;
const PATH = "/usr/bin:/bin";

interface RedisPod {
  environment: string;
  objects: RenderedObject[];
  rendered: RenderedContainer;
}

// The fixture's render (dev with Dapr and Redis, as shipped): a team may turn Dapr off everywhere.
const fixture = await fixtureRenderedEnvironments();

/** Every container that runs redis-server, in every fixture environment. */
function redisContainers(): RedisPod[] {
  return fixture.flatMap(({ environment, objects }) =>
    renderedContainers(environment, objects)
      .filter(({ container }) => [...(container.command ?? []), ...(container.args ?? [])].join(" ").includes("redis-server"))
      .map((rendered) => ({ environment, objects, rendered })),
  );
}

function runAs(rendered: RenderedContainer) {
  const context = rendered.pod.securityContext ?? {};
  return { uid: uidWithoutPasswdEntry(context.runAsUser ?? 65534), gid: context.runAsGroup ?? 65534 };
}

/** The container's process and its probes, with the Redis Service's port moved to `port`. */
function prepare(pod: RedisPod, port: number, mounts: Record<string, string>) {
  const endpoints = serviceAddresses(pod.objects)
    .filter((s) => s.name.endsWith("-redis"))
    .flatMap((s) => s.ports.map((p) => ({ host: s.host, port: p, localPort: port })));
  const main = localProcess(pod.rendered, pod.objects, { secrets, endpoints, mounts, path: PATH });
  const probes = execActions(pod.rendered.container).map((action) => ({
    ...action,
    process: localProcess(pod.rendered, pod.objects, { secrets, endpoints, mounts, path: PATH, commandOverride: action.command }),
  }));
  return { main, probes };
}

async function redisCli(port: number, args: string[], auth?: string) {
  return run(["redis-cli", "-h", "127.0.0.1", "-p", String(port), ...args], { env: { PATH, ...(auth !== undefined ? { REDISCLI_AUTH: auth } : {}) }, timeoutMs: 5_000 });
}

describe("Redis from the rendered manifests, run with the real redis-server, as a uid without a passwd entry", () => {
  const pods = redisContainers();
  const running: { pod: RedisPod; port: number; server: Started; user: { uid: number; gid: number }; mounts: Record<string, string>; ready: boolean }[] = [];

  /** Every probe of every running pod, all at once: `<env>: <probe>: passes | fails | hangs` (past its timeout). */
  async function probeVerdicts(): Promise<string[]> {
    const verdicts = running.flatMap(({ pod, port, user, mounts }) =>
      prepare(pod, port, mounts).probes.map(async (probe) => {
        const result = await run(probe.process.argv, { env: probe.process.env, uid: user.uid, gid: user.gid, timeoutMs: probe.timeoutSeconds * 1000 + 2000 });
        const verdict = result.timedOut ? "hangs" : result.code === 0 ? "passes" : `fails`;
        return `${pod.environment}: ${probe.what}: ${verdict}`;
      }),
    );
    return Promise.all(verdicts);
  }

  function expectVerdicts(verdict: (what: string) => string): string[] {
    return running.flatMap(({ pod, port, mounts }) => prepare(pod, port, mounts).probes.map((probe) => `${pod.environment}: ${probe.what}: ${verdict(probe.what)}`));
  }

  before(async () => {
    if (skip) return;
    assertAvailable(prereq);
    for (const pod of pods) {
      const port = await freePort();
      const user = runAs(pod.rendered);
      const mounts = mountScratch(pod.rendered, secrets, user);
      const { main, probes } = prepare(pod, port, mounts);
      const server = start(main.argv, { env: main.env, uid: user.uid, gid: user.gid });
      // Ready when the readiness probe says so, as the kubelet decides.
      const readiness = probes.find((p) => p.what === "readinessProbe")!;
      let ready = false;
      for (let attempt = 0; attempt < 50 && !ready && !server.exited(); attempt++) {
        ready = (await run(readiness.process.argv, { env: readiness.process.env, uid: user.uid, gid: user.gid, timeoutMs: 2_000 })).code === 0;
        if (!ready) await sleep(100);
      }
      running.push({ pod, port, server, user, mounts, ready });
    }
  });

  after(async () => {
    for (const { server, mounts } of running) {
      await server.stop();
      removeScratch(mounts);
    }
  });

  it("finds the Redis container of each environment with Dapr on", { skip }, () => {
    assert.deepEqual(
      pods.map((p) => `${p.environment}: ${p.rendered.where}`),
      ["dev: Deployment/todo-redis redis"],
    );
  });

  it("starts, and its startup, liveness and readiness probes pass within their timeouts", { skip }, async () => {
    for (const { pod, server, ready } of running) {
      assert.ok(ready, `${pod.environment}: redis did not become ready within 5 s: ${server.exited() ? `it exited (${JSON.stringify(server.exited())})` : "still running"}; output:\n${server.output()}`);
    }
    assert.deepEqual(await probeVerdicts(), expectVerdicts(() => "passes"));
  });

  it("demands todo-redis-secret's password: without it NOAUTH, with a wrong one refused, with it PONG", { skip }, async () => {
    for (const { pod, port } of running) {
      assert.match((await redisCli(port, ["ping"])).stdout, /NOAUTH/, `${pod.environment}: Redis answered without a password`);
      assert.doesNotMatch((await redisCli(port, ["ping"], "wrong-password")).stdout, /PONG/, `${pod.environment}: a wrong password was accepted`);
      assert.equal((await redisCli(port, ["ping"], password)).stdout.trim(), "PONG", `${pod.environment}: the Secret's password was refused`);
      // As Dapr's components send it: AUTH <password>, no user name (the default user).
      assert.equal((await redisCli(port, ["--no-auth-warning", "-a", password, "ping"])).stdout.trim(), "PONG");
    }
  });

  it("keeps the password out of its command line: neither the rendered command nor the running process shows it", { skip }, () => {
    for (const { pod, server } of running) {
      const rendered = [...(pod.rendered.container.command ?? []), ...(pod.rendered.container.args ?? [])];
      // A $(VAR) reference to a Secret-sourced variable is expanded into argv by the kubelet.
      const fromSecrets = (pod.rendered.container.env ?? []).filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.name);
      const referenced = fromSecrets.filter((name) => rendered.some((part) => part.includes(`$(${name})`)));
      assert.deepEqual(referenced, [], `${pod.environment}: the command line takes Secret values: ${rendered.join(" ")}`);
      // The kubelet expands $(VAR) into argv, which every process on the node can read in /proc/<pid>/cmdline.
      const cmdline = readFileSync(`/proc/${server.pid}/cmdline`, "utf8").split("\0").join(" ");
      assert.ok(!cmdline.includes(password), `${pod.environment}: the password is in the process list: ${cmdline.replace(password, "<password>")}`);
    }
  });

  it("refuses to start, saying why, when the Secret's password is empty", { skip }, async () => {
    for (const pod of pods) {
      const user = runAs(pod.rendered);
      const empty = { ...secrets, "todo-redis-secret": { REDIS_PASSWORD: "" } };
      const mounts = mountScratch(pod.rendered, empty, user);
      try {
        const endpoints = [{ host: "unused.invalid", port: 6379, localPort: await freePort() }];
        const main = localProcess(pod.rendered, pod.objects, { secrets: empty, endpoints, mounts, path: PATH });
        const result = await run(main.argv, { env: main.env, uid: user.uid, gid: user.gid, timeoutMs: 5_000 });
        assert.equal(result.timedOut, false, `${pod.environment}: Redis started without a password`);
        assert.notEqual(result.code, 0);
        assert.match(result.stderr, /missing or empty/);
      } finally {
        removeScratch(mounts);
      }
    }
  });

  // The server's other states, last: the shared servers stop serving for the tests after them.

  it("up but busy (a script past busy-reply-threshold, answering BUSY): liveness and startup pass, readiness fails", { skip }, async () => {
    // Redis answers every command but SCRIPT KILL and SHUTDOWN NOSAVE with a BUSY error while a script
    // runs past the threshold: up, not serving. Liveness (any reply) must not restart it; readiness
    // (PONG) takes it out of the Service (kube-score pod-probes-identical, generator/policy/).
    const scripts = [];
    for (const { port } of running) {
      assert.equal((await redisCli(port, ["config", "set", "busy-reply-threshold", "50"], password)).stdout.trim(), "OK");
      scripts.push(start(["redis-cli", "-h", "127.0.0.1", "-p", String(port), "eval", "while true do end", "0"], { env: { PATH, REDISCLI_AUTH: password } }));
    }
    try {
      for (const { pod, port } of running) {
        let answer = "";
        for (let waited = 0; waited < 5_000 && !answer.startsWith("BUSY"); waited += 100) {
          answer = (await redisCli(port, ["ping"], password)).stdout.trim();
          if (!answer.startsWith("BUSY")) await sleep(100);
        }
        assert.match(answer, /^BUSY/, `${pod.environment}: Redis did not get busy`);
      }
      assert.deepEqual(await probeVerdicts(), expectVerdicts((what) => (what === "readinessProbe" ? "fails" : "passes")));
    } finally {
      for (const { port } of running) await redisCli(port, ["script", "kill"], password);
      for (const script of scripts) await script.stop();
    }
    assert.deepEqual(await probeVerdicts(), expectVerdicts(() => "passes"), "serving again once the script is killed");
  });

  it("stopped: its probes fail, within their timeouts", { skip }, async () => {
    for (const { server } of running) await server.stop();
    assert.deepEqual(await probeVerdicts(), expectVerdicts(() => "fails"));
  });
});
