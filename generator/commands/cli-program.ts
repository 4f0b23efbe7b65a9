/** What the generator's CLIs (commands/cli.ts, release/cli.ts) share: where they write, and how their commander program is set up. */
import { Command } from "commander";

/** Where a command writes: process.stdout/stderr, or a test's buffer. */
export interface Output {
  write(text: string): unknown;
}

/**
 * A commander program that writes its help and usage errors to `stdout` and
 * `stderr` and throws a CommanderError instead of ending the process: each
 * CLI's run() turns that into its exit code. `name` is what the user types
 * before a command (`npm run`), so a command's usage reads as it is typed:
 * `Usage: npm run release [options] <environment> ...`.
 */
export function cliProgram(name: string, description: string, stdout: Output, stderr: Output): Command {
  return new Command()
    .name(name)
    .description(description)
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => stdout.write(text), writeErr: (text) => stderr.write(text) });
}
