// @ts-check
/**
 * The one check that must run before anything else: the generator's sources
 * use what Node gives from package.json's "engines" on (type stripping, the
 * compile cache), and an older Node fails with an error about neither
 * (ERR_UNKNOWN_FILE_EXTENSION ".ts" and a stack trace). Plain JavaScript, so
 * that any Node can run it. `npm ci` refuses such a Node too (.npmrc:
 * engine-strict); this covers a clone installed with another Node, and
 * `node --run`, which reads no .npmrc.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "../../..");

/**
 * Why this Node cannot run the repository, in one line, or undefined when it can.
 * @param {string} [version] process.versions.node by default
 * @returns {string | undefined}
 */
export function nodeTooOld(version = process.versions.node) {
  const required = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).engines.node.replace(/^>=\s*/, "");
  const [major = 0, minor = 0, patch = 0] = version.split(".").map(Number);
  const [needMajor = 0, needMinor = 0, needPatch = 0] = required.split(".").map(Number);
  const older = major !== needMajor ? major < needMajor : minor !== needMinor ? minor < needMinor : patch < needPatch;
  if (!older) return undefined;
  return `Node.js v${version} is too old for this repository: it needs Node.js ${required} or later (package.json "engines"; 24 LTS is tested).`;
}
