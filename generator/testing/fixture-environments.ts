/**
 * The environments the tests are written against: dev → staging → prod, the
 * three this repository ships, on their shipped promotion path.
 *
 * Why a fixture: a team forks this repository and adds environments (README,
 * "Add an environment"), which may move staging's `delivery.promotedFrom` to
 * the new one. The tests of the generator's behaviour (release, promote,
 * rollback, the CLI, the caches, the load errors, the shipped settings' shape)
 * need known environments and a known promotion path, and must keep passing
 * in that user's repository. So the scratch repositories they run in
 * (scratch.ts, git-scratch.ts) and the settings they load in-process
 * (fixtures.ts's settingsOf and problemsWith) hold exactly these three: every
 * other environment's files are left out, and staging is put back on dev.
 *
 * Why these files and not copies kept under generator/testing/: copies would
 * drift from the shipped files (and stop testing them) the first time someone
 * edits dev.ts; the repository's own three are the fixture, with only the
 * user's additions taken away. In the repository as shipped the fixture is
 * the work tree itself (fixtureFiles() is empty), so it costs nothing there.
 *
 * Whole-graph tests (invariants, the policy bar over the committed manifests,
 * the drift check, one .secrets template per environment) run over every
 * environment there is instead: listEnvironments(), not this list.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { environmentFileName, imagesFileName, sealedFileName } from "../environment-files.ts";
import { REPO_ROOT, listEnvironments } from "../load/environments.ts";

/** The fixture's environments, in listEnvironments()'s order. */
export const FIXTURE_ENVIRONMENTS: readonly string[] = ["dev", "prod", "staging"];

/** Each fixture environment's source (delivery.promotedFrom): the shipped path dev → staging → prod. */
const PROMOTED_FROM: Readonly<Record<string, string>> = { staging: "dev", prod: "staging" };

/**
 * A name no environment has, for the tests of "an unknown environment": not
 * `qa` or `perf`, which a user may well add.
 */
export const UNKNOWN_ENVIRONMENT = "no-such-env";

/** `promotedFrom: "<env>"` as an environment file states it (either quote). */
const PROMOTED_FROM_SETTING = /promotedFrom:\s*(["'])([^"']*)\1/;

/**
 * The fixture, as changes to `root`'s files (by repository-relative path;
 * null: left out): every environment's files but the fixture's, and
 * staging.ts with its source put back. Empty where `root` holds the fixture.
 */
export function fixtureFiles(root = REPO_ROOT): Map<string, string | null> {
  const files = new Map<string, string | null>();
  const present = listEnvironments(root);
  const absent = FIXTURE_ENVIRONMENTS.filter((name) => !present.includes(name));
  if (absent.length) {
    throw new Error(`the tests' fixture is this repository's ${FIXTURE_ENVIRONMENTS.join(", ")} (generator/testing/fixture-environments.ts), but there is no ${absent.map(environmentFileName).join(", ")}`);
  }
  for (const name of present.filter((name) => !FIXTURE_ENVIRONMENTS.includes(name))) {
    for (const file of [environmentFileName(name), imagesFileName(name), sealedFileName(name)]) if (existsSync(join(root, file))) files.set(file, null);
  }
  for (const [name, source] of Object.entries(PROMOTED_FROM)) {
    const file = environmentFileName(name);
    const text = readFileSync(join(root, file), "utf8");
    const stated = PROMOTED_FROM_SETTING.exec(text);
    if (!stated) throw new Error(`the tests' fixture expects ${file} to state delivery.promotedFrom (generator/testing/fixture-environments.ts)`);
    if (stated[2] !== source) files.set(file, text.replace(PROMOTED_FROM_SETTING, `promotedFrom: ${stated[1]}${source}${stated[1]}`));
  }
  return files;
}

/**
 * Makes a scratch copy `dir` of the repository hold the fixture: writes
 * fixtureFiles(dir), and leaves out the other environments' `.secrets/`
 * templates. Returns whether anything changed (then rendered files copied
 * from the repository are stale: the caller renders again).
 */
export function applyFixture(dir: string): boolean {
  const extra = listEnvironments(dir).filter((name) => !FIXTURE_ENVIRONMENTS.includes(name));
  const files = fixtureFiles(dir);
  for (const [file, text] of files) {
    if (text === null) rmSync(join(dir, file), { force: true });
    else writeFileSync(join(dir, file), text);
  }
  for (const name of extra) {
    rmSync(join(dir, ".secrets", `${name}.env.example`), { force: true });
    rmSync(join(dir, "manifests", name), { recursive: true, force: true });
  }
  return files.size > 0;
}
