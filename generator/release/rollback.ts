/**
 * `rollback <env> [<commit>]`: undoes the environment's newest image change.
 * It finds the newest commit that changed the images the environment runs
 * (a release, a promotion, a rollback, or a hand edit of its images file),
 * takes the images file as it was just before it, and commits that as a new
 * commit, with every other setting as it is now and the manifests rendered
 * by today's generator, exactly as a release of those tags would be. So it
 * works whatever changed in the generator or the other settings since, and
 * a second rollback undoes the first. With a commit, it takes the images
 * the environment ran at that commit instead.
 *
 * To put back all of an environment's settings and manifests exactly as at
 * a commit (Argo CD's History rollback), use `restore` (restore.ts).
 */
import { readBlobs } from "../commands/git-view.ts";
import { imagesFileName } from "../environment-files.ts";
import { type Outcome, applySettingsChange, formatImagesFile } from "./change.ts";
import { git, revParse } from "./git.ts";
import { type HistoryEntry, type ImageRefs, imagesDiffer, parseImageRefs, readHistory, tagsOfRefs } from "./history.ts";
import { type CommitOptions, ReleaseRefusal, checkEnvironment, checkReadyToCommit, checkRepository } from "./preconditions.ts";
import { TRAILER, type Tags, describeChange, describeTags } from "./release-commit.ts";
import { describeImage } from "./release.ts";
import { formatLoadProblem } from "../errors.ts";
import { parseJsonFile } from "../load/json-file.ts";

export interface RollbackOptions extends CommitOptions {
  environment: string;
  /** A commit whose images to run again; default: those before the newest image change. */
  target?: string;
}

/** The newest entry that changed the environment's images. */
export function newestImageChange(entries: HistoryEntry[]): HistoryEntry | undefined {
  return entries.find((entry) => imagesDiffer(entry.images, entry.imagesBefore));
}

/** Each component's image as commit subjects name it: its tag, with its digest (shortened) when it has one. */
function describeRefs(refs: ImageRefs): Tags {
  return Object.fromEntries(
    Object.entries(refs).flatMap(([component, { tag, digest }]) =>
      typeof tag === "string" ? [[component, describeImage(typeof digest === "string" ? { tag, digest } : { tag })]] : [],
    ),
  );
}

/** Today's images file with each component as `wanted` has it (components `wanted` lacks stay as they are). */
function imagesAs(current: ImageRefs, wanted: ImageRefs): ImageRefs {
  return Object.fromEntries(Object.entries(current).map(([component, ref]) => [component, wanted[component] ?? ref]));
}

export async function rollback({ root, environment, target, dryRun, allowRemoval = false, generatorSources }: RollbackOptions): Promise<Outcome> {
  checkRepository(root);
  checkEnvironment(root, environment);
  const listing = `see \`npm run history -- ${environment}\``;
  const imagesPath = imagesFileName(environment);
  const entries = readHistory(root, environment);

  let wanted: ImageRefs | undefined;
  let undone: HistoryEntry | undefined;
  let from: string;
  if (target === undefined) {
    undone = newestImageChange(entries);
    if (!undone) throw new ReleaseRefusal(`${environment}: its images have not changed since ${imagesPath} was first committed: there is no image change to undo (${listing})`);
    if (!undone.imagesBefore) {
      throw new ReleaseRefusal(`${environment}: its newest image change, ${undone.shortCommit} (${undone.subject}), created ${imagesPath}: there are no earlier images to go back to (${listing})`);
    }
    wanted = undone.imagesBefore;
    from = git(root, ["rev-parse", `${undone.commit}^`]).trim();
  } else {
    const sha = revParse(root, target);
    if (!sha) throw new ReleaseRefusal(`${environment}: target = "${target}": not a commit in this repository (${listing})`);
    wanted = parseImageRefs(readBlobs(root, [`${sha}:${imagesPath}`]).get(`${sha}:${imagesPath}`));
    if (!wanted) throw new ReleaseRefusal(`${environment}: target = "${target}": commit ${sha.slice(0, 12)} has no readable ${imagesPath} (${listing})`);
    from = sha;
  }
  await checkReadyToCommit(root, `rollback ${environment}`, { dryRun, generatorSources });

  const headImages = git(root, ["show", `HEAD:${imagesPath}`]);
  const current = parseImageRefs(headImages);
  if (!current) {
    const parsed = parseJsonFile(imagesPath, headImages);
    const why = "problems" in parsed ? parsed.problems.map(formatLoadProblem).join("; ") : "not a JSON object of images";
    throw new ReleaseRefusal(`${environment}: ${imagesPath} in HEAD cannot be read (${why}): fix it with npm run release -- ${environment} <component>=<tag>, or go back to a commit with npm run restore -- ${environment} <commit> (${listing})`);
  }
  const next = imagesAs(current, wanted);
  const fromShort = from.slice(0, 7);
  if (!imagesDiffer(current, next)) {
    throw new ReleaseRefusal(`${environment} already runs the images of ${fromShort}: this rollback changes nothing (${listing})`);
  }
  // Images, not tags: a rollback may change only a digest (a tag re-pushed and released again with its new digest).
  const [imagesBefore, imagesAfter] = [describeRefs(current), describeRefs(next)];
  const change = describeChange(imagesBefore, imagesAfter);
  const head = git(root, ["rev-parse", "--short", "HEAD"]).trim();
  const subject = undone ? `rollback(${environment}): ${change}, undoing ${undone.shortCommit}` : `rollback(${environment}): ${change}, the images of ${fromShort}`;
  const what = undone
    ? `Undoes the image change of ${undone.shortCommit} "${undone.subject}": ${environment} runs the images it ran before it again.`
    : `${environment} runs the images it ran at ${fromShort} again.`;
  const notes = [what, `Every other setting is as at ${head}; the manifests are rendered by the current generator.`];
  // Undoing a rollback is specified ("a second rollback undoes the first"), but it ships again what was rolled back, maybe a bad release: say so plainly.
  if (undone?.rollbackOf) {
    const reapplied = describeTags(Object.fromEntries(Object.entries(imagesAfter).filter(([component, image]) => imagesBefore[component] !== image)));
    const original = entries.find((entry) => entry.commit === undone.rollbackOf);
    notes.unshift(
      `note: this re-applies ${reapplied}, which rollback ${undone.shortCommit} undid` +
        (original ? ` (it rolled back ${original.shortCommit} "${original.subject}")` : "") +
        `; to go further back instead, name the commit: npm run rollback -- ${environment} <commit> (${listing}).`,
    );
  }
  return applySettingsChange({
    root,
    environment,
    files: new Map([[imagesPath, formatImagesFile(next)]]),
    what: `the images of ${fromShort}`,
    dryRun,
    allowRemoval,
    notes,
    commit: {
      environment,
      action: "rollback",
      subject,
      tags: tagsOfRefs(next),
      extraTrailers: { ...(undone ? { [TRAILER.rollbackOf]: undone.commit } : {}), [TRAILER.rollbackTo]: from },
    },
  });
}
