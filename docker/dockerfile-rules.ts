/**
 * What the image Dockerfiles must be, as checks that take Dockerfile text and
 * return what is wrong with it. The rules come from issue 5 and the image facts
 * from generator/images.ts, so a Dockerfile cannot drift from what the
 * generator renders (docker/dockerfiles.test.ts runs them on the real files).
 */
import { DockerfileParser, type Instruction, type ModifiableInstruction, type PropertyInstruction } from "dockerfile-ast";
import { type AppImageFacts, backendImage, frontendImage } from "../generator/images.ts";
import { IMAGE_DIGEST, IMAGE_DIGEST_RULE, parseImageReference } from "../generator/lib/image-reference.ts";

export type AppComponent = "frontend" | "backend";

export interface DockerfileRules {
  component: AppComponent;
  /** Repository-relative path, used in messages. */
  file: string;
  image: AppImageFacts;
  /** Named build stages, in order; the last one is the image that runs. */
  stages: readonly string[];
  /**
   * Every base image must be this repository, with a tag that pins a version
   * and the digest of that tag's image index (`FROM image:tag@sha256:…`): a
   * re-pushed tag, or a rebuilt one with a new base layer, must not change
   * what the next build starts from without a diff here.
   */
  base: { repository: string; pinnedTag: RegExp; describe: string };
  /** Runtime variable the server reads its port from. */
  listenPortEnv: string;
  /** The HEALTHCHECK must run this program, which the base image ships. */
  healthTool: string;
  /** `COPY --from=<builder stage>` sources the runner must have. */
  copiesFromBuilder: readonly string[];
  /** Runtime environment the image must set. */
  env: Readonly<Record<string, string>>;
  /** The runner's CMD, exec form. */
  cmd: readonly string[];
}

export const OCI_LABELS = [
  "org.opencontainers.image.source",
  "org.opencontainers.image.revision",
  "org.opencontainers.image.version",
] as const;

/** Build arguments whose defaults must equal generator/images.ts. */
export function imageBuildArgs(image: AppImageFacts): Record<string, string> {
  return {
    PORT: String(image.port),
    APP_UID: String(image.uid),
    APP_GID: String(image.gid),
    APP_USER: image.user,
  };
}

export const DOCKERFILE_RULES: Record<AppComponent, DockerfileRules> = {
  frontend: {
    component: "frontend",
    file: "docker/frontend/Dockerfile",
    image: frontendImage,
    stages: ["deps", "builder", "runner"],
    base: { repository: "node", pinnedTag: /^22\.\d+\.\d+-alpine(\d+\.\d+)?$/, describe: "node:22.<minor>.<patch>-alpine[<version>]" },
    listenPortEnv: "PORT",
    healthTool: "node",
    // Next.js `output: 'standalone'`: the server with its traced node_modules, then the assets it does not copy.
    copiesFromBuilder: ["/app/.next/standalone", "/app/.next/static", "/app/public"],
    env: { NODE_ENV: "production" },
    cmd: ["node", "server.js"],
  },
  backend: {
    component: "backend",
    file: "docker/backend/Dockerfile",
    image: backendImage,
    stages: ["builder", "runner"],
    base: { repository: "python", pinnedTag: /^3\.13\.\d+-slim(-[a-z]+)?$/, describe: "python:3.13.<patch>-slim[-<debian>]" },
    listenPortEnv: "UVICORN_PORT",
    healthTool: "python",
    copiesFromBuilder: ["/opt/venv"],
    // Nothing may write bytecode next to the code on a read-only root filesystem.
    env: { PYTHONDONTWRITEBYTECODE: "1" },
    cmd: ["uvicorn", "app.main:app"],
  },
};

export interface Stage {
  name: string | null;
  /** FROM's image, variables expanded. */
  from: string;
  /** ARG name → default (null: declared without one). */
  args: Map<string, string | null>;
  /** Variables the build sees: ARG defaults, then ENV. */
  buildVars: Map<string, string>;
  /** Variables the container sees at run time: ENV only (ARGs do not reach it). */
  runtimeEnv: Map<string, string>;
  instructions: Instruction[];
}

