/**
 * The exit codes of every command (README, "What is checked": the exit codes table). The commands that
 * answer a question, `diff` and `check` (the hook too), follow `git diff
 * --exit-code`, diff(1) and `kubectl diff`: 1 is their answer and nothing
 * else, so a script can tell "there are differences" from "it broke". The
 * commands that do something (render, seal, release, promote, rollback,
 * restore, history) follow the common convention: 1 failed or refused,
 * 2 usage.
 */
import { CommanderError } from "commander";

export const EXIT = {
  ok: 0,
  /** diff: there are differences; check: a file is not a fresh render, Git does not hold it as it is, or a local secret value is in it. */
  differs: 1,
  /** render, seal and the release commands: refused with the reason (a setting breaks a rule, an unknown environment, a precondition); nothing changed. */
  refused: 1,
  /** A usage error (unknown option or command, a missing or extra argument) for every command; for diff and check, also every failure that is not their answer. */
  error: 2,
} as const;

/** The exit code of a commander error: 0 for help asked for (--help, `help`) and --version, EXIT.error for every usage error (commander itself says 1). */
export function commanderExitCode(error: CommanderError): number {
  return error.exitCode === 0 ? EXIT.ok : EXIT.error;
}
