// @ts-check
/**
 * `node --import ./generator/launcher/require-node.mjs <file>.ts`: the npm
 * scripts that run a TypeScript file directly (settings:reference, bench,
 * images, test:unit) load this first, so that an old Node stops with one line
 * (node-version.mjs) before it tries to load the .ts file. Exit code 1.
 */
import { nodeTooOld } from "./node-version.mjs";

const problem = nodeTooOld();
if (problem) {
  console.error(problem);
  process.exit(1);
}
