/**
 * Runs the smoke test's script, taken from each environment's rendered
 * todo-smoke-test Job, with python3 from Debian's packages (the backend image
 * runs it as `python`), as a uid without a passwd entry, against small local
 * HTTP servers that answer the health contract of docker/README.md in place
 * of the backend's and the frontend's Services. It must pass against healthy
 * servers and fail, naming the status, when the backend answers 503.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { type Server, createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { backendImage, frontendImage } from "../images.ts";
import { type RenderedContainer, type RenderedObject, findContainer, localProcess, renderedContainers, renderedEnvironments, serviceAddresses, throwawaySecrets } from "../testing/pod-commands.ts";
import { assertAvailable, freePort, prerequisites, programPath, run, skipUnlessAvailable, uidWithoutPasswdEntry } from "../testing/real-servers.ts";

const prereq = prerequisites({ python: true });
const skip = skipUnlessAvailable(prereq);

/** The responses docker/README.md promises ("The app's contract"). */
const CONTRACT: Record<string, { status: number; body: unknown }> = {
  [backendImage.health.live]: { status: 200, body: { status: "alive", service: "todo-chatbot-api", version: "3.0.0" } },
  [backendImage.health.ready]: { status: 200, body: { status: "ready", database: "connected" } },
  [frontendImage.health.live]: { status: 200, body: { status: "ok" } },
};
const NOT_READY = { status: 503, body: { status: "not_ready", database: "disconnected" } };

interface App {
  server: Server;
  port: number;
  /** Paths answered with NOT_READY instead of the contract's response. */
  failing: Set<string>;
  requests: string[];
}

async function app(): Promise<App> {
  const port = await freePort();
  const state: App = { server: undefined as unknown as Server, port, failing: new Set(), requests: [] };
  state.server = createServer((request, response) => {
    const path = request.url ?? "/";
    state.requests.push(path);
    const answer = state.failing.has(path) ? NOT_READY : (CONTRACT[path] ?? { status: 404, body: { detail: "Not Found" } });
    response.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => state.server.listen(port, "127.0.0.1", resolve));
  return state;
}

interface SmokeJob {
  environment: string;
  objects: RenderedObject[];
  rendered: RenderedContainer;
}

function smokeJobs(): SmokeJob[] {
  return renderedEnvironments().flatMap(({ environment, objects }) => {
    const rendered = findContainer(renderedContainers(environment, objects), "Job", "todo-smoke-test", "smoke-test");
    return rendered ? [{ environment, objects, rendered }] : [];
  });
}

describe("the smoke test's script from the rendered manifests, against the health contract", () => {
  const jobs = smokeJobs();
  let backend: App;
  let frontend: App;
  let bin: string;

  before(async () => {
    if (skip) return;
    assertAvailable(prereq);
    [backend, frontend] = await Promise.all([app(), app()]);
    // The backend image's `python`; here Debian's python3 under that name.
    bin = mkdtempSync(join(tmpdir(), "todo-python-"));
    chmodSync(bin, 0o755);
    symlinkSync(programPath("python3")!, join(bin, "python"));
  });
  after(async () => {
    for (const server of [backend, frontend]) if (server) await new Promise((resolve) => server.server.close(resolve));
    if (bin) rmSync(bin, { recursive: true, force: true });
  });

  async function runSmoke(job: SmokeJob, ports: { backend: number; frontend: number }) {
    const services = serviceAddresses(job.objects);
    const endpoint = (name: string, localPort: number) => services.filter((s) => s.name === name).flatMap((s) => s.ports.map((port) => ({ host: s.host, port, localPort })));
    const local = localProcess(job.rendered, job.objects, {
      secrets: throwawaySecrets(),
      endpoints: [...endpoint("todo-backend", ports.backend), ...endpoint("todo-frontend", ports.frontend)],
      mounts: {},
      path: `${bin}:/usr/bin:/bin`,
    });
    const context = job.rendered.pod.securityContext ?? {};
    const uid = uidWithoutPasswdEntry(context.runAsUser ?? 65534);
    return run(local.argv, { env: local.env, uid, gid: context.runAsGroup ?? uid, timeoutMs: 15_000 });
  }

  it("is rendered in every environment", { skip }, () => {
    assert.deepEqual(jobs.map((j) => j.environment).sort(), renderedEnvironments().map((e) => e.environment).sort());
  });

  it("passes within seconds when the backend is ready and the frontend healthy, calling both", { skip }, async () => {
    backend.failing.clear();
    backend.requests.length = 0;
    frontend.requests.length = 0;
    const results = await Promise.all(jobs.map(async (job) => ({ job, result: await runSmoke(job, { backend: backend.port, frontend: frontend.port }) })));
    for (const { job, result } of results) {
      assert.equal(result.code, 0, `${job.environment}: ${result.stdout}${result.stderr}`);
      assert.match(result.stdout, / 200\n.* 200\n/);
    }
    // Each environment's script called the backend's readiness and the frontend's health, and nothing else.
    assert.deepEqual(backend.requests, jobs.map(() => backendImage.health.ready));
    assert.deepEqual(frontend.requests, jobs.map(() => frontendImage.health.live));
  });

  it("fails, naming the status, when the backend answers 503 (database disconnected)", { skip }, async () => {
    backend.failing.add(backendImage.health.ready);
    try {
      const results = await Promise.all(jobs.map(async (job) => ({ job, result: await runSmoke(job, { backend: backend.port, frontend: frontend.port }) })));
      for (const { job, result } of results) {
        assert.equal(result.timedOut, false);
        assert.notEqual(result.code, 0, `${job.environment}: passed although /health/ready answered 503`);
        assert.match(result.stderr, /503/);
      }
    } finally {
      backend.failing.clear();
    }
  });

  it("fails when nothing answers at the Services", { skip }, async () => {
    const [deadBackend, deadFrontend] = await Promise.all([freePort(), freePort()]);
    const results = await Promise.all(jobs.map(async (job) => ({ job, result: await runSmoke(job, { backend: deadBackend, frontend: deadFrontend }) })));
    for (const { job, result } of results) {
      assert.equal(result.timedOut, false, job.environment);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /Connection refused/);
    }
  });
});
