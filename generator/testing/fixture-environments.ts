/**
 * The environments the tests are written against: dev → staging → prod as
 * this repository ships them, frozen in generator/testing/fixtures/environments/
 * (byte-for-byte copies of the shipped environments/<env>.ts and
 * <env>.images.json; the shipped ones seal nothing, so neither does the fixture).
 *
 * Why frozen copies: a team forks this repository and uses it. Every release
 * edits environments/<env>.images.json, a setting change edits
 * environments/<env>.ts, and adding an environment
 * (README, "Add an environment") adds files and may move staging's
 * `delivery.promotedFrom`.
 * The tests of the generator's behaviour (release, promote, rollback, the
 * CLI, the caches, the load errors, a shipped environment's shape) expect
 * known contents (tags 1.0.0, `backend: { replicas: 2 }`, LOG_LEVEL "DEBUG",
 * …) and must keep passing after all of that, or CI turns red at the first
 * release. So the scratch repositories they run in (scratch.ts,
 * git-scratch.ts) and the settings they load in-process (fixtures.ts) take
 * these three environments from the frozen copies, never from the work tree:
 * every other environment's files are left out, and a fixture environment's
 * sealed file too.
 *
 * In the repository as shipped the work tree holds exactly the fixture
 * (fixtureFiles() is empty), so it costs nothing there: no file written, no
 * render. fixture-environments.test.ts checks that the frozen copies load,
 * render and pass check, and that the fixture survives the README's recipes.
 * A change to the generator that needs the shipped environment files changed
 * (a renamed setting) changes these copies in the same commit.
 *
 * Not frozen: clusters/minikube/cluster.ts, read from the work tree. A team
 * that changes its cluster's facts (the Git URL, resources, addons) changes
 * what tests of the bootstrap and the scripts expect from them; those tests
 * read the facts, they do not restate them, but a fact the shipped shape
 * depends on (the ingress class, the CNI) can still turn a test red.
 *
 * Whole-graph tests (invariants, the policy bar over the committed manifests,
 * the drift check, one .secrets template per environment) run over every
 * environment there is, as the user has them: listEnvironments(), not this
 * list, and only properties that hold for any configuration the render accepts.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { environmentFileName, imagesFileName, sealedFileName } from "../environment-files.ts";
import { REPO_ROOT, listEnvironments } from "../load/environments.ts";

/** The fixture's environments, in listEnvironments()'s order. */
export const FIXTURE_ENVIRONMENTS: readonly string[] = ["dev", "prod", "staging"];

/** Where the frozen copies are kept (in this checkout's generator, whichever repository a test makes). */
export const FIXTURE_DIR = fileURLToPath(new URL("./fixtures/environments/", import.meta.url));

/**
 * A name no environment has, for the tests of "an unknown environment": not
 * `qa` or `perf`, which a user may well add.
 */
export const UNKNOWN_ENVIRONMENT = "no-such-env";

let frozen: ReadonlyMap<string, string> | undefined;

/** The frozen files, by the repository-relative path each takes in a repository (environments/<env>.ts, <env>.images.json). */
export function frozenFiles(): ReadonlyMap<string, string> {
  frozen ??= new Map(
    FIXTURE_ENVIRONMENTS.flatMap((name) =>
      [environmentFileName(name), imagesFileName(name)].map((path): [string, string] => [path, readFileSync(join(FIXTURE_DIR, path.slice("environments/".length)), "utf8")]),
    ),
  );
  return frozen;
}

/**
 * The fixture, as changes to `root`'s files (by repository-relative path;
 * null: left out): each frozen file `root` does not hold as it is, every
 * other environment's files, and the fixture environments' sealed files.
 * Empty where `root` holds the fixture (the repository as shipped).
 */
export function fixtureFiles(root = REPO_ROOT): Map<string, string | null> {
  const files = new Map<string, string | null>();
  for (const [path, text] of frozenFiles()) {
    const absolute = join(root, path);
    if (!existsSync(absolute) || readFileSync(absolute, "utf8") !== text) files.set(path, text);
  }
  for (const name of listEnvironments(root)) {
    const paths = FIXTURE_ENVIRONMENTS.includes(name) ? [sealedFileName(name)] : [environmentFileName(name), imagesFileName(name), sealedFileName(name)];
    for (const path of paths) if (existsSync(join(root, path))) files.set(path, null);
  }
  return files;
}

/**
 * Makes a scratch copy `dir` of the repository hold the fixture: writes
 * fixtureFiles(dir), and leaves out the other environments' `.secrets/`
 * templates and manifests. Returns whether anything changed (then rendered
 * files copied from the repository are stale: the caller renders again).
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
