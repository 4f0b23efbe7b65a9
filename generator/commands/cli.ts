/**
 * npm run render [-- <env>...]   write manifests/ (and argocd/) from environments/
 * npm run check  [-- <env>...]   exit 1 if the files on disk, or what Git holds of them, differ from a fresh render
 * npm run check -- --staged      the same for what is staged, and no local secret value in it (the pre-commit hook)
 * npm run diff   [-- <env>...]   unified diff of a fresh render against the files on disk; exit 1 when there is one
 *
 * Exit codes (exit-codes.ts): render 0 written, 1 refused, 2 usage; check
 * and diff 0 up to date, 1 not (their answer), 2 anything else.
 *
 * The npm scripts run this from the compiled bundle (generator/launcher/),
 * which passes its caches as options; `node generator/commands/cli.ts` runs
 * the same from the sources, without them. `run()` is the same CLI as a
 * function: its root and its output are parameters, and it returns the exit
 * code instead of ending the process.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { CommanderError } from "commander";
import { createTwoFilesPatch } from "diff";
import { InvalidObjectsError, SettingsError } from "../errors.ts";
import { EXIT, commanderExitCode } from "./exit-codes.ts";
import { CheckedSettingsCache } from "../load/checked-cache.ts";
import { REPO_ROOT } from "../load/environments.ts";
import { ARGOCD_APPS_DIR, ARGOCD_BOOTSTRAP_DIR } from "../components/argocd.ts";
import { MANIFESTS_DIR, type Rendered } from "../render.ts";
import { type PlaintextFinding, checkText, formatFinding, localSecretValues, localValueLeaks } from "../secrets/plaintext-guard.ts";
import { type Output, cliProgram } from "./cli-program.ts";
import { type GitIndex, gitAddCommand, hasIndexDrift, indexDrift, indexDriftLines, onDisk, readBlobs, readIndex } from "./git-view.ts";
import { compareRendered, driftLines, hasDrift, readCommitted, writeRendered } from "./output.ts";
import { renderRepository } from "./pipeline.ts";
import { RenderCache } from "./render-cache.ts";
import { ALLOW_REMOVAL_VARIABLE, type Removal, dataBearingRemovals, listRemovals, renderedObjects } from "../release/removals.ts";
import { SETTINGS_DIRS, settingsFilesIn } from "./settings-files.ts";
import { tolerateClosedOutput } from "./closed-output.ts";

export interface CliOptions {
  /** Command-line arguments after the program's; default process.argv. */
  argv?: readonly string[];
  root?: string;
  /** The render cache's file (objects this build validated before); none: every object is validated. */
  renderCacheFile?: string | undefined;
  /** Where compiled environment files are kept (generator/load/module.ts); none: compiled at every run. */
  moduleCacheDir?: string | undefined;
  /** The checked-settings cache's file (generator/load/checked-cache.ts); none: every environment is loaded and checked. */
  checkedCacheFile?: string | undefined;
  stdout?: Output;
  stderr?: Output;
  /** `check --staged` lets a commit remove a SealedSecret, PVC or Namespace; default: ALLOW_REMOVAL=1 in the environment. */
  allowRemoval?: boolean | undefined;
}

/**
 * A command's refusal: the message is printed to stderr. Its exit code is the
 * command's (EXIT): render refused, diff and check an error, except a
 * finding (a local secret value), which is check's answer.
 */
class Refused extends Error {
  readonly finding: boolean;
  constructor(message: string, options: { finding?: boolean } = {}) {
    super(message);
    this.finding = options.finding ?? false;
  }
}

/** The generator CLI's commands, and whether each writes (only those say "Nothing was written." when they fail). */
type GeneratorCommand = "render" | "check" | "diff";
const WRITES: Record<GeneratorCommand, boolean> = { render: true, check: false, diff: false };

/** The exit code of a refusal of `command`. */
function refusalExitCode(command: GeneratorCommand | undefined, refusal: Refused): number {
  if (command === "render") return EXIT.refused;
  if (command === "check" && refusal.finding) return EXIT.differs;
  return EXIT.error;
}

/** The directories a clone's render reads and writes (git ls-files scope). */
function gitScope(rendered: Rendered): string[] {
  return [...rendered.ownedDirs, ...SETTINGS_DIRS];
}

