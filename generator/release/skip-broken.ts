/**
 * Why the release commands, and only they, go on past another environment's
 * broken files.
 *
 * A release, promotion, rollback or restore moves one environment (X). If
 * another environment's committed files do not load or break their own rules
 * (say an environments/dev.ts committed past the pre-commit hook with a
 * duplicate key), refusing `rollback prod` would hold up an incident over a
 * file that has nothing to do with prod. So here X is loaded and checked in
 * full as always (X's own problems still refuse), the rules across
 * environments are checked among those that load, and the broken ones are
 * set aside and named in a warning. What X's commit may touch shrinks to what
 * is X's alone: manifests/X/, X's settings files, and X's own Application and
 * AppProject. The files under argocd/ that every environment shares (the Dapr
 * control plane's while any environment enables Dapr, cert-manager's while
 * any serves TLS, the root, the closed default project) are left exactly as
 * they are on disk: what they should be depends on the broken environment,
 * which cannot be read. If X's change alters them (X's old and new settings,
 * each rendered with the environments that load, give different shared
 * files), it is refused: that cannot be done safely while the other does not
 * load.
 *
 * render, check and diff stay strict (loadEnvironments()): a broken file is a
 * broken repository, and CI must fail until it is fixed.
 */
import { filesUnder } from "../commands/output.ts";
import { ARGOCD_APPS_DIR, ARGOCD_BOOTSTRAP_DIR } from "../components/argocd.ts";
import { SettingsError, formatLoadProblem, formatProblem } from "../errors.ts";
import { type BrokenEnvironment, loadEnvironmentsSkippingBroken } from "../load/environments.ts";
import { MANIFESTS_DIR, type Rendered, ownArgocdFiles, render } from "../render.ts";
import type { Settings } from "../settings.ts";
import { git } from "./git.ts";
import { ReleaseRefusal } from "./preconditions.ts";

const ARGOCD_DIRS = [ARGOCD_APPS_DIR, ARGOCD_BOOTSTRAP_DIR];

/** How many of a skipped environment's problems the warning shows. */
const PROBLEMS_SHOWN = 3;

export interface ReleaseRender {
  /** The environments that load (X among them), checked on their own and across each other. */
  settings: Settings[];
  /** X's render; with environments skipped, confined to X's own files (the rest of argocd/ kept as on disk). */
  rendered: Rendered;
  /** Environments set aside: their own files do not load or break their own rules. */
  skipped: BrokenEnvironment[];
}

function isArgocdFile(path: string): boolean {
  return ARGOCD_DIRS.some((dir) => path.startsWith(`${dir}/`));
}

/** The argocd/ files a render of `environment` gives that are not that environment's own: path → content. */
function sharedArgocdFiles(rendered: Rendered, own: readonly string[]): Map<string, string> {
  return new Map([...rendered.files].filter(([path]) => isArgocdFile(path) && !own.includes(path)));
}

/** ` and ` / `, ` list: `dev`, `dev and qa`, `dev, qa and perf`. */
function names(list: readonly string[]): string {
  return list.length < 2 ? (list[0] ?? "") : `${list.slice(0, -1).join(", ")} and ${list.at(-1)}`;
}

/**
 * Loads every environment with `files` in memory, skipping those whose own
 * files are broken, and renders `environment`. Throws SettingsError when
 * `environment` itself fails (its own problems) or when a problem is no
 * single environment's (a cluster, a stray file, a rule across those that
 * load); ReleaseRefusal when the change would alter a shared argocd/ file
 * while an environment is skipped; InvalidObjectsError from the render.
 * The work tree is HEAD's (the caller checked it is clean).
 */
