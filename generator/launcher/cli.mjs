#!/usr/bin/env node
// @ts-check
/**
 * `npm run render|check|diff`, `npm run release|promote|rollback|restore|history`
 * and `npm run seal`: run the command from the generator's bundle, rebuilt
 * first if any source changed (see build.mjs; generator/commands/entry.ts
 * picks the CLI). Same arguments, output and exit codes as
 * `node generator/commands/cli.ts <command>`, `node generator/release/cli.ts <command>`
 * and `node generator/secrets/seal-cli.ts`.
 *
 * When the command cannot run at all (Node too old, the generator does not
 * compile) the exit code is what the command gives for a failure
 * (generator/commands/exit-codes.ts): 2 for check and diff, whose 1 means
 * "there are differences", 1 for the others; and only the commands that
 * write say that nothing was written.
 */
import * as nodeModule from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { nodeTooOld } from "./node-version.mjs";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
const command = process.argv[2] ?? "";
const answersAQuestion = ["check", "diff"].includes(command);
const readOnly = answersAQuestion || command === "history";

/** @param {string} message @returns {never} */
function cannotRun(message) {
  console.error(readOnly ? message.trimEnd() : `${message.trimEnd()}\nNothing was written.`);
  process.exit(answersAQuestion ? 2 : 1);
}

// Before anything else: an old Node stops here with one line (node-version.mjs).
const tooOld = nodeTooOld();
if (tooOld) cannotRun(tooOld);

// V8's code cache for the bundle (and esbuild, when it runs), kept by Node
// itself (Node >= 22.1): compiling the 2.6 MB bundle was about a sixth of a warm check.
nodeModule.enableCompileCache(process.env.NODE_COMPILE_CACHE || join(root, ".cache", "node-compile"));
const { BuildError, bundledCli } = await import("./build.mjs");
let bundle;
try {
  bundle = await bundledCli(root);
} catch (error) {
  if (!(error instanceof BuildError)) throw error;
  cannotRun(error.message);
}
await import(pathToFileURL(bundle.path).href);