/** Runs one command; resolves to its exit code. Never ends the process. */
export async function run(options: CliOptions = {}): Promise<number> {
  const { argv, root = REPO_ROOT, renderCacheFile, moduleCacheDir, checkedCacheFile } = options;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const say = (text: string) => stdout.write(`${text}\n`);
  const complain = (text: string) => stderr.write(`${text}\n`);
  let exitCode: number = EXIT.ok;
  const allowRemoval = options.allowRemoval ?? process.env[ALLOW_REMOVAL_VARIABLE] === "1";
  /** The command being run, for its refusals' wording and exit code. */
  let running: GeneratorCommand | undefined;

  /** load → check → render, in memory; refuses (writing nothing) when anything is wrong. */
  async function renderOrExplain(environments: string[], files?: ReadonlyMap<string, string | null>): Promise<Rendered> {
    let rendered: Rendered;
    try {
      const cache = renderCacheFile === undefined ? undefined : new RenderCache(renderCacheFile);
      const checked = checkedCacheFile === undefined ? undefined : new CheckedSettingsCache(checkedCacheFile);
      rendered = await renderRepository({ root, environments, cache, moduleCacheDir, checked, files });
      checked?.save();
      cache?.save();
    } catch (error) {
      if (error instanceof SettingsError || error instanceof InvalidObjectsError) throw new Refused(error.message);
      throw error;
    }
    return rendered;
  }

  /** Never plaintext in Git: no value of the local .secrets/*.env files in what is about to be written, or in any tracked file. */
  function refuseLeaks(findings: PlaintextFinding[]): void {
    if (findings.length) {
      throw new Refused(`plaintext secret values (${findings.length}):\n${findings.map((leak) => `  - ${formatFinding(leak)}`).join("\n")}`, { finding: true });
    }
  }

  /** The render of the settings on disk, refused if it or any tracked file holds a value of the local .secrets/*.env files. */
  async function renderForDisk(environments: string[]): Promise<Rendered> {
    const rendered = await renderOrExplain(environments);
    refuseLeaks(localValueLeaks(root, rendered));
    return rendered;
  }

  /** The settings files as they are on disk, for the index to hold: path → content (null: deleted); those of `environments` only, when named. */
  function settingsOnDisk(index: GitIndex, environments: string[]): Map<string, string | null> {
    const mine = (path: string) => !environments.length || !path.startsWith("environments/") || environments.some((name) => path.startsWith(`environments/${name}.`));
    return new Map(settingsFilesIn(root, [...index.entries.keys()]).filter(mine).map((path) => [path, onDisk(root, path)]));
  }

  /**
   * What writing `rendered` would take out of the files on disk of
   * SealedSecrets, PVCs and Namespaces (release/removals.ts, as the release
   * commands refuse it), said on stderr with what Argo CD then does.
   */
  function warnRemovals(rendered: Rendered): void {
    const onDiskNow = new Map<string, string>();
    for (const environment of rendered.objects.keys()) {
      for (const path of filesUnder(root, `${MANIFESTS_DIR}/${environment}`)) onDiskNow.set(path, readCommitted(root, path));
    }
    const removals = dataBearingRemovals(onDiskNow, renderedObjects(rendered.objects));
    if (!removals.length) return;
    complain(`warning: this render removes what another commit cannot bring back:\n${listRemovals(removals)}`);
    complain(`The pre-commit hook refuses to commit it unless you say so: ${ALLOW_REMOVAL_VARIABLE}=1 git commit …`);
  }

  /** `check`: the work tree against a fresh render, then the index against both. */
  async function check(environments: string[]): Promise<void> {
    const rendered = await renderForDisk(environments);
    const drift = compareRendered(root, rendered);
    const index = readIndex(root, gitScope(rendered));
    const expected = new Map<string, string | null>(rendered.files);
    if (index) for (const [path, content] of settingsOnDisk(index, environments)) expected.set(path, content);
    const inGit = index ? indexDrift(index, expected, { owned: rendered.ownedDirs, keep: rendered.keep }) : undefined;
    if (!hasDrift(drift) && !(inGit && hasIndexDrift(inGit))) {
      say(index ? "manifests are up to date, and Git has them as they are" : "manifests are up to date (not a Git work tree: only the files on disk were compared)");
      return;
    }
    exitCode = EXIT.differs;
    if (hasDrift(drift)) {
      for (const line of driftLines(drift)) complain(line);
      const scope = environments.length ? ` -- ${environments.join(" ")}` : "";
      complain(`The rendered files are out of date: run \`npm run render${scope}\`, then \`git add -A environments manifests argocd\` and commit.`);
    }
    if (inGit && hasIndexDrift(inGit)) {
      for (const line of indexDriftLines(inGit)) complain(line);
      complain(`Git does not hold these files as a clone must see them: run \`${gitAddCommand(inGit, rendered)}\` and commit.`);
    }
  }

  /** `check --staged`: renders the settings as staged and compares with what is staged; the work tree is not read. */
  async function checkStaged(environments: string[]): Promise<void> {
    const scope = await readIndexScope();
    if (!scope) throw new Refused("check --staged: not a Git work tree, so nothing is staged");
    const { index, contents } = scope;
    const files = new Map<string, string | null>();
    for (const path of settingsFilesIn(root, [...index.entries.keys()])) {
      const entry = index.entries.get(path);
      if (!path.startsWith("clusters/") || entry) files.set(path, entry ? (contents.get(entry.blob) ?? null) : null);
    }
    const rendered = await renderOrExplain(environments, files);
    const inGit = indexDrift(index, rendered.files, { owned: rendered.ownedDirs, keep: rendered.keep });
    refuseLeaks(stagedLeaks(root, rendered, index));
    const removals = stagedRemovals(root, rendered);
    if (removals.length && !allowRemoval) {
      exitCode = EXIT.differs;
      complain(`The staged changes remove what another commit cannot bring back:\n${listRemovals(removals)}`);
      complain(`If that is meant, commit with ${ALLOW_REMOVAL_VARIABLE}=1 (${ALLOW_REMOVAL_VARIABLE}=1 git commit …); else restore the settings that rendered them.`);
    }
    if (!hasIndexDrift(inGit)) {
      if (exitCode !== EXIT.ok) return;
      say("what is staged is a fresh render of the staged settings, with no local secret value");
      return;
    }
    exitCode = EXIT.differs;
    for (const line of indexDriftLines(inGit)) complain(line);
    complain(
      "What is staged is not what the staged settings render: stage the settings you mean to commit, run `npm run render`, " +
        "then `git add -A manifests argocd`.",
    );
  }

  /** The index of everything a render reads or writes, with the settings files' contents. */
  async function readIndexScope(): Promise<{ index: GitIndex; contents: Map<string, string> } | undefined> {
    const index = readIndex(root, [MANIFESTS_DIR, ARGOCD_APPS_DIR, ARGOCD_BOOTSTRAP_DIR, ...SETTINGS_DIRS]);
    if (!index) return undefined;
    const settings = settingsFilesIn(root, [...index.entries.keys()]).flatMap((path) => index.entries.get(path)?.blob ?? []);
    return { index, contents: readBlobs(root, settings) };
  }

  const program = cliProgram("npm run", "Renders the Todo chatbot's Kubernetes manifests from environments/.", stdout, stderr);

  program
    .command("render")
    .description("render every environment, or only those named (with the Argo CD objects they change), into manifests/ and argocd/")
    .argument("[environments...]", "environments to render (default: all)")
    .action(async (environments: string[]) => {
      running = "render";
      const rendered = await renderForDisk(environments);
      warnRemovals(rendered);
      writeRendered(root, rendered);
      const counts = [...rendered.objects].map(([env, objects]) => `${env} ${objects.length}`).join(", ");
      say(`rendered ${rendered.files.size} files (${counts} objects) into ${rendered.ownedDirs.join(", ")}`);
    });

  program
    .command("check")
    .description("fail when the files on disk, or what Git holds of them, are not what a fresh render produces")
    .argument("[environments...]", "environments to check (default: all)")
    .option("--staged", "check what is staged instead: the staged settings' render against the staged files, and no local secret value in them (the pre-commit hook)")
    .action(async (environments: string[], flags: { staged?: boolean }) => {
      running = "check";
      if (flags.staged) await checkStaged(environments);
      else await check(environments);
    });

  program
    .command("diff")
    .description("print a unified diff of a fresh render against the files on disk; exit 0 when they are the same, 1 when they differ, 2 on an error, like git diff --exit-code")
    .argument("[environments...]", "environments to diff (default: all)")
    .action(async (environments: string[]) => {
      running = "diff";
      const rendered = await renderForDisk(environments);
      warnRemovals(rendered);
      const drift = compareRendered(root, rendered);
      const paths = [...drift.changed, ...drift.missing, ...drift.extra].sort();
      for (const path of paths) stdout.write(createTwoFilesPatch(`a/${path}`, `b/${path}`, readCommitted(root, path), rendered.files.get(path) ?? ""));
      if (paths.length === 0) complain("no differences");
      else exitCode = EXIT.differs;
    });

  try {
    await program.parseAsync(argv === undefined ? process.argv : ["node", "generator", ...argv]);
  } catch (error) {
    if (error instanceof Refused) {
      complain(running && WRITES[running] ? `${error.message}\nNothing was written.` : error.message);
      return refusalExitCode(running, error);
    }
    if (error instanceof CommanderError) return commanderExitCode(error);
    throw error;
  }
  return exitCode;
}

