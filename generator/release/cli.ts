/**
 * npm run release  -- <env> <component>=<tag>[@sha256:<digest>]... [--dry-run] [--allow-removal]
 * npm run promote  -- <from> <to> [--dry-run] [--allow-removal]
 * npm run rollback -- <env> [<commit>] [--dry-run] [--allow-removal]
 * npm run restore  -- <env> <commit> [--dry-run] [--allow-removal] [--rerender]
 * npm run history  -- <env>
 *
 * Each command that changes something makes exactly one commit of one
 * environment: its settings files (release, promote, rollback: the images
 * file; restore: all three), its manifests, and the Argo CD objects they
 * change. On refusal nothing changes. `run()` is the CLI as a function: its
 * root and its output are parameters, and it returns the exit code: 0 done,
 * 1 refused (nothing changed), 2 a usage error (commands/exit-codes.ts).
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { type Command, CommanderError } from "commander";
import { type Output, cliProgram } from "../commands/cli-program.ts";
import { EXIT, commanderExitCode } from "../commands/exit-codes.ts";
import { SettingsError } from "../errors.ts";
import { REPO_ROOT } from "../load/environments.ts";
import type { Outcome } from "./change.ts";
import { formatHistory, history } from "./history.ts";
import { type CommitOptions, ReleaseRefusal, checkRepository } from "./preconditions.ts";
import { promote } from "./promote.ts";
import { release } from "./release.ts";
import { restore } from "./restore.ts";
import { rollback } from "./rollback.ts";
import { tolerateClosedOutput } from "../commands/closed-output.ts";

export interface ReleaseCliOptions {
  /** Arguments after the program's, e.g. ["release", "dev", "backend=1.1.0"]; default process.argv. */
  argv?: readonly string[];
  root?: string;
  stdout?: Output;
  stderr?: Output;
  /** The launcher's list of the generator's source files (build.mjs); absent or unreadable: the same set is computed from the sources (release/render-inputs.ts). */
  generatorSourcesFile?: string | undefined;
}

/** The commands of this CLI (the launcher sends these here). */
export const RELEASE_COMMANDS = ["release", "promote", "rollback", "restore", "history"] as const;

interface ChangeFlags {
  dryRun?: boolean;
  allowRemoval?: boolean;
  rerender?: boolean;
}

const DRY_RUN = ["--dry-run", "print the diff that would be committed; commit nothing"] as const;
const ALLOW_REMOVAL = ["--allow-removal", "commit even when a SealedSecret, PersistentVolumeClaim or Namespace would go (they are listed in the output and the commit body)"] as const;

/** The options every command that commits takes (DRY_RUN, ALLOW_REMOVAL), as the commands expect them. */
function changeOptions(flags: ChangeFlags, generatorSources: readonly string[] | undefined): Omit<CommitOptions, "root"> {
  return { dryRun: Boolean(flags.dryRun), allowRemoval: Boolean(flags.allowRemoval), generatorSources };
}

/**
 * The bundle's list of its source files, or undefined (run from the sources,
 * or the list is unreadable): then the clean-tree check computes the same set
 * from the sources as esbuild bundles them (release/render-inputs.ts), so
 * both ways of running refuse the same files.
 */
function readGeneratorSources(file: string | undefined): string[] | undefined {
  if (file === undefined) return undefined;
  try {
    const list: unknown = JSON.parse(readFileSync(file, "utf8"));
    return Array.isArray(list) && list.every((path) => typeof path === "string") ? list : undefined;
  } catch {
    return undefined;
  }
}

