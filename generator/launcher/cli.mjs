#!/usr/bin/env node
// @ts-check
/**
 * `npm run render|check|diff`: runs generator/commands/cli.ts from its bundle, rebuilt
 * first if any source changed (see build.mjs). Same arguments, output and exit
 * codes as `node generator/commands/cli.ts`.
 */
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BuildError, bundledCli } from "./build.mjs";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
let bundle;
try {
  bundle = await bundledCli(root);
} catch (error) {
  if (!(error instanceof BuildError)) throw error;
  console.error(`${error.message}Nothing was written.`);
  process.exit(1);
}
await import(pathToFileURL(bundle.path).href);