/** The Dockerfile as a build with default arguments sees it, stage by stage. */
export function parseStages(text: string): { globalArgs: Map<string, string | null>; stages: Stage[] } {
  const dockerfile = DockerfileParser.parse(text);
  const globalArgs = new Map<string, string | null>();
  const stages: Stage[] = [];
  let current: Stage | undefined;

  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === "FROM") {
      const [image = "", as, name] = (instruction.getArgumentsContent() ?? "").trim().split(/\s+/);
      const from = expand(image, definedOnly(globalArgs)).value;
      const parent = stages.find((stage) => stage.name !== null && stage.name === from);
      current = {
        name: as?.toUpperCase() === "AS" && name ? name : null,
        from,
        args: new Map(),
        buildVars: new Map(parent?.runtimeEnv ?? []),
        runtimeEnv: new Map(parent?.runtimeEnv ?? []),
        instructions: [],
      };
      stages.push(current);
      continue;
    }
    if (!current) {
      if (keyword === "ARG") for (const [name, value] of properties(instruction)) globalArgs.set(name, value);
      continue;
    }
    current.instructions.push(instruction);
    if (keyword === "ARG") {
      for (const [name, value] of properties(instruction)) {
        // `ARG NAME` inside a stage takes the global default, if there is one.
        const resolved = value === null ? (globalArgs.get(name) ?? null) : expand(value, current.buildVars).value;
        current.args.set(name, value === null ? null : resolved);
        if (resolved !== null && !current.buildVars.has(name)) current.buildVars.set(name, resolved);
      }
    } else if (keyword === "ENV") {
      for (const [name, value] of properties(instruction)) {
        const resolved = expand(value ?? "", current.buildVars).value;
        current.buildVars.set(name, resolved);
        current.runtimeEnv.set(name, resolved);
      }
    }
  }
  return { globalArgs, stages };
}

