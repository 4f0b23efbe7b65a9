/**
 * Waits until an Argo CD Application has synced and is healthy, and its
 * hooks passed:
 *
 *   node clusters/minikube/wait-for-sync.ts todo-dev --revision <sha> --hook todo-smoke-test --timeout 20m
 *
 * "Done" means all of: sync status Synced, health Healthy, the last sync
 * operation Succeeded for the revision the Application is synced to (and,
 * with --revision, that this is the expected commit), and every hook of that
 * operation Succeeded, including each --hook named (a PostSync hook that
 * never ran is a failure, not a pass). A failed operation or hook ends the
 * wait at once. Used by the e2e workflow; handy after a push too.
 */
import { execFile } from "node:child_process";
import { pathToFileURL } from "node:url";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import type { ClusterFacts } from "../../generator/cluster-facts.ts";
import { runScript, thisCluster } from "./facts.ts";

interface ResourceResult {
  kind?: string;
  name?: string;
  hookType?: string;
  hookPhase?: string;
  message?: string;
}

/** The parts of an argoproj.io/v1alpha1 Application's status read here. */
export interface ApplicationStatus {
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string; message?: string };
    operationState?: {
      phase?: string;
      message?: string;
      syncResult?: { revision?: string; resources?: ResourceResult[] };
    };
  };
}

export interface Expectation {
  /** A commit SHA (full or abbreviated) the Application must be synced to. */
  revision?: string;
  /** Hooks that must have run and succeeded. */
  hooks: readonly string[];
}

export interface Verdict {
  /** True once waiting longer cannot change the outcome. */
  done: boolean;
  ok: boolean;
  summary: string;
}

const FAILED = ["Failed", "Error"];

export function assess(app: ApplicationStatus, expected: Expectation): Verdict {
  const sync = app.status?.sync?.status ?? "Unknown";
  const health = app.status?.health?.status ?? "Unknown";
  const operation = app.status?.operationState;
  const phase = operation?.phase ?? "none";
  const syncedTo = app.status?.sync?.revision ?? "";
  const operatedOn = operation?.syncResult?.revision ?? "";
  const hooks = (operation?.syncResult?.resources ?? []).filter((r) => r.hookType);
  const hookList = hooks.map((h) => `${h.name}=${h.hookPhase ?? "?"}`).join(" ") || "none";
  const summary =
    `sync ${sync}, health ${health}, revision ${syncedTo.slice(0, 12) || "?"}, ` +
    `last operation ${phase}${operatedOn ? ` on ${operatedOn.slice(0, 12)}` : ""}, hooks: ${hookList}` +
    (operation?.message ? ` (${operation.message})` : "");

  const isExpected = (revision: string) => !expected.revision || revision.startsWith(expected.revision);
  const current = operatedOn !== "" && operatedOn === syncedTo && isExpected(operatedOn);

  if (current && FAILED.includes(phase)) return { done: true, ok: false, summary: `sync operation ${phase}: ${summary}` };
  const failedHook = current ? hooks.find((h) => h.hookPhase && FAILED.includes(h.hookPhase)) : undefined;
  if (failedHook) {
    return { done: true, ok: false, summary: `hook ${failedHook.name} ${failedHook.hookPhase}${failedHook.message ? `: ${failedHook.message}` : ""}; ${summary}` };
  }
  if (!(current && phase === "Succeeded" && sync === "Synced" && health === "Healthy")) return { done: false, ok: false, summary };
  const pending = hooks.find((h) => h.hookPhase !== "Succeeded");
  if (pending) return { done: false, ok: false, summary };
  const missing = expected.hooks.filter((name) => !hooks.some((h) => h.name === name));
  if (missing.length > 0) {
    return { done: true, ok: false, summary: `the sync succeeded but hook ${missing.join(", ")} never ran: ${summary}` };
  }
  return { done: true, ok: true, summary };
}

/** A failure that waiting cannot fix (kubectl is not installed): the wait ends at once. */
export class CannotWait extends Error {
  override name = "CannotWait";
}

export const KUBECTL_MISSING = "kubectl is not on PATH: install it: https://kubernetes.io/docs/tasks/tools/";

export interface WaitDeps {
  /** The Application's current JSON, or an Error (e.g. it does not exist yet; a CannotWait ends the wait). */
  fetch(): Promise<ApplicationStatus | Error>;
  sleep(ms: number): Promise<void>;
  now(): number;
  log(line: string): void;
}

export async function waitFor(expected: Expectation, timeoutMs: number, intervalMs: number, deps: WaitDeps): Promise<Verdict> {
  const deadline = deps.now() + timeoutMs;
  let last = "";
  for (;;) {
    const app = await deps.fetch();
    if (app instanceof CannotWait) return { done: true, ok: false, summary: app.message };
    const verdict = app instanceof Error ? { done: false, ok: false, summary: `not readable yet: ${app.message}` } : assess(app, expected);
    if (verdict.summary !== last) deps.log(verdict.summary);
    last = verdict.summary;
    if (verdict.done) return verdict;
    if (deps.now() + intervalMs > deadline) {
      return { done: true, ok: false, summary: `timed out after ${Math.round(timeoutMs / 1000)}s; last seen: ${verdict.summary}` };
    }
    await deps.sleep(intervalMs);
  }
}

function duration(text: string): number {
  const match = /^(\d+)(s|m)?$/.exec(text);
  if (!match) throw new InvalidArgumentError("use seconds or minutes, e.g. 900, 900s or 15m");
  return Number(match[1]) * (match[2] === "m" ? 60_000 : 1000);
}

/** The Application's status, from the cluster's Argo CD (its kubectl context is the profile's name). */
function kubectlGet(cluster: ClusterFacts, name: string): Promise<ApplicationStatus | Error> {
  const args = ["--context", cluster.profile, "-n", cluster.argocdNamespace, "get", "applications.argoproj.io", name, "-o", "json"];
  return new Promise((resolve) =>
    execFile("kubectl", args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error?.code === "ENOENT") resolve(new CannotWait(KUBECTL_MISSING));
      else if (error) resolve(new Error((stderr || error.message).trim().split("\n")[0]));
      else {
        try {
          resolve(JSON.parse(stdout) as ApplicationStatus);
        } catch {
          resolve(new Error(`kubectl printed something that is not JSON: ${stdout.slice(0, 200)}`));
        }
      }
    }),
  );
}

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command("wait-for-sync")
    .description("Wait until an Argo CD Application is Synced and Healthy and its hooks succeeded.")
    .argument("<application>", "Application name, e.g. todo-dev")
    .option("--revision <sha>", "commit SHA the Application must be synced to")
    .option("--hook <name>", "a hook that must have run and succeeded (repeatable)", (v: string, all: string[]) => [...all, v], [] as string[])
    .option("--timeout <duration>", "give up after this long: seconds, or e.g. 15m (default: 15m)", duration)
    .exitOverride();
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  const [name] = program.args as [string];
  const options = program.opts<{ revision?: string; hook: string[]; timeout?: number }>();
  const cluster = await thisCluster();
  const verdict = await waitFor({ revision: options.revision, hooks: options.hook }, options.timeout ?? 15 * 60_000, 10_000, {
    fetch: () => kubectlGet(cluster, name),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    log: (line) => console.log(`${name}: ${line}`),
  });
  if (verdict.ok) console.log(`${name}: done.`);
  else console.error(`${name}: ${verdict.summary}`);
  return verdict.ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runScript(() => main(process.argv.slice(2)));
}
