/**
 * `restore <env> <commit>`: a new commit that puts the environment's
 * settings (environments/<env>.ts, .images.json, .sealed.json) and its
 * manifests back exactly as they were at a commit, the way Argo CD's History
 * rollback syncs an old revision, and says every setting it changes besides
 * the images. The commit's settings are read from Git and rendered with the
 * current generator in memory, with every other environment as it is: the
 * restored manifests must be exactly that render, so the commit passes
 * `npm run check`. When the generator has changed since, an exact restore is
 * not possible: it refuses, unless `--rerender` asks for the commit's
 * settings rendered by today's generator.
 */
import { readBlobs } from "../commands/git-view.ts";
import { environmentFileName } from "../environment-files.ts";
import { SettingsError } from "../errors.ts";
import { loadEnvironmentsSkippingBroken } from "../load/environments.ts";
import { MANIFESTS_DIR, type Rendered } from "../render.ts";
import type { Settings } from "../settings.ts";
import { type Outcome, applySettingsChange } from "./change.ts";
import { gitLines, revParse } from "./git.ts";
import { parseImageRefs, tagsOfRefs } from "./history.ts";
import { type CommitOptions, ReleaseRefusal, checkEnvironment, checkReadyToCommit, checkRepository } from "./preconditions.ts";
import { TRAILER, describeTags, imagesFileRelativePath, settingsPaths } from "./release-commit.ts";
import { describeSettingChange, settingChanges } from "./settings-diff.ts";

export interface RestoreOptions extends CommitOptions {
  environment: string;
  /** The commit to restore the environment as. */
  target: string;
  /** Restore the commit's settings and render them with today's generator, when it renders them differently from then. */
  rerender?: boolean;
}

/** The commit's manifests of the environment: path → content. */
function manifestsAt(root: string, commit: string, environment: string): Map<string, string> {
  const paths = gitLines(root, ["ls-tree", "-r", "--name-only", commit, "--", `${MANIFESTS_DIR}/${environment}`]);
  const contents = readBlobs(root, paths.map((path) => `${commit}:${path}`));
  return new Map(paths.map((path) => [path, contents.get(`${commit}:${path}`) ?? ""]));
}

/** How a render of the environment differs from the manifests committed then, as `npm run check` lists it. */
function differences(committed: Map<string, string>, rendered: Rendered, environment: string): string[] {
  const dir = `${MANIFESTS_DIR}/${environment}/`;
  const lines: string[] = [];
  for (const [path, content] of [...rendered.files].filter(([path]) => path.startsWith(dir)).sort()) {
    if (!committed.has(path)) lines.push(`missing: ${path}`);
    else if (committed.get(path) !== content) lines.push(`changed: ${path}`);
  }
  for (const path of [...committed.keys()].sort()) if (!rendered.files.has(path)) lines.push(`stale:   ${path}`);
  return lines;
}

export async function restore({ root, environment, target, dryRun, allowRemoval = false, rerender = false, generatorSources }: RestoreOptions): Promise<Outcome> {
  checkRepository(root);
  checkEnvironment(root, environment);
  const sha = revParse(root, target);
  if (!sha) throw new ReleaseRefusal(`${environment}: target = "${target}": not a commit in this repository (see \`npm run history -- ${environment}\`)`);
  const short = sha.slice(0, 7);
  await checkReadyToCommit(root, `restore ${environment}`, { dryRun, generatorSources });

  const paths = settingsPaths(environment);
  const blobs = readBlobs(root, paths.map((path) => `${sha}:${path}`));
  const files = new Map(paths.map((path) => [path, blobs.get(`${sha}:${path}`) ?? null]));
  const settingsFile = files.get(environmentFileName(environment));
  if (settingsFile === null || settingsFile === undefined) throw new ReleaseRefusal(`${environment}: target = "${target}": ${environment} did not exist at ${short} (no ${environmentFileName(environment)})`);
  // Environment files from before `delivery` was declared (how each environment is delivered: its cluster,
  // sync, tags and promotion source) hold none, and the current generator requires delivery.cluster.
  if (!/\bdelivery\s*:/.test(settingsFile)) {
    throw new ReleaseRefusal(
      `${environment}: target = "${target}": ${short}'s ${environmentFileName(environment)} predates the delivery settings: it has no \`delivery\` block ` +
        "(cluster, sync, tags, promotedFrom), which every environment file now states and the current generator requires, " +
        `so its settings cannot be restored exactly.\nTo run the images it ran: npm run rollback -- ${environment} ${short}\n` +
        `To bring back its other settings: compare \`git show ${short}:${environmentFileName(environment)}\` with today's file, edit, \`npm run render -- ${environment}\` and commit.`,
    );
  }

  let current: Settings | undefined;
  try {
    // Another environment's broken files do not hide this one's current settings (the change is the comparison's other side).
    current = (await loadEnvironmentsSkippingBroken({ root })).settings.find((settings) => settings.name === environment);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
  }
  const notes: string[] = [];
  const images = tagsOfRefs(parseImageRefs(files.get(imagesFileRelativePath(environment)) ?? undefined));
  return applySettingsChange({
    root,
    environment,
    files,
    what: `the settings of ${short}`,
    dryRun,
    allowRemoval,
    notes,
    verify: ({ settings, rendered }) => {
      const differing = differences(manifestsAt(root, sha, environment), rendered, environment);
      if (differing.length && !rerender) {
        throw new ReleaseRefusal(
          `${environment}: target = "${target}": the generator has changed since ${short}: it renders ${short}'s settings differently from the manifests committed then, ` +
            `so an exact restore would fail \`npm run check\`:\n${differing.map((line) => `  ${line}`).join("\n")}\n` +
            `To restore ${short}'s settings rendered by today's generator: npm run restore -- ${environment} ${short} --rerender\n` +
            `To run only the images it ran: npm run rollback -- ${environment} ${short}`,
        );
      }
      notes.push(
        differing.length
          ? `Restores the settings of ${short}; the manifests are today's render of them (the generator has changed since).`
          : `Restores the settings and the manifests of ${short} exactly.`,
      );
      const restored = settings.find((candidate) => candidate.name === environment);
      const changes = current && restored ? settingChanges(current, restored) : [];
      notes.push(
        changes.length
          ? `Settings it changes besides the images:\n${changes.map((change) => `  - ${describeSettingChange(change)}`).join("\n")}`
          : "It changes no setting besides the images.",
      );
    },
    commit: {
      environment,
      action: "restore",
      subject: `restore(${environment}): as at ${short} (${describeTags(images)})`,
      tags: images,
      extraTrailers: { [TRAILER.restoredFrom]: sha },
    },
  });
}