/** Local secret values, and plaintext Secrets, in the render or in any file staged for the next commit (the index, not the work tree). */
function stagedLeaks(root: string, rendered: Rendered, index: GitIndex): PlaintextFinding[] {
  const values = localSecretValues(root);
  const findings: PlaintextFinding[] = [];
  for (const [file, text] of rendered.files) {
    for (const { value, origin } of values) if (text.includes(value)) findings.push({ file, reason: `holds the value of ${origin} (as the render would write it)` });
  }
  const staged = execGit(root, ["diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--no-renames"]).split("\0").filter(Boolean);
  if (!staged.length) return findings;
  const entries = readIndex(root, staged);
  const blobs = readBlobs(root, [...(entries?.entries.values() ?? [])].map((entry) => entry.blob));
  for (const file of staged) {
    if (file.startsWith(".secrets/") && !file.endsWith(".env.example")) {
      findings.push({ file, reason: "only *.env.example templates may be tracked under .secrets/ (git rm --cached it)" });
      continue;
    }
    const text = blobs.get(entries?.entries.get(file)?.blob ?? "");
    if (text === undefined || text.includes("\0") || file.startsWith(".secrets/")) continue;
    findings.push(...checkText(file, text, values));
  }
  return findings;
}

/**
 * The SealedSecrets, PVCs and Namespaces that HEAD's manifests hold and the
 * staged render does not: read only from the manifests the index deletes or
 * changes (one git diff; nothing more when none is), so the hook stays fast.
 */
