#!/usr/bin/env node
// @ts-check
/**
 * `npm run render|check|diff`, `npm run release|promote|rollback|restore|history`
 * and `npm run seal`: run the command from the generator's bundle, rebuilt
 * first if any source changed (see build.mjs). Same arguments, output and
 * exit codes as `node generator/commands/cli.ts <command>`,
 * `node generator/release/cli.ts <command>` and `node generator/secrets/seal-cli.ts`.
 */
import * as nodeModule from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { nodeTooOld } from "./node-version.mjs";

const root = resolve(fileURLToPath(import.meta.url), "../../..");

// Before anything else: an old Node stops here with one line (node-version.mjs).
const tooOld = nodeTooOld();
if (tooOld) {
  console.error(`${tooOld} Nothing was written.`);
  process.exit(1);
}

// V8's code cache for the bundle (and esbuild, when it runs), kept by Node
// itself (Node >= 22.1): compiling the 2.6 MB bundle was about a sixth of a warm check.
nodeModule.enableCompileCache(process.env.NODE_COMPILE_CACHE || join(root, ".cache", "node-compile"));
const { BuildError, bundledCli } = await import("./build.mjs");
let bundle;
try {
  bundle = await bundledCli(root);
} catch (error) {
  if (!(error instanceof BuildError)) throw error;
  console.error(`${error.message}Nothing was written.`);
  process.exit(1);
}
await import(pathToFileURL(bundle.path).href);
