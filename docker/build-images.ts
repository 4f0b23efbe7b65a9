/**
 * `npm run images -- --src <dir> [--tag <tag>]`
 *
 * Builds todo-frontend and todo-backend from the Todo app's source (a git work
 * tree with frontend/ and backend/) straight into the Minikube cluster's image
 * store, tags both with the source's short commit SHA, checks each image's
 * size against its limit (generator/images.ts, maxSizeMB), and prints the
 * `npm run release` command that deploys them.
 *
 * `minikube image build` sends only the context directory to the node and
 * reads only that directory's .dockerignore, so each image's context is staged
 * in a temporary directory: the files git knows in frontend/ (or backend/),
 * plus docker/<component>/Dockerfile and its Dockerfile.dockerignore as
 * .dockerignore. The same two files work unchanged for
 * `docker build -f docker/<component>/Dockerfile <src>/<component>` (BuildKit).
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { SettingsError } from "../generator/errors.ts";
import { loadCluster } from "../generator/load/environments.ts";
import { type AppImageFacts, backendImage, frontendImage } from "../generator/images.ts";
import { type AppComponent, imageBuildArgs } from "./dockerfile-rules.ts";

export const SOURCE_ENV = "TODO_APP_SRC";

const DOCKER_DIR = dirname(fileURLToPath(import.meta.url));

interface ComponentBuild {
  component: AppComponent;
  image: AppImageFacts;
  /** Files the Dockerfile needs from the component's directory, checked before any build starts. */
  requiredFiles: readonly string[];
}

const COMPONENTS: readonly ComponentBuild[] = [
  { component: "frontend", image: frontendImage, requiredFiles: ["package.json", "package-lock.json"] },
  { component: "backend", image: backendImage, requiredFiles: ["requirements.txt"] },
];

/** Docker's tag grammar; `latest` is refused because deployed tags must be immutable. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface Io {
  env: NodeJS.ProcessEnv;
  /** The minikube profile to build into: the cluster's facts (clusters/minikube/cluster.ts, profile), as loaded and checked. */
  profile: string;
  out(line: string): void;
  err(line: string): void;
}

class UsageError extends Error {}

export function run(argv: readonly string[], io: Io): number {
  const program = new Command("images")
    .description("Build todo-frontend and todo-backend into the Minikube cluster's image store.")
    .option("--src <dir>", `the Todo app's source: a git work tree with frontend/ and backend/ (default: $${SOURCE_ENV})`)
    .option("--tag <tag>", "image tag (default: the source's short commit SHA)")
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) });
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  const options = program.opts<{ src?: string; tag?: string }>();
  try {
    buildImages({ src: options.src ?? io.env[SOURCE_ENV], tag: options.tag }, io);
    return 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(error.message);
    return 1;
  }
}

function buildImages(options: { src: string | undefined; tag: string | undefined }, io: Io): void {
  const src = checkInputs(options, io.env);
  const source = readSource(src, options.tag, io);
  const runtime = checkCluster(io.profile, io);
  // Every image is built before the sizes are judged, so that one run names every image over its limit.
  const built = COMPONENTS.map((build) => ({ build, ...buildImage(build, source, runtime, io) }));
  const oversized = built.flatMap(({ build, reference, sizeBytes }) => sizeProblem(build, reference, sizeBytes) ?? []);
  if (oversized.length > 0) {
    throw new UsageError(`npm run images: built, but too large to deploy:\n${oversized.map((p) => `  - ${p}`).join("\n")}`);
  }
  io.out(`\nBuilt ${built.map((b) => b.reference).join(" and ")} in minikube profile "${io.profile}".`);
  io.out("Deploy them with:");
  io.out(`  npm run release -- dev ${COMPONENTS.map((c) => `${c.component}=${source.tag}`).join(" ")}`);
}

