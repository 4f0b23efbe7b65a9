/**
 * The shared core of `release` and `promote`: new image tags for one
 * environment's images file, computed in memory, checked and rendered with
 * every environment as the new file would have them, and only then written,
 * once, with exactly the environment's manifests, and committed (or, dry
 * run, printed).
 */
import { FILE_HEADERS_ONLY, createTwoFilesPatch } from "diff";
import { compareRendered, readCommitted, writeRendered } from "../commands/output.ts";
import { renderRepository } from "../commands/pipeline.ts";
import { imagesFileName } from "../environment-files.ts";
import { InvalidObjectsError, SettingsError } from "../errors.ts";
import { imagesFilePath } from "../load/environments.ts";
import type { Rendered } from "../render.ts";
import { writeFileAtomically } from "../secrets/atomic-write.ts";
import type { ImagesFile } from "../settings.ts";
import { git, gitLines, restorePaths } from "./git.ts";
import { ReleaseRefusal } from "./preconditions.ts";
import { type ReleaseCommit, createCommit, releasePaths } from "./release-commit.ts";

/** What a command did (or, in a dry run, would do). */
export interface Outcome {
  /** One line for the user: the commit made, or the one a dry run would make. */
  summary: string;
  /** Unified diff of the commit (dry run) or its file list. */
  details: string;
  /** The new commit; absent in a dry run. */
  commit?: string;
  warnings: string[];
}

/** The images file in the layout it is committed in: one line per component, so a release diff is one line. */
export function formatImagesFile(images: ImagesFile): string {
  const entries = Object.entries(images).map(([component, ref]) => {
    const fields = Object.entries(ref).map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`);
    return `  ${JSON.stringify(component)}: { ${fields.join(", ")} }`;
  });
  return `{\n${entries.join(",\n")}\n}\n`;
}

/** A git-style unified diff of one file; an empty side is /dev/null. */
export function filePatch(path: string, before: string, after: string): string {
  return createTwoFilesPatch(before === "" ? "/dev/null" : `a/${path}`, after === "" ? "/dev/null" : `b/${path}`, before, after, undefined, undefined, {
    headerOptions: FILE_HEADERS_ONLY,
  });
}

/** The rendered files that differ from the work tree, as patches. */
export function renderedPatch(root: string, rendered: Rendered): string {
  const drift = compareRendered(root, rendered);
  return [...drift.changed, ...drift.missing, ...drift.extra]
    .sort()
    .map((path) => filePatch(path, readCommitted(root, path), rendered.files.get(path) ?? ""))
    .join("");
}

export interface ImagesChange {
  root: string;
  environment: string;
  /** The new content of the environment's images file: its tags may still be refused (by the environment's delivery.tags). */
  images: ImagesFile;
  commit: ReleaseCommit;
  dryRun: boolean;
  /** Said in a refusal, e.g. ` (promoted from staging)`. */
  origin?: string;
}

/**
 * The caller has run checkReadyToCommit. Nothing is written until every
 * environment has loaded and rendered with the new images file in memory.
 */
export async function applyImages({ root, environment, images, commit, dryRun, origin = "" }: ImagesChange): Promise<Outcome> {
  const imagesPath = imagesFilePath(environment, root);
  const imagesFile = imagesFileName(environment);
  const before = readCommitted(root, imagesFile);
  const after = formatImagesFile(images);
  if (after === before) throw new ReleaseRefusal(`${environment}: ${imagesFile} already holds these tags; nothing to commit`);

  let rendered: Rendered;
  try {
    rendered = await renderRepository({ root, environments: [environment], files: new Map([[imagesFile, after]]) });
  } catch (error) {
    if (error instanceof SettingsError || error instanceof InvalidObjectsError) {
      throw new ReleaseRefusal(`the generator rejects ${environment} with these images${origin}:\n${error.message}`);
    }
    throw error;
  }
  if (dryRun) {
    const details = filePatch(imagesFile, before, after) + renderedPatch(root, rendered);
    return { summary: `dry run: would commit "${commit.subject}"; nothing was changed`, details, warnings: [] };
  }

  const paths = releasePaths(environment);
  try {
    writeFileAtomically(imagesPath, after);
    writeRendered(root, rendered);
    git(root, ["add", "--all", "--", ...paths]);
    const outside = gitLines(root, ["diff", "--cached", "--name-only"]).filter((file) => !paths.some((path) => file === path || file.startsWith(`${path}/`)));
    if (outside.length) throw new ReleaseRefusal(`files outside ${paths.join(" and ")} are staged (${outside.join(", ")}); not committing`);
    const sha = createCommit(root, commit);
    const details = git(root, ["show", "--name-status", "--format=", sha]);
    return { summary: `committed ${sha.slice(0, 12)} ${commit.subject}`, details, commit: sha, warnings: [] };
  } catch (error) {
    // Both paths were clean before we started, so HEAD is exactly their previous state.
    try {
      git(root, ["add", "--all", "--", ...paths]);
      restorePaths(root, "HEAD", paths);
    } catch (undoError) {
      throw new Error(`${(error as Error).message}\nand putting ${paths.join(" and ")} back to HEAD failed too: ${(undoError as Error).message}`);
    }
    throw error;
  }
}
