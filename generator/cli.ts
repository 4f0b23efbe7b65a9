/**
 * npm run render [-- <env>...]   write manifests/ (and argocd/) from environments/
 * npm run check                  exit 1 if the committed files differ from a fresh render
 * npm run diff [-- <env>...]     unified diff of a fresh render against the files on disk
 */
import { Command } from "commander";
import { createTwoFilesPatch } from "diff";
import { REPO_ROOT } from "./environments.ts";
import { InvalidObjectsError, SettingsError } from "./errors.ts";
import { compareRendered, driftLines, hasDrift, readCommitted, writeRendered } from "./output.ts";
import { configuredRenderCache } from "./render-cache.ts";
import { type Rendered, render } from "./render.ts";

async function renderOrExplain(environments: string[]): Promise<Rendered> {
  try {
    const cache = configuredRenderCache();
    const rendered = await render({ environments, root: REPO_ROOT, cache });
    cache?.save();
    return rendered;
  } catch (error) {
    if (error instanceof SettingsError || error instanceof InvalidObjectsError) {
      console.error(`${error.message}\nNothing was written.`);
      process.exit(1);
    }
    throw error;
  }
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
    writeRendered(REPO_ROOT, rendered);
    const counts = [...rendered.objects].map(([env, objects]) => `${env} ${objects.length}`).join(", ");
    console.log(`rendered ${rendered.files.size} files (${counts} objects) into ${rendered.ownedDirs.join(", ")}`);
  });

program
  .command("check")
  .description("fail when the files on disk are not what a fresh render produces")
  .action(async () => {
    const drift = compareRendered(REPO_ROOT, await renderOrExplain([]));
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
    const drift = compareRendered(REPO_ROOT, rendered);
    const paths = [...drift.changed, ...drift.missing, ...drift.extra].sort();
    for (const path of paths) {
      const patch = createTwoFilesPatch(`a/${path}`, `b/${path}`, readCommitted(REPO_ROOT, path), rendered.files.get(path) ?? "");
      process.stdout.write(patch);
    }
    if (paths.length === 0) console.error("no differences");
  });

await program.parseAsync();
