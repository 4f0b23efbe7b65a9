import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type ApplicationStatus, CannotWait, KUBECTL_MISSING, assess, waitFor } from "./wait-for-sync.ts";
import { NODE_ARGS } from "../../generator/testing/node.ts";

const SHA = "3f2c9a1b7d4e5f60718293a4b5c6d7e8f9012345";
const OLD = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

/** An Application's status as Argo CD reports it, by default fully done on SHA. */
function app(overrides: {
  sync?: string;
  health?: string;
  phase?: string;
  synced?: string;
  operated?: string;
  hooks?: { name: string; hookType?: string; hookPhase?: string; message?: string }[];
  message?: string;
}): ApplicationStatus {
  const hooks = overrides.hooks ?? [
    { name: "todo-migration", hookType: "Sync", hookPhase: "Succeeded" },
    { name: "todo-smoke-test", hookType: "PostSync", hookPhase: "Succeeded" },
  ];
  return {
    status: {
      sync: { status: overrides.sync ?? "Synced", revision: overrides.synced ?? SHA },
      health: { status: overrides.health ?? "Healthy" },
      operationState: {
        phase: overrides.phase ?? "Succeeded",
        message: overrides.message,
        syncResult: {
          revision: overrides.operated ?? overrides.synced ?? SHA,
          resources: [{ kind: "Deployment", name: "todo-backend" }, ...hooks.map((h) => ({ kind: "Job", ...h }))],
        },
      },
    },
  };
}

const expected = { revision: SHA.slice(0, 7), hooks: ["todo-smoke-test"] };

describe("wait-for-sync: assess", () => {
  it("is done and ok when synced, healthy, the operation and every hook succeeded on the expected revision", () => {
    const verdict = assess(app({}), expected);
    assert.deepEqual([verdict.done, verdict.ok], [true, true], verdict.summary);
    assert.match(verdict.summary, /todo-smoke-test=Succeeded/);
  });

  it("keeps waiting while syncing, progressing, or still on another revision", () => {
    for (const status of [
      app({ phase: "Running", sync: "OutOfSync" }),
      app({ health: "Progressing" }),
      app({ synced: OLD }),
      app({ operated: OLD }),
      {},
    ]) {
      const verdict = assess(status, expected);
      assert.deepEqual([verdict.done, verdict.ok], [false, false], verdict.summary);
    }
  });

  it("stops at once on a failed operation or a failed hook of the current revision, saying which", () => {
    const failed = assess(app({ phase: "Failed", health: "Degraded", message: "one or more synchronization tasks completed unsuccessfully" }), expected);
    assert.deepEqual([failed.done, failed.ok], [true, false]);
    assert.match(failed.summary, /^sync operation Failed: .*synchronization tasks completed unsuccessfully/);
    const hook = assess(
      app({ phase: "Running", hooks: [{ name: "todo-smoke-test", hookType: "PostSync", hookPhase: "Failed", message: "Job has reached the specified backoff limit" }] }),
      expected,
    );
    assert.deepEqual([hook.done, hook.ok], [true, false]);
    assert.match(hook.summary, /^hook todo-smoke-test Failed: Job has reached the specified backoff limit/);
  });

  it("does not end the wait on a failure of an older revision", () => {
    const verdict = assess(app({ phase: "Failed", synced: OLD }), expected);
    assert.equal(verdict.done, false, verdict.summary);
  });

  it("fails a successful sync whose required hook never ran", () => {
    const verdict = assess(app({ hooks: [{ name: "todo-migration", hookType: "Sync", hookPhase: "Succeeded" }] }), expected);
    assert.deepEqual([verdict.done, verdict.ok], [true, false]);
    assert.match(verdict.summary, /hook todo-smoke-test never ran/);
  });
});

describe("wait-for-sync: waitFor", () => {
  it("polls until done, logging each change once", async () => {
    const states: (ApplicationStatus | Error)[] = [
      new Error('applications.argoproj.io "todo-dev" not found'),
      app({ phase: "Running", sync: "OutOfSync", health: "Missing" }),
      app({ phase: "Running", sync: "OutOfSync", health: "Missing" }),
      app({}),
    ];
    let clock = 0;
    const lines: string[] = [];
    const verdict = await waitFor(expected, 60_000, 10_000, {
      fetch: async () => states.shift() ?? app({}),
      sleep: async (ms) => void (clock += ms),
      now: () => clock,
      log: (line) => lines.push(line),
    });
    assert.equal(verdict.ok, true, verdict.summary);
    assert.equal(clock, 30_000);
    assert.equal(lines.length, 3, lines.join("\n"));
    assert.match(lines[0]!, /not readable yet: .*not found/);
  });

  it("times out, reporting what it saw last", async () => {
    let clock = 0;
    const verdict = await waitFor(expected, 30_000, 10_000, {
      fetch: async () => app({ health: "Progressing" }),
      sleep: async (ms) => void (clock += ms),
      now: () => clock,
      log: () => {},
    });
    assert.deepEqual([verdict.done, verdict.ok], [true, false]);
    assert.match(verdict.summary, /^timed out after 30s; last seen: sync Synced, health Progressing/);
    assert.ok(clock <= 30_000);
  });

  it("ends at once on a failure waiting cannot fix, without sleeping", async () => {
    let clock = 0;
    let fetches = 0;
    const verdict = await waitFor(expected, 25 * 60_000, 10_000, {
      fetch: async () => (fetches++, new CannotWait(KUBECTL_MISSING)),
      sleep: async (ms) => void (clock += ms),
      now: () => clock,
      log: () => {},
    });
    assert.deepEqual([verdict.done, verdict.ok, verdict.summary], [true, false, KUBECTL_MISSING]);
    assert.deepEqual([fetches, clock], [1, 0]);
  });
});

describe("wait-for-sync: the command", () => {
  it("without kubectl on PATH, fails at once naming kubectl and where to get it", () => {
    const emptyPath = mkdtempSync(join(tmpdir(), "no-kubectl-"));
    try {
      const script = fileURLToPath(new URL("./wait-for-sync.ts", import.meta.url));
      // The default interval is 10 s and the timeout 25 min: anything but an immediate exit hits spawnSync's limit.
      const result = spawnSync(process.execPath, [...NODE_ARGS, script, "todo-dev", "--timeout", "25m"], {
        cwd: fileURLToPath(new URL("../..", import.meta.url)),
        env: { ...process.env, PATH: emptyPath },
        encoding: "utf8",
        timeout: 20_000,
      });
      assert.equal(result.error, undefined, `the command did not exit by itself: ${String(result.error)}`);
      assert.equal(result.status, 1, result.stdout + result.stderr);
      assert.equal(result.stderr, `todo-dev: ${KUBECTL_MISSING}\n`);
      assert.doesNotMatch(result.stdout, /not readable yet/);
    } finally {
      rmSync(emptyPath, { recursive: true, force: true });
    }
  });
});
