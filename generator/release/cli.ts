/**
 * npm run release  -- <env> <component>=<tag>[@sha256:<digest>]... [--dry-run]
 * npm run promote  -- <from> <to> [--dry-run]
 * npm run history  -- <env>
 * npm run rollback -- <env> [<commit> | -<n>] [--dry-run]
 *
 * Each command that changes something makes exactly one commit of one
 * environment: release and promote change environments/<env>.images.json and
 * manifests/<env>/; rollback restores all of the environment's settings
 * (environments/<env>.ts, .images.json, .sealed.json) and manifests/<env>/,
 * plus Argo CD's objects when the restored settings change them. On refusal
 * nothing changes.
 */
import { Command } from "commander";
import { REPO_ROOT } from "../load/environments.ts";
import { SettingsError } from "../errors.ts";
import type { Outcome } from "./apply-images.ts";
import { formatHistory, history } from "./history.ts";
import { ReleaseRefusal, checkRepository } from "./preconditions.ts";
import { promote } from "./promote.ts";
import { release } from "./release.ts";
import { rollback } from "./rollback.ts";

/** Prints what happened; a refusal exits 1 saying nothing changed. */
async function run(action: () => Promise<Outcome | string>): Promise<void> {
  try {
    const outcome = await action();
    if (typeof outcome === "string") {
      process.stdout.write(outcome);
      return;
    }
    process.stdout.write(outcome.details);
    console.log(outcome.summary);
    for (const warning of outcome.warnings) console.error(`warning: ${warning}`);
    if (outcome.commit) console.log("Push it (git push) for Argo CD to see it.");
  } catch (error) {
    if (error instanceof ReleaseRefusal || error instanceof SettingsError) {
      console.error(`refused: ${error.message}\nNothing was changed.`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

const program = new Command()
  .name("release")
  .description("Releases, promotions and rollbacks of the Todo chatbot, each as one Git commit that Argo CD syncs.")
  .showHelpAfterError();

program
  .command("release")
  .description("set image tags (and digests) for one environment, render it, and commit both")
  .argument("<environment>", "environment to release to, e.g. prod")
  .argument("<component=tag...>", "new image tags, e.g. backend=1.4.0 frontend=1.4.0, each optionally with the digest it points at: backend=1.4.0@sha256:<64 hex>")
  .option("--dry-run", "print the diff that would be committed; commit nothing")
  .action((environment: string, assignments: string[], options: { dryRun?: boolean }) =>
    run(() => release({ root: REPO_ROOT, environment, assignments, dryRun: Boolean(options.dryRun) })),
  );

program
  .command("promote")
  .description("copy the image tags of one environment to another, render it, and commit")
  .argument("<from>", "environment whose tags to copy, e.g. staging")
  .argument("<to>", "environment that receives them, e.g. prod")
  .option("--dry-run", "print the diff that would be committed; commit nothing")
  .action((from: string, to: string, options: { dryRun?: boolean }) => run(() => promote({ root: REPO_ROOT, from, to, dryRun: Boolean(options.dryRun) })));

program
  .command("history")
  .description("an environment's releases from Git, newest first")
  .argument("<environment>")
  .action((environment: string) =>
    run(async () => {
      checkRepository(REPO_ROOT);
      const entries = history(REPO_ROOT, environment);
      return entries.length ? formatHistory(entries) : `${environment} has no commits in Git yet\n`;
    }),
  );

program
  .command("rollback")
  .description(
    "commit an earlier release's settings (environments/<env>.ts, .images.json, .sealed.json) and manifests again, byte for byte; " +
      "refused if the current generator would render those settings differently",
  )
  .argument("<environment>")
  .argument("[target]", "a release commit of the environment, or -<n> for n releases back (default: -1, the release before the current one)")
  .option("--dry-run", "print the diff that would be committed; commit nothing")
  .action((environment: string, target: string | undefined, options: { dryRun?: boolean }) =>
    run(() => rollback({ root: REPO_ROOT, environment, target, dryRun: Boolean(options.dryRun) })),
  );

await program.parseAsync();
