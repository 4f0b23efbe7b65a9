/**
 * What the npm scripts run (generator/launcher/cli.mjs, from the bundle):
 * `<command> [arguments]`, handed to the CLI that has the command: render,
 * check and diff (commands/cli.ts), release, promote, rollback, restore and
 * history (release/cli.ts), seal (secrets/seal-command.ts). `run()` is the
 * same as a function, for the tests: it returns the exit code.
 */
import { RELEASE_COMMANDS, run as releaseRun } from "../release/cli.ts";
import { run as sealRun } from "../secrets/seal-command.ts";
import { type CliOptions, run as generatorRun } from "./cli.ts";
import { tolerateClosedOutput } from "./closed-output.ts";

export type EntryOptions = CliOptions & {
  /** The launcher's list of the files the bundle was built from (build.mjs), for the release commands' clean-tree check. */
  generatorSourcesFile?: string | undefined;
};

/** Runs one command; resolves to its exit code. Never ends the process. */
export async function run(options: EntryOptions = {}): Promise<number> {
  const argv = options.argv ?? process.argv.slice(2);
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const [command = ""] = argv;
  if ((RELEASE_COMMANDS as readonly string[]).includes(command)) return releaseRun({ argv, ...(options.root === undefined ? {} : { root: options.root }), stdout, stderr, generatorSourcesFile: options.generatorSourcesFile });
  if (command === "seal") return sealRun({ argv, ...(options.root === undefined ? {} : { root: options.root }), stdout, stderr });
  // render, check and diff; anything else gets the generator CLI's help or usage error (which lists every command).
  const { generatorSourcesFile: _releaseOnly, ...generatorOptions } = options;
  return generatorRun({ ...generatorOptions, argv, stdout, stderr });
}

/** The process entry: the exit code becomes the process's. */
export async function main(options: Omit<EntryOptions, "argv"> = {}): Promise<void> {
  tolerateClosedOutput();
  process.exitCode = await run(options);
}