/** Checks one Dockerfile's text against its rules; returns what is wrong, empty when nothing is. */
export function checkDockerfile(text: string, rules: DockerfileRules): string[] {
  const problems: string[] = [];
  const fail = (rule: string, found: string) => problems.push(`${rules.file}: ${rule}; found ${found}`);
  const { stages } = parseStages(text);
  const runner = stages.at(-1);
  if (!runner) return [`${rules.file}: a Dockerfile needs a FROM; found none`];

  // Multi-stage, with the stage names, in order.
  const names = stages.map((stage) => stage.name ?? "(unnamed)");
  if (names.join(",") !== rules.stages.join(",")) {
    fail(`build stages must be ${rules.stages.join(" → ")}`, names.join(" → "));
  }

  // Base images pinned to a version of the expected image, never latest, and by digest.
  const stageNames = new Set(stages.map((stage) => stage.name));
  for (const stage of stages) {
    if (stageNames.has(stage.from)) continue;
    const where = `stage ${stage.name ?? "(unnamed)"}`;
    const image = parseImageReference(stage.from);
    if (stage.from.includes("$")) fail(`${where}: the base image must resolve with default build args`, `"${stage.from}"`);
    else if (image.repository !== rules.base.repository && image.repository !== `library/${rules.base.repository}` && image.repository !== `docker.io/library/${rules.base.repository}`) {
      fail(`${where}: the base image must be ${rules.base.describe}`, `"${stage.from}"`);
    } else if (image.tag === undefined || image.tag === "latest") {
      fail(`${where}: the base image must be pinned to a version tag, never latest`, `"${stage.from}"`);
    } else if (!rules.base.pinnedTag.test(image.tag)) {
      fail(`${where}: the base image must be ${rules.base.describe}`, `"${stage.from}"`);
    } else if (image.digest === undefined) {
      fail(`${where}: the base image must be pinned by digest as well, ${rules.base.repository}:${image.tag}@sha256:<digest of its image index> (docker/README.md, "Base images")`, `"${stage.from}"`);
    } else if (!IMAGE_DIGEST.test(image.digest)) {
      fail(`${where}: the base image's digest ${IMAGE_DIGEST_RULE}`, `"${stage.from}"`);
    }
  }

  // Build args that restate generator/images.ts: their defaults must equal it.
  for (const [name, expected] of Object.entries(imageBuildArgs(rules.image))) {
    const value = runner.args.get(name);
    if (value !== expected) {
      fail(`ARG ${name} in the final stage must default to ${expected} (generator/images.ts)`, show(value));
    }
  }

  // A numeric, non-root USER: the UID/GID the pods run as.
  const user = last(runner, "USER");
  if (!user) fail(`the final stage must set USER ${rules.image.uid}:${rules.image.gid}`, "no USER");
  else {
    const value = expand(argumentsOf(user), runner.buildVars).value;
    const [uid, gid] = value.split(":");
    if (!/^\d+$/.test(uid ?? "") || (gid !== undefined && !/^\d+$/.test(gid))) {
      fail("USER must be numeric (uid[:gid]) so Kubernetes can verify runAsNonRoot", `USER ${value}`);
    } else if (Number(uid) === 0) {
      fail("USER must not be root (UID 0)", `USER ${value}`);
    } else if (Number(uid) !== rules.image.uid || (gid !== undefined && Number(gid) !== rules.image.gid)) {
      fail(`USER must be ${rules.image.uid}:${rules.image.gid} (generator/images.ts)`, `USER ${value}`);
    }
  }

  // EXPOSE the app port, and the server really listens there.
  const exposed = exposedPorts(runner);
  if (exposed.join(",") !== String(rules.image.port)) {
    fail(`the final stage must EXPOSE exactly ${rules.image.port} (generator/images.ts)`, exposed.length ? `EXPOSE ${exposed.join(" ")}` : "no EXPOSE");
  }
  const listenPort = runner.runtimeEnv.get(rules.listenPortEnv);
  if (listenPort !== String(rules.image.port)) {
    fail(`ENV ${rules.listenPortEnv}, the port the server listens on, must be ${rules.image.port}`, show(listenPort));
  }

  // HEALTHCHECK on the health path, with a program the image really has.
  problems.push(...checkHealthcheck(runner, rules));

  // OCI labels, each set from a build arg.
  for (const key of OCI_LABELS) {
    const raw = labels(runner).get(key);
    const referenced = raw === undefined ? [] : variablesIn(raw);
    if (raw === undefined) fail(`LABEL ${key} must be set in the final stage`, "none");
    else if (!referenced.some((name) => runner.args.has(name))) {
      fail(`LABEL ${key} must come from a build arg declared in the final stage`, `"${raw}"`);
    }
  }

  // Only production files in the final stage: the builder's output, no package installs.
  const builder = rules.stages.at(-2);
  for (const copy of copies(runner)) {
    if (copy.from !== undefined && copy.from !== builder) {
      fail(`the final stage may copy only from the ${builder} stage (production output)`, `COPY --from=${copy.from} ${copy.sources.join(" ")}`);
    }
  }
  for (const source of rules.copiesFromBuilder) {
    if (!copies(runner).some((copy) => copy.from === builder && copy.sources.includes(source))) {
      fail(`the final stage must COPY --from=${builder} ${source}`, "no such COPY");
    }
  }
  for (const run of runner.instructions.filter((i) => i.getKeyword() === "RUN")) {
    const command = argumentsOf(run);
    if (/\b(npm (ci|install|i)|yarn( install)?|pnpm (install|i)|pip3? install|uv (sync|pip))\b/.test(command)) {
      fail("the final stage must not install packages (dependencies come built from the builder)", `RUN ${command}`);
    }
  }

  // Runtime environment, and a HOME the process can write with a read-only root filesystem.
  for (const [name, expected] of Object.entries(rules.env)) {
    const value = runner.runtimeEnv.get(name);
    if (value !== expected) fail(`ENV ${name} must be ${expected}`, show(value));
  }
  const home = runner.runtimeEnv.get("HOME");
  if (!home || !rules.image.writablePaths.some((path) => home === path || home.startsWith(`${path}/`))) {
    fail(`ENV HOME must be inside a writable path (${rules.image.writablePaths.join(", ")}): the root filesystem is read-only`, show(home));
  }

  const cmd = last(runner, "CMD");
  const cmdText = cmd ? argumentsOf(cmd) : "";
  if (JSON.stringify(parseExecForm(cmdText)) !== JSON.stringify(rules.cmd)) {
    fail(`CMD must be ${JSON.stringify(rules.cmd)} (exec form)`, cmd ? `CMD ${cmdText}` : "no CMD");
  }

  return problems;
}

export interface Healthcheck {
  program: string;
  /** Port and path of the URL it requests, the port as the container resolves it. */
  port: string;
  path: string;
}