function stagedRemovals(root: string, rendered: Rendered): Removal[] {
  const changed = execGit(root, ["diff", "--cached", "--name-only", "-z", "--diff-filter=DM", "--no-renames", "--", MANIFESTS_DIR]).split("\0").filter(Boolean);
  // Silent, on purpose, for an environment removed whole: nothing renders it, and its Application is Prune=false,Delete=false
  // with no finalizer (components/argocd.ts), so Argo CD deletes nothing it deployed; the README's remove recipe commits without ALLOW_REMOVAL.
  const renderedDirs = [...rendered.objects.keys()].map((environment) => `${MANIFESTS_DIR}/${environment}/`);
  const touched = changed.filter((path) => renderedDirs.some((dir) => path.startsWith(dir)));
  if (!touched.length) return [];
  const blobs = readBlobs(root, touched.map((path) => `HEAD:${path}`));
  const committed = new Map(touched.flatMap((path) => (blobs.has(`HEAD:${path}`) ? [[path, blobs.get(`HEAD:${path}`)!] as const] : [])));
  return dataBearingRemovals(committed, renderedObjects(rendered.objects));
}

/** Files under a directory of the work tree (repository-relative), none when it does not exist. */
function filesUnder(root: string, dir: string): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join("/"));
}

function execGit(root: string, args: string[]): string {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return "";
  }
}

/** The process entry (npm scripts, the launcher's bundle): the exit code becomes the process's. */
export async function main(options: CliOptions = {}): Promise<void> {
  tolerateClosedOutput();
  process.exitCode = await run(options);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
