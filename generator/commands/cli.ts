/**
 * npm run render [-- <env>...]   write manifests/ (and argocd/) from environments/
 * npm run check                  exit 1 if the committed files differ from a fresh render
 * npm run diff [-- <env>...]     unified diff of a fresh render against the files on disk
 *
 * The npm scripts run this from the compiled bundle (generator/launcher/),
 * which passes its caches as options; `node generator/commands/cli.ts` runs
 * the same from the sources, without them.
 */
import { pathToFileURL } from "node:url";
import { Command } from "commander";
import { createTwoFilesPatch } from "diff";
import { InvalidObjectsError, SettingsError } from "../errors.ts";
import { CheckedSettingsCache } from "../load/checked-cache.ts";
import { REPO_ROOT } from "../load/environments.ts";
import type { Rendered } from "../render.ts";
import { compareRendered, driftLines, hasDrift, readCommitted, writeRendered } from "./output.ts";
import { renderRepository } from "./pipeline.ts";
import { formatFinding, localValueLeaks } from "../secrets/plaintext-guard.ts";
import { RenderCache } from "./render-cache.ts";

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
}

export async function main({ argv, root = REPO_ROOT, renderCacheFile, moduleCacheDir, checkedCacheFile }: CliOptions = {}): Promise<void> {
  /** load → check → render, in memory; exits 1 with every problem (and writes nothing) when anything is wrong. */
  async function renderOrExplain(environments: string[]): Promise<Rendered> {
    let rendered: Rendered;
    try {
      const cache = renderCacheFile === undefined ? undefined : new RenderCache(renderCacheFile);
      const checked = checkedCacheFile === undefined ? undefined : new CheckedSettingsCache(checkedCacheFile);
      rendered = await renderRepository({ root, environments, cache, moduleCacheDir, checked });
      checked?.save();
      cache?.save();
    } catch (error) {
      if (error instanceof SettingsError || error instanceof InvalidObjectsError) {
        console.error(`${error.message}\nNothing was written.`);
        process.exit(1);
      }
      throw error;
    }
    // Never plaintext in Git: no value of the local .secrets/*.env files in what is about to be written, or in any tracked file.
    const leaks = localValueLeaks(root, rendered);
    if (leaks.length) {
      console.error(`plaintext secret values (${leaks.length}):\n${leaks.map((leak) => `  - ${formatFinding(leak)}`).join("\n")}\nNothing was written.`);
      process.exit(1);
    }
    return rendered;
  }

  const program = new Command()
    .name("generator")
    .description("Renders the Todo chatbot's Kubernetes manifests from environments/.")
    .showHelpAfterError();

  program
    .command("render")
    .description("render every environment, or only those named, into manifests/")
    .argument("[environments...]", "environments to render (default: all)")
    .action(async (environments: string[]) => {
      const rendered = await renderOrExplain(environments);
      writeRendered(root, rendered);
      const counts = [...rendered.objects].map(([env, objects]) => `${env} ${objects.length}`).join(", ");
      console.log(`rendered ${rendered.files.size} files (${counts} objects) into ${rendered.ownedDirs.join(", ")}`);
    });

  program
    .command("check")
    .description("fail when the files on disk are not what a fresh render produces")
    .action(async () => {
      const drift = compareRendered(root, await renderOrExplain([]));
      if (!hasDrift(drift)) {
        console.log("manifests are up to date");
        return;
      }
      for (const line of driftLines(drift)) console.error(line);
      console.error("The rendered files are out of date: run `npm run render` and commit the result.");
      process.exitCode = 1;
    });

  program
    .command("diff")
    .description("print a unified diff of a fresh render against the files on disk")
    .argument("[environments...]", "environments to diff (default: all)")
    .action(async (environments: string[]) => {
      const rendered = await renderOrExplain(environments);
      const drift = compareRendered(root, rendered);
      const paths = [...drift.changed, ...drift.missing, ...drift.extra].sort();
      for (const path of paths) {
        const patch = createTwoFilesPatch(`a/${path}`, `b/${path}`, readCommitted(root, path), rendered.files.get(path) ?? "");
        process.stdout.write(patch);
      }
      if (paths.length === 0) console.error("no differences");
    });

  await program.parseAsync(argv === undefined ? process.argv : ["node", "generator", ...argv]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