/** Everything that can be checked without the cluster, reported together; returns the source directory. */
function checkInputs(options: { src: string | undefined; tag: string | undefined }, env: NodeJS.ProcessEnv): string {
  const problems: string[] = [];
  const src = options.src ? resolve(options.src) : undefined;
  if (!src) problems.push(`no app source: pass --src <dir> or set ${SOURCE_ENV}`);
  else if (!isDirectory(src)) problems.push(`app source ${src} is not a directory`);
  else {
    for (const { component, requiredFiles } of COMPONENTS) {
      const dir = join(src, component);
      if (!isDirectory(dir)) problems.push(`app source ${src} has no ${component}/ directory`);
      else for (const file of requiredFiles) {
        if (!existsSync(join(dir, file))) problems.push(`app source is missing ${component}/${file} (the ${component} Dockerfile needs it; see docker/README.md)`);
      }
    }
  }
  if (options.tag !== undefined && !TAG.test(options.tag)) {
    problems.push(`--tag "${options.tag}" is not a valid image tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  } else if (options.tag === "latest") {
    problems.push("--tag latest is refused: tags must be immutable so that a release names exactly one build");
  }
  const hasGit = onPath("git", env) !== undefined;
  if (!hasGit) problems.push("git is not on PATH: it is needed to tag images with the source's commit");
  if (!onPath("minikube", env)) problems.push("minikube is not on PATH: install it (https://minikube.sigs.k8s.io/docs/start/)");
  if (src && hasGit && isDirectory(src) && capture("git", ["-C", src, "rev-parse", "--is-inside-work-tree"], env).status !== 0) {
    problems.push(`app source ${src} is not a git work tree: its commit is the image tag and the revision label`);
  }
  if (problems.length > 0 || !src) throw new UsageError(fail(problems));
  return src;
}

interface Source {
  dir: string;
  shortCommit: string;
  tag: string;
  /** The full commit, with `-dirty` when uncommitted changes are built. */
  revision: string;
  /** The origin URL without credentials, or "". */
  url: string;
}

/** The commit being built, and whether the working tree really is that commit. */
function readSource(dir: string, explicitTag: string | undefined, io: Io): Source {
  const git = (what: string, ...args: string[]) => checked(capture("git", ["-C", dir, ...args], io.env), `git ${what}`).trim();
  const commit = git("rev-parse HEAD", "rev-parse", "HEAD");
  const shortCommit = git("rev-parse --short HEAD", "rev-parse", "--short=7", "HEAD");
  const components = COMPONENTS.map((c) => c.component);
  const changed = git("status", "status", "--porcelain", "--untracked-files=all", "--", ...components)
    .split("\n")
    .filter((line) => line.trim() !== "");
  if (changed.length > 0 && explicitTag === undefined) {
    throw new UsageError(
      fail([
        `app source ${dir} has uncommitted changes in ${components.map((c) => `${c}/`).join(" or ")}, so its commit ${shortCommit} ` +
          `would not name what is built:\n${listed(changed)}\n  Commit them, or pass --tag <tag> to build the working tree under a tag of your own.`,
      ]),
    );
  }
  const tag = explicitTag ?? shortCommit;
  const revision = changed.length > 0 ? `${commit}-dirty` : commit;
  if (changed.length > 0) {
    io.err(`warning: building uncommitted changes of ${dir} as tag ${tag} (revision label ${revision}):\n${listed(changed)}`);
  }
  const origin = capture("git", ["-C", dir, "remote", "get-url", "origin"], io.env).stdout.trim();
  return { dir, shortCommit, tag, revision, url: publicSourceUrl(origin, io) };
}

/** The profile must be running; its container runtime decides how build args are passed. */
function checkCluster(profile: string, io: Io): string {
  const status = capture("minikube", ["-p", profile, "status", "-o", "json"], io.env);
  const host = parseJson<{ Host?: string }>(status.stdout)?.Host;
  if (host !== "Running") {
    const said = firstLines(status.stderr || status.stdout);
    throw new UsageError(
      fail([
        `minikube profile "${profile}" (clusters/minikube/cluster.ts) is not running` +
          `${host ? ` (host: ${host})` : ""}: start it with \`npm run cluster:up\` (or \`minikube start -p ${profile}\`)` +
          (said ? `\n  minikube said: ${said}` : ""),
      ]),
    );
  }
  return containerRuntime(profile, io);
}