/** The runner's HEALTHCHECK, as the container runs it (shell form: its ENV is expanded, its ARGs are not). */
export function readHealthcheck(runner: Stage): Healthcheck | { error: string } {
  const instruction = last(runner, "HEALTHCHECK");
  if (!instruction) return { error: "no HEALTHCHECK" };
  const text = argumentsOf(instruction).replace(/^(\s*--\S+)*\s*/, "");
  if (/^NONE\b/i.test(text)) return { error: "HEALTHCHECK NONE" };
  if (!/^CMD\s/i.test(text)) return { error: `HEALTHCHECK ${text}` };
  const command = text.replace(/^CMD\s+/i, "");
  const exec = parseExecForm(command);
  const program = exec ? (exec[0] ?? "") : (command.split(/\s+/)[0] ?? "");
  const runtime = exec ? command : expand(command, runner.runtimeEnv).value;
  const url = /https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):([^/'"\s]+)(\/[^'"\s?#]*)/.exec(runtime);
  if (!url) return { error: `HEALTHCHECK without a URL on localhost: ${command}` };
  return { program, port: url[1] ?? "", path: url[2] ?? "" };
}

function checkHealthcheck(runner: Stage, rules: DockerfileRules): string[] {
  const where = `${rules.file}: HEALTHCHECK`;
  const health = readHealthcheck(runner);
  if ("error" in health) return [`${where} must request http://127.0.0.1:<port>${rules.image.health.live}; found ${health.error}`];
  const problems: string[] = [];
  if (health.program !== rules.healthTool) {
    problems.push(`${where} must run ${rules.healthTool}, which the base image has (no curl or wget); found ${health.program}`);
  }
  if (health.port !== String(rules.image.port)) {
    problems.push(`${where} must request port ${rules.image.port} (generator/images.ts); found ${health.port}`);
  }
  if (health.path !== rules.image.health.live) {
    problems.push(`${where} must request ${rules.image.health.live}, the liveness path (generator/images.ts); found ${health.path}`);
  }
  return problems;
}

export function exposedPorts(stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.getKeyword() === "EXPOSE")
    .flatMap((i) => expand(argumentsOf(i), stage.buildVars).value.split(/\s+/))
    .filter((port) => port !== "")
    .map((port) => port.replace(/\/tcp$/i, ""));
}

/** The USER's UID as a build with default args sets it, or undefined. */
export function userId(stage: Stage): number | undefined {
  const user = last(stage, "USER");
  const uid = user ? expand(argumentsOf(user), stage.buildVars).value.split(":")[0] : undefined;
  return uid !== undefined && /^\d+$/.test(uid) ? Number(uid) : undefined;
}

export function labels(stage: Stage): Map<string, string> {
  const result = new Map<string, string>();
  for (const instruction of stage.instructions.filter((i) => i.getKeyword() === "LABEL")) {
    for (const [name, value] of properties(instruction)) result.set(name, value ?? "");
  }
  return result;
}

function copies(stage: Stage): { from: string | undefined; sources: string[] }[] {
  return stage.instructions
    .filter((i) => i.getKeyword() === "COPY" || i.getKeyword() === "ADD")
    .map((i) => {
      // dockerfile-ast keeps flags such as --from apart from the arguments.
      const from = (i as ModifiableInstruction).getFlags().find((flag) => flag.getName() === "from")?.getValue() ?? undefined;
      const paths = argumentsOf(i).split(" ").filter((word) => word !== "");
      return { from, sources: paths.slice(0, -1) };
    });
}

function last(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((i) => i.getKeyword() === keyword).at(-1);
}

function argumentsOf(instruction: Instruction): string {
  return (instruction.getArgumentsContent() ?? "").replace(/\s+/g, " ").trim();
}

function properties(instruction: Instruction): [string, string | null][] {
  return (instruction as PropertyInstruction).getProperties().map((p) => [p.getName(), p.getValue()]);
}

function parseExecForm(text: string): string[] | undefined {
  if (!text.startsWith("[")) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((part) => typeof part === "string") ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

function variablesIn(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map((match) => (match[1] ?? match[4])!);
}

/** Dockerfile variable substitution: $NAME, ${NAME}, ${NAME:-default}, ${NAME:+alternative}. */
export function expand(text: string, vars: ReadonlyMap<string, string>): { value: string; unresolved: string[] } {
  const unresolved: string[] = [];
  const value = text.replace(VARIABLE, (whole, braced?: string, operator?: string, word?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    const current = vars.get(name);
    if (operator === ":-") return current ? current : (word ?? "");
    if (operator === ":+") return current ? (word ?? "") : "";
    if (current === undefined) {
      unresolved.push(name);
      return whole;
    }
    return current;
  });
  return { value, unresolved };
}

function definedOnly(args: Map<string, string | null>): Map<string, string> {
  return new Map([...args].filter((entry): entry is [string, string] => entry[1] !== null));
}

function show(value: string | null | undefined): string {
  return value === undefined || value === null ? "none" : `"${value}"`;
}
