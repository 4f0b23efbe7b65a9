/**
 * What the npm scripts run (generator/launcher/cli.mjs, from the bundle):
 * `<command> [arguments]`, handed to the CLI that has the command: render,
 * check and diff (commands/cli.ts), release, promote, rollback, restore and
 * history (release/cli.ts), seal (secrets/seal-command.ts). `run()` is the
 * same as a function, for the tests: it returns the exit code.
 */
import { CommanderError } from "commander";
import { RELEASE_COMMANDS, run as releaseRun } from "../release/cli.ts";
import { sealCommand } from "../secrets/seal-command.ts";
import type { Output } from "./cli-program.ts";
import { type CliOptions, run as generatorRun } from "./cli.ts";
import { commanderExitCode } from "./exit-codes.ts";

export type EntryOptions = CliOptions & {
  /** The launcher's list of the files the bundle was built from (build.mjs), for the release commands' clean-tree check. */
  generatorSourcesFile?: string | undefined;
};

/** `npm run seal -- <arguments>`: the seal command, its usage errors exit 2 like every command's. */
async function seal(argv: readonly string[], root: string | undefined, stdout: Output, stderr: Output): Promise<number> {
  const command = (root === undefined ? sealCommand() : sealCommand(root))
    .exitOverride()
    .configureOutput({ writeOut: (text) => stdout.write(text), writeErr: (text) => stderr.write(text) });
  // The seal command reports its own failures through process.exitCode (it prints with console).
  const outer = process.exitCode;
  process.exitCode = 0;
  try {
    await command.parseAsync([...argv], { from: "user" });
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    throw error;
  } finally {
    process.exitCode = outer;
  }
}

/** Runs one command; resolves to its exit code. Never ends the process. */
export async function run(options: EntryOptions = {}): Promise<number> {
  const argv = options.argv ?? process.argv.slice(2);
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const [command = "", ...rest] = argv;
  if ((RELEASE_COMMANDS as readonly string[]).includes(command)) return releaseRun({ argv, ...(options.root === undefined ? {} : { root: options.root }), stdout, stderr, generatorSourcesFile: options.generatorSourcesFile });
  if (command === "seal") return seal(rest, options.root, stdout, stderr);
  // render, check and diff; anything else gets the generator CLI's help or usage error (which lists every command).
  const { generatorSourcesFile: _releaseOnly, ...generatorOptions } = options;
  return generatorRun({ ...generatorOptions, argv, stdout, stderr });
}

/** The process entry: the exit code becomes the process's. */
export async function main(options: Omit<EntryOptions, "argv"> = {}): Promise<void> {
  process.exitCode = await run(options);
}