/** Builds one image into the node's store and confirms it is there; returns its reference and size. */
function buildImage({ component, image }: ComponentBuild, source: Source, runtime: string, io: Io): { reference: string; sizeBytes: number } {
  const { profile } = io;
  const reference = `${image.repository}:${source.tag}`;
  const buildArgs: Record<string, string> = {
    ...imageBuildArgs(image),
    SOURCE_URL: source.url,
    REVISION: source.revision,
    VERSION: source.tag,
  };
  const context = stageContext(source.dir, component, io);
  try {
    const args = [
      "-p", profile, "image", "build",
      "-t", reference,
      "-f", "Dockerfile",
      ...Object.entries(buildArgs).map(([name, value]) => `--build-opt=${buildArgOption(runtime, name, value)}`),
      context,
    ];
    io.out(`\nBuilding ${reference} from ${join(source.dir, component)} (commit ${source.shortCommit})`);
    io.out(`$ minikube ${args.map(shellQuote).join(" ")}`);
    const build = spawnSync("minikube", args, { env: io.env, stdio: ["ignore", "inherit", "inherit"] });
    if (build.status !== 0) {
      throw new UsageError(fail([`minikube image build of ${reference} failed (exit ${build.status ?? build.signal}); its output is above`]));
    }
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  const sizeBytes = storedImageSize(reference, io);
  io.out(`${reference}: ${megabytes(sizeBytes)} (limit ${image.maxSizeMB} MB)`);
  return { reference, sizeBytes };
}

/** An entry of `minikube image ls --format json`; the size is in bytes, as a string. */
interface StoredImage {
  repoTags?: string[];
  size?: string;
}

/**
 * The image's size in the node's store. Looking it up also catches a build
 * that failed although `minikube image build` exited 0 (kubernetes/minikube#12556).
 */
function storedImageSize(reference: string, io: Io): number {
  const what = "minikube image ls --format json";
  const listing = checked(capture("minikube", ["-p", io.profile, "image", "ls", "--format", "json"], io.env), what);
  const stored = parseJson<StoredImage[]>(listing);
  if (!Array.isArray(stored)) throw new UsageError(fail([`${what} printed something that is not a JSON list: ${firstLines(listing)}`]));
  // Docker lists the image as <ref>, containerd as docker.io/library/<ref>, podman (CRI-O) as localhost/<ref>.
  const names = [reference, `docker.io/library/${reference}`, `localhost/${reference}`];
  const image = stored.find((entry) => entry.repoTags?.some((tag) => names.includes(tag)));
  if (!image) {
    throw new UsageError(fail([`${reference} is not in minikube's image store after the build: the build failed, see its output above`]));
  }
  const size = Number(image.size);
  if (image.size === undefined || !Number.isSafeInteger(size) || size <= 0) {
    throw new UsageError(fail([`${what} gives ${reference} no size in bytes (size: ${JSON.stringify(image.size)}), so its limit cannot be checked`]));
  }
  return size;
}

/** Why the image is too large for its component, or undefined when it is within the limit. */
function sizeProblem({ component, image }: ComponentBuild, reference: string, sizeBytes: number): string | undefined {
  if (sizeBytes <= image.maxSizeMB * 1_000_000) return undefined;
  return (
    `${reference} is ${megabytes(sizeBytes)} (${sizeBytes} bytes), over the ${component} image's limit of ${image.maxSizeMB} MB ` +
    `(generator/images.ts, maxSizeMB): keep build tools, caches and development dependencies out of the final stage of docker/${component}/Dockerfile`
  );
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** `minikube image build --build-opt` is passed to the node's builder as `--<opt>`: docker/podman and buildctl spell build args differently. */
export function buildArgOption(runtime: string, name: string, value: string): string {
  return runtime === "containerd" ? `opt=build-arg:${name}=${value}` : `build-arg=${name}=${value}`;
}

function containerRuntime(profile: string, io: Io): string {
  const listing = capture("minikube", ["profile", "list", "-o", "json"], io.env);
  const profiles = parseJson<{ valid?: { Name?: string; Config?: { KubernetesConfig?: { ContainerRuntime?: string } } }[] }>(listing.stdout);
  const runtime = profiles?.valid?.find((p) => p.Name === profile)?.Config?.KubernetesConfig?.ContainerRuntime;
  if (!runtime) {
    throw new UsageError(fail([`could not read the container runtime of minikube profile "${profile}" from \`minikube profile list -o json\`${firstLines(listing.stderr) ? `: ${firstLines(listing.stderr)}` : ""}`]));
  }
  if (!["docker", "containerd", "cri-o", "crio"].includes(runtime)) {
    throw new UsageError(fail([`minikube profile "${profile}" uses container runtime "${runtime}"; npm run images supports docker, containerd and cri-o`]));
  }
  return runtime;
}

/**
 * The component's directory as git sees it (tracked files and untracked ones
 * it does not ignore, so no node_modules or .venv), with this repository's
 * Dockerfile and ignore file at its root.
 */
function stageContext(src: string, component: AppComponent, io: Io): string {
  const listing = checked(
    capture("git", ["-C", join(src, component), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."], io.env),
    "git ls-files",
  );
  const context = mkdtempSync(join(tmpdir(), `todo-${component}-context-`));
  for (const file of listing.split("\0").filter((name) => name !== "")) {
    const from = join(src, component, file);
    const to = join(context, file);
    if (!existsSync(from) && !isSymlink(from)) continue; // deleted in the working tree
    mkdirSync(dirname(to), { recursive: true });
    const stat = lstatSync(from);
    if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else if (stat.isDirectory()) cpSync(from, to, { recursive: true, verbatimSymlinks: true }); // a submodule
    else copyFileSync(from, to);
  }
  copyFileSync(join(DOCKER_DIR, component, "Dockerfile"), join(context, "Dockerfile"));
  copyFileSync(join(DOCKER_DIR, component, "Dockerfile.dockerignore"), join(context, ".dockerignore"));
  return context;
}

/** The origin URL for the source label, without credentials, or "" when there is none usable. */
function publicSourceUrl(remote: string, io: Io): string {
  if (remote === "") return "";
  let url = remote;
  if (/^[a-z]+:\/\//i.test(remote)) {
    try {
      const parsed = new URL(remote);
      parsed.username = "";
      parsed.password = "";
      url = parsed.toString();
    } catch {
      url = "";
    }
  }
  // minikube runs the node's build through a shell: keep the label to plain URL characters.
  if (!/^[A-Za-z0-9._~:/@%+-]+$/.test(url)) {
    io.err(`warning: the origin URL of the app source cannot be used as the source label; leaving it empty`);
    return "";
  }
  return url;
}

function onPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter).filter((d) => d !== "")) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function capture(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const result = spawnSync(command, args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? (result.error ? String(result.error) : "") };
}

function checked(result: { status: number | null; stdout: string; stderr: string }, what: string): string {
  if (result.status !== 0) throw new UsageError(fail([`${what} failed: ${firstLines(result.stderr) || `exit ${result.status}`}`]));
  return result.stdout;
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function fail(problems: string[]): string {
  return `npm run images: cannot build the images:\n${problems.map((p) => `  - ${p}`).join("\n")}`;
}

function listed(lines: string[], max = 10): string {
  const shown = lines.slice(0, max).map((line) => `    ${line}`);
  if (lines.length > max) shown.push(`    … and ${lines.length - max} more`);
  return shown.join("\n");
}

function firstLines(text: string, count = 3): string {
  return text.trim().split("\n").slice(0, count).join(" | ");
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    // The cluster's facts as every command reads them: loaded and checked, never imported as a module.
    const { profile } = await loadCluster("minikube");
    process.exitCode = run(process.argv.slice(2), {
      env: process.env,
      profile,
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`${error.message}\nnpm run images: nothing was built.\n`);
    process.exitCode = 1;
  }
}