/** Runs one command; resolves to its exit code. Never ends the process. */
export async function run({ argv, root = REPO_ROOT, stdout = process.stdout, stderr = process.stderr, generatorSourcesFile }: ReleaseCliOptions = {}): Promise<number> {
  let exitCode: number = EXIT.ok;
  const generatorSources = readGeneratorSources(generatorSourcesFile);

  /**
   * Prints what happened; a refusal is EXIT.refused, with the reason, and for
   * a command that could have changed something (`changes`), that nothing did.
   */
  async function report(action: () => Promise<Outcome | string>, changes = true): Promise<void> {
    try {
      const outcome = await action();
      if (typeof outcome === "string") {
        stdout.write(outcome);
        return;
      }
      if (outcome.commit) {
        // What was committed, then its files (git show --name-status), indented under it as git commit lists them.
        stdout.write(`${outcome.summary}\n`);
        stdout.write(outcome.details.replace(/^(?=.)/gm, "  "));
      } else {
        // A dry run's diff first, so that its last line says that nothing was changed.
        stdout.write(outcome.details);
        stdout.write(`${outcome.summary}\n`);
      }
      for (const warning of outcome.warnings) stderr.write(`warning: ${warning}\n`);
      if (outcome.commit) stdout.write("Push it (git push) for Argo CD to see it.\n");
    } catch (error) {
      if (error instanceof ReleaseRefusal || error instanceof SettingsError) {
        stderr.write(changes ? `refused: ${error.message}\nNothing was changed.\n` : `${error.message}\n`);
        exitCode = EXIT.refused;
        return;
      }
      throw error;
    }
  }

  const program = cliProgram("npm run", "Releases, promotions, rollbacks and restores of the Todo chatbot, each as one Git commit that Argo CD syncs.", stdout, stderr);

  program
    .command("release")
    .description("set image tags (and digests) for one environment, render it, and commit both")
    .argument("<environment>", "environment to release to, e.g. prod")
    .argument("<component=tag...>", "new image tags, e.g. backend=1.4.0 frontend=1.4.0, each optionally with the digest it points at: backend=1.4.0@sha256:<64 hex>")
    .option(...DRY_RUN)
    .option(...ALLOW_REMOVAL)
    .action((environment: string, assignments: string[], flags: ChangeFlags, command: Command) => {
      // The shape of an argument is usage (exit 2, with the usage); what it names (a component, a tag) is checked by release().
      const malformed = assignments.filter((assignment) => !assignment.includes("="));
      if (malformed.length) {
        command.error(`error: ${malformed.map((text) => `'${text}'`).join(", ")}: each image must be <component>=<tag> or <component>=<tag>@sha256:<digest>, e.g. backend=1.4.0`);
      }
      return report(() => release({ root, environment, assignments, ...changeOptions(flags, generatorSources) }));
    });

  program
    .command("promote")
    .description("copy the image tags of one environment to the next on the promotion path, render it, and commit")
    .argument("<from>", "environment whose tags to copy, e.g. staging")
    .argument("<to>", "environment that receives them, e.g. prod")
    .option(...DRY_RUN)
    .option(...ALLOW_REMOVAL)
    .action((from: string, to: string, flags: ChangeFlags) =>
      report(() => promote({ root, from, to, ...changeOptions(flags, generatorSources) })),
    );

  program
    .command("rollback")
    .description(
      "undo the environment's newest image change: the images it ran before it, every other setting as it is now, rendered by today's generator, as one new commit",
    )
    .argument("<environment>")
    .argument("[commit]", "run the images the environment ran at this commit instead")
    .option(...DRY_RUN)
    .option(...ALLOW_REMOVAL)
    .action((environment: string, target: string | undefined, flags: ChangeFlags) =>
      report(() => rollback({ root, environment, target, ...changeOptions(flags, generatorSources) })),
    );

  program
    .command("restore")
    .description(
      "put the environment's settings (environments/<env>.ts, .images.json, .sealed.json) and manifests back exactly as at a commit, as one new commit, " +
        "listing every setting it changes besides the images; refused if today's generator renders them differently, unless --rerender",
    )
    .argument("<environment>")
    .argument("<commit>", "the commit to restore the environment as (see npm run history)")
    .option(...DRY_RUN)
    .option(...ALLOW_REMOVAL)
    .option("--rerender", "restore the commit's settings and render them with today's generator (when it renders them differently from the manifests committed then)")
    .action((environment: string, target: string, flags: ChangeFlags) =>
      report(() => restore({ root, environment, target, ...changeOptions(flags, generatorSources), rerender: Boolean(flags.rerender) })),
    );

  program
    .command("history")
    .description("every commit that changed what the environment runs, newest first, labelled, with its images")
    .argument("<environment>")
    .action((environment: string) =>
      report(async () => {
        checkRepository(root);
        const entries = history(root, environment);
        return entries.length ? formatHistory(entries) : `${environment} has no commits in Git yet\n`;
      }, false),
    );

  try {
    await program.parseAsync(argv === undefined ? process.argv : ["node", "release", ...argv]);
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    throw error;
  }
  return exitCode;
}

/** The process entry (the npm scripts): the exit code becomes the process's. */
export async function main(options: ReleaseCliOptions = {}): Promise<void> {
  tolerateClosedOutput();
  process.exitCode = await run(options);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