export async function renderSkippingBroken(root: string, environment: string, files: ReadonlyMap<string, string | null>): Promise<ReleaseRender> {
  const after = await loadEnvironmentsSkippingBroken({ root, files });
  const own = after.broken.find((broken) => broken.name === environment);
  if (own) throw own.error;
  const rendered = await render(after.settings, { environments: [environment] });
  if (!after.broken.length) return { settings: after.settings, rendered, skipped: [] };

  const skipped = after.broken.map((broken) => broken.name);
  const target = after.settings.find((settings) => settings.name === environment)!;
  const ownFiles = ownArgocdFiles(target);
  // The shared files as X's committed settings give them, with the same environments loaded: X's change must not alter them.
  const cannotTell = (why: string) =>
    new ReleaseRefusal(
      `${environment}: ${why}, so whether this change alters the argocd/ files every environment shares cannot be told ` +
        `while ${names(skipped)} ${skipped.length === 1 ? "does" : "do"} not load; fix ${names(skipped)} first (see \`npm run check\`).`,
    );
  let committed: Awaited<ReturnType<typeof loadEnvironmentsSkippingBroken>>;
  try {
    committed = await loadEnvironmentsSkippingBroken({ root });
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    // Problems no single environment owns: a rule across the committed environments (which this change may be fixing), a stray file, the cluster.
    throw cannotTell(`the committed environments break a rule across environments or a shared file:\n${error.message}\n`);
  }
  if (committed.broken.some((broken) => broken.name === environment)) throw cannotTell("its committed files do not load either");
  const before = sharedArgocdFiles(await render(committed.settings, { environments: [environment] }), ownFiles);
  const now = sharedArgocdFiles(rendered, ownFiles);
  const altered = [...new Set([...before.keys(), ...now.keys()])].filter((path) => before.get(path) !== now.get(path)).sort();
  if (altered.length) {
    throw new ReleaseRefusal(
      `${environment}: this change alters argocd/ files every environment shares:\n${altered.map((path) => `  - ${path}`).join("\n")}\n` +
        `What they must hold depends on every environment, and ${names(skipped)} ${skipped.length === 1 ? "does" : "do"} not load, ` +
        `so that cannot be done safely while ${names(skipped)} ${skipped.length === 1 ? "is" : "are"} broken: fix ${names(skipped)} first ` +
        `(a change of images alone never alters them: only ${environment}'s own Application and AppProject depend on its images).`,
    );
  }
  // Only X's own files are written: its manifests and its Argo CD objects; everything else under argocd/ stays as on disk.
  const manifests = `${MANIFESTS_DIR}/${environment}/`;
  const confined = new Map([...rendered.files].filter(([path]) => path.startsWith(manifests) || ownFiles.includes(path)));
  const keep = new Set(ARGOCD_DIRS.flatMap((dir) => filesUnder(root, dir)).filter((path) => !ownFiles.includes(path)));
  return { settings: after.settings, rendered: { ...rendered, files: confined, keep }, skipped: after.broken };
}

/** The newest commit that changed `paths`, `<sha> <subject>`, or undefined (no history). */
export function newestCommitChanging(root: string, paths: readonly string[]): string | undefined {
  try {
    return git(root, ["log", "-1", "--format=%h %s", "--", ...paths]).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the user is told (stderr, and the commit body) when environments were
 * skipped: which, their first problems (formatProblem shows no value that
 * may be a credential; formatLoadProblem shows a load error's own message at
 * its position: esbuild's, or whatever message an environment file's own
 * code threw), what was
 * not checked, and that `npm run check` fails until they are fixed.
 */
export function skippedWarning(root: string, environment: string, skipped: readonly BrokenEnvironment[]): string {
  const list = skipped.map((broken) => broken.name);
  const one = list.length === 1;
  const lines = [
    `${names(list)} ${one ? "was" : "were"} skipped: ${one ? "its" : "their"} own files do not load or break ${one ? "its" : "their"} rules, ` +
      `so only ${environment} was checked and only its files written (manifests/${environment}/, its settings files, its own Argo CD Application and AppProject):`,
  ];
  for (const { name, error } of skipped) {
    const problems = [...error.loadProblems.map(formatLoadProblem), ...error.problems.map(formatProblem)];
    const files = [...new Set([...error.loadProblems.map((problem) => problem.file), ...error.problems.flatMap((problem) => problem.file ?? [])])].sort();
    const culprit = files.length ? newestCommitChanging(root, files) : undefined;
    lines.push(`  ${name}${culprit ? ` (last changed by ${culprit})` : ""}:`);
    lines.push(...problems.slice(0, PROBLEMS_SHOWN).map((problem) => `    ${problem}`));
    if (problems.length > PROBLEMS_SHOWN) lines.push(`    … and ${problems.length - PROBLEMS_SHOWN} more (npm run check lists them all)`);
  }
  lines.push(
    `The rules across environments that involve ${names(list)} (one cluster, unique namespaces, hosts and node ports, the promotion path) were not checked, ` +
      `and the argocd/ files every environment shares were left as they are. ` +
      `\`npm run check\` (and render, diff) will fail until ${names(list)} ${one ? "is" : "are"} fixed: they check every environment, on purpose.`,
  );
  return lines.join("\n");
}
