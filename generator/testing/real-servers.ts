/**
 * Real PostgreSQL and Redis servers for the tests that run the commands the
 * rendered manifests run (generator/pod-commands/). Both come from Debian's
 * packages (`apt-get install postgresql redis-server`; .ci/run installs them);
 * each test file starts its own instance on a free loopback port, with the
 * authentication the official images use, and stops it.
 *
 * Commands run as a user id that has no /etc/passwd entry, as in the
 * containers: the postgres:17.10-alpine image's /etc/passwd knows only the
 * Alpine base users and `postgres` (uid 70), so the migration Job's uid 1000
 * is unknown there (docker-library/postgres, 17/alpine3.24/Dockerfile, the base of 17.10-alpine:
 * `adduser -u 70 -S -D -G postgres … postgres`). Switching users needs root;
 * without it, or without the servers, the tests are skipped with the reason,
 * except under CI=true, where a missing prerequisite fails them.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed by the caller's deadline, still running. */
  timedOut: boolean;
  /** Wall-clock milliseconds. */
  ms: number;
}

export interface RunOptions {
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  cwd?: string;
  /** Killed (SIGKILL, with its children) after this long; the result says timedOut. */
  timeoutMs: number;
}

/** Starts a command in its own process group (so that stopping it also ends its children), as the given user, its output piped. */
function spawnInGroup(argv: readonly string[], options: Omit<RunOptions, "timeoutMs">): ChildProcess {
  return spawn(argv[0]!, argv.slice(1), {
    env: options.env,
    cwd: options.cwd ?? "/",
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
}

/** Runs a command to its end or its deadline, in its own process group so that a deadline also ends its children. */
export function run(argv: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawnInGroup(argv, options);
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    child.kill(signal);
  }
}

/** A loopback TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function passwdEntry(uid: number): boolean {
  try {
    execFileSync("getent", ["passwd", String(uid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * The pod's runAsUser when this machine has no passwd entry for it, as in the
 * image; otherwise the nearest id above 10000 that has none (on this machine
 * 1000 may be a real user, which would hide the defect).
 */
export function uidWithoutPasswdEntry(preferred: number): number {
  if (!passwdEntry(preferred)) return preferred;
  for (let uid = 10000 + preferred; uid < 10000 + preferred + 1000; uid++) if (!passwdEntry(uid)) return uid;
  throw new Error(`no user id without a passwd entry found near ${preferred}`);
}

function osUser(name: string): { uid: number; gid: number } | undefined {
  try {
    const [, , uid, gid] = execFileSync("getent", ["passwd", name], { encoding: "utf8" }).trim().split(":");
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

/** Debian installs PostgreSQL's programs under /usr/lib/postgresql/<major>/bin; the newest there. */
export function postgresBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((entry) => /^\d+$/.test(entry) && existsSync(join(root, entry, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(root, majors[0], "bin");
}

/** The absolute path of a program from Debian's packages, or undefined when it is not installed. */
export function programPath(command: string): string | undefined {
  for (const dir of ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin"]) if (existsSync(join(dir, command))) return join(dir, command);
  return undefined;
}

export interface Prerequisites {
  /** Why these tests cannot run here, or undefined when they can. */
  missing: string | undefined;
}

/**
 * What a test file needs: root (to run commands as another uid), and the
 * named programs. Under CI=true a missing one is a failure, never a skip.
 */
export function prerequisites(needs: { postgres?: boolean; redis?: boolean; python?: boolean }): Prerequisites {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push("root, to run each command as a uid without a passwd entry");
  if (needs.postgres) {
    if (!postgresBinDir()) missing.push("PostgreSQL's server programs (apt-get install postgresql)");
    else if (!osUser("postgres")) missing.push("the postgres OS user that Debian's postgresql package creates");
  }
  if (needs.redis && (!programPath("redis-server") || !programPath("redis-cli"))) missing.push("redis-server and redis-cli (apt-get install redis-server)");
  if (needs.python && !programPath("python3")) missing.push("python3 (apt-get install python3)");
  return { missing: missing.length ? `needs ${missing.join("; ")}` : undefined };
}

/**
 * The `skip` option for node:test: the reason when prerequisites are missing
 * and this is not CI. Under CI=true the tests run and fail, naming what is missing.
 */
export function skipUnlessAvailable(prereq: Prerequisites): string | false {
  if (!prereq.missing) return false;
  return inCI() ? false : `skipped: ${prereq.missing} (with CI=true this fails instead)`;
}

/** CI=true (GitHub Actions, .ci/run), or any other non-empty value but "false". */
export function inCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== "" && ci !== "false";
}

/** Fails, naming what is missing, when a test that must run (CI=true) cannot. */
export function assertAvailable(prereq: Prerequisites): void {
  if (prereq.missing) throw new Error(`cannot run real-server tests: ${prereq.missing}`);
}

/** A scratch directory owned by uid:gid with the given mode (like an emptyDir or a volume). */
export function scratchDir(parent: string, name: string, uid: number, gid: number, mode = 0o777): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  chownSync(dir, uid, gid);
  chmodSync(dir, mode);
  return dir;
}

export interface Postgres {
  port: number;
  user: string;
  password: string;
  database: string;
  binDir: string;
  /** The data directory and the server's OS user, for pg_ctl. */
  dataDir: string;
  osUser: { uid: number; gid: number };
  /** Runs pg_ctl on this server as its OS user (`-D` is added), failing with its output when it fails. */
  pgCtl(args: readonly string[]): Promise<void>;
  /** Stops the server (whatever state it is in) and removes its files. */
  stop(): Promise<void>;
}

/**
 * PostgreSQL as the postgres image sets it up: a superuser named
 * POSTGRES_USER with POSTGRES_PASSWORD, a database POSTGRES_DB, and password
 * authentication (scram-sha-256) for every TCP connection. (The image also
 * trusts loopback TCP inside its own container; here even loopback needs the
 * password, which is stricter, as every other pod's connection is.) Listens on
 * 127.0.0.1 only.
 */
export async function startPostgres(credentials: { user: string; password: string; database: string }): Promise<Postgres> {
  const binDir = postgresBinDir();
  const owner = osUser("postgres");
  if (!binDir || !owner) throw new Error("PostgreSQL is not installed (apt-get install postgresql)");
  const root = mkdtempSync(join(tmpdir(), "todo-pg-"));
  chmodSync(root, 0o755);
  const base = scratchDir(root, "server", owner.uid, owner.gid, 0o700);
  const dataDir = join(base, "data");
  const passwordFile = join(base, "password");
  writeFileSync(passwordFile, `${credentials.password}\n`, { mode: 0o600 });
  chownSync(passwordFile, owner.uid, owner.gid);
  const env = { PATH: `${binDir}:/usr/bin:/bin`, LC_ALL: "C.UTF-8", HOME: base };
  const asOwner = { env, uid: owner.uid, gid: owner.gid, cwd: base };
  const check = (step: string, result: RunResult) => {
    if (result.code !== 0) throw new Error(`PostgreSQL ${step} failed (${result.code}): ${result.stderr || result.stdout}`);
  };
  check(
    "initdb",
    await run(
      [join(binDir, "initdb"), "-D", dataDir, "-U", credentials.user, `--pwfile=${passwordFile}`, "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-sync"],
      { ...asOwner, timeoutMs: 60_000 },
    ),
  );
  const port = await freePort();
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${base} -c fsync=off -c full_page_writes=off -c max_connections=30`;
  check("start", await run([join(binDir, "pg_ctl"), "-D", dataDir, "-o", options, "-l", join(base, "log"), "-w", "-t", "30", "start"], { ...asOwner, timeoutMs: 40_000 }));
  const server: Postgres = {
    port,
    ...credentials,
    binDir,
    dataDir,
    osUser: owner,
    async pgCtl(args) {
      check(`pg_ctl ${args.join(" ")}`, await run([join(binDir, "pg_ctl"), "-D", dataDir, ...args], { ...asOwner, timeoutMs: 30_000 }));
    },
    async stop() {
      await run([join(binDir, "pg_ctl"), "-D", dataDir, "-m", "immediate", "-w", "stop"], { ...asOwner, timeoutMs: 20_000 });
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    check(
      "CREATE DATABASE",
      await run([join(binDir, "psql"), "-h", base, "-p", String(port), "-U", credentials.user, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c", `CREATE DATABASE "${credentials.database}"`], {
        ...asOwner,
        timeoutMs: 20_000,
      }),
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

export interface Started {
  pid: number;
  /** What it printed so far. */
  output(): string;
  /** Whether it has ended, and how. */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  stop(): Promise<void>;
}

/** Starts a long-running command (a container's main process) in its own process group. */
export function start(argv: readonly string[], options: Omit<RunOptions, "timeoutMs">): Started {
  const child = spawnInGroup(argv, options);
  let output = "";
  let ended: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const closed = new Promise<void>((resolve) =>
    child.on("close", (code, signal) => {
      ended = { code, signal };
      resolve();
    }),
  );
  return {
    pid: child.pid!,
    output: () => output,
    exited: () => ended,
    async stop() {
      if (!ended) {
        killGroup(child, "SIGTERM");
        const timer = setTimeout(() => killGroup(child), 5_000);
        await closed;
        clearTimeout(timer);
      }
    },
  };
}
