/**
 * Which of the repository's files a release's render reads or writes, for the
 * release commands' clean-tree check (preconditions.ts): exactly those, so
 * that a note beside the settings, a cluster script or an editor's swap file
 * does not block a release (an incident's rollback least of all), while
 * anything the commit would carry or render from does.
 *
 * - Read by name: each environment's settings files (`<env>.ts`,
 *   `.images.json`, `.sealed.json`) and each cluster's `cluster.ts`, also new
 *   ones, which the next load takes as an environment or a cluster
 *   (commands/settings-files.ts).
 * - Written: all of manifests/ (a stray file there is drift) and the Argo CD
 *   objects the render owns, argocd/apps/ and argocd/bootstrap/ (not
 *   argocd/install/, which `npm run cluster:up` applies).
 * - What decides how the code is built and run: package.json and its lock file
 *   (the dependencies), tsconfig.json (esbuild reads it to compile).
 * - The generator's code: the repository files its bundle is built from
 *   (the launcher lists them, build.mjs's sources.json; from the TypeScript
 *   sources, the same set is computed here as esbuild bundles it).
 * - What the environment and cluster files import (helpers of their own),
 *   as loading them reports it (load/module.ts).
 *
 * The last two cost a compile: they are only asked about a changed file that
 * none of the others names.
 */
import { ARGOCD_APPS_DIR, ARGOCD_BOOTSTRAP_DIR } from "../components/argocd.ts";
import { isSettingsFile, settingsFilesIn } from "../commands/settings-files.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ModuleLoadError, loadModule } from "../load/module.ts";
import { MANIFESTS_DIR } from "../render.ts";

/** Directories the render writes: every file in them is its. */
export const RENDER_OUTPUT_DIRS = [MANIFESTS_DIR, ARGOCD_APPS_DIR, ARGOCD_BOOTSTRAP_DIR] as const;

/** Files that decide how the generator is built and run. */
export const BUILD_FILES = ["package.json", "package-lock.json", "tsconfig.json"] as const;

/**
 * The launcher (generator/launcher/): how the bundle is built and started (esbuild's aliases, entry and banner in
 * build.mjs, the Node check), which esbuild does not list among the bundle's inputs.
 */
const LAUNCHER_DIR = "generator/launcher/";

/** Read or written by the render whatever the code imports. */
export function isFixedRenderInput(path: string): boolean {
  return (
    isSettingsFile(path) ||
    (BUILD_FILES as readonly string[]).includes(path) ||
    (path.startsWith(LAUNCHER_DIR) && !path.endsWith(".test.ts")) ||
    RENDER_OUTPUT_DIRS.some((dir) => path.startsWith(`${dir}/`))
  );
}

/** The module the launcher bundles (generator/launcher/build.mjs imports it from its generated entry). */
export const GENERATOR_ENTRY = "generator/commands/entry.ts";

/** The generator's code, when it cannot be computed: every module under generator/ that is not a test's. */
export const GENERATOR_DIR = "generator";
export function isGeneratorModule(path: string): boolean {
  return path.startsWith(`${GENERATOR_DIR}/`) && /\.(ts|mjs|json)$/.test(path) && !path.endsWith(".test.ts") && !path.startsWith(`${GENERATOR_DIR}/testing/`);
}

/**
 * The repository files the generator's bundle is built from: its entry and
 * every module it imports, as esbuild resolves them for the launcher
 * (dependencies outside the repository's own code are left out, as in the
 * launcher's sources.json, which lists the same set). Throws when the code
 * does not build (esbuild's message).
 */
export async function generatorSources(root: string): Promise<string[]> {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [GENERATOR_ENTRY],
    absWorkingDir: root,
    bundle: true,
    // Only which files are imported matters: installed packages are not followed.
    packages: "external",
    platform: "node",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
    outdir: join(root, ".cache", "generator-sources"),
  });
  return Object.keys(result.metafile.inputs).filter((path) => !path.split("/").includes("node_modules"));
}

/**
 * Every repository file the environment and cluster files on disk import
 * (load/module.ts compiles them with what they import; the compile is kept in
 * memory for the render that follows). A file that does not load counts with
 * the files its problems name: the render reads them to fail on them.
 */
export async function settingsModuleImports(root: string): Promise<Set<string>> {
  const imported = new Set<string>();
  for (const path of settingsFilesIn(root, []).filter((file) => file.endsWith(".ts"))) {
    try {
      const { inputs } = await loadModule(root, { path, text: readFileSync(join(root, path), "utf8") });
      for (const input of Object.keys(inputs)) imported.add(input);
    } catch (error) {
      if (!(error instanceof ModuleLoadError)) throw error;
      for (const problem of error.problems) imported.add(problem.file);
    }
  }
  return imported;
}
