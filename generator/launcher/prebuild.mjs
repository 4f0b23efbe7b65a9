// @ts-check
/**
 * `npm ci` / `npm install` run this after installing (package.json "prepare",
 * after the hook): the generator's bundle is built now, once, as a compile
 * step would be, so that the first `npm run render` of the README's set-up
 * starts as fast as every later one. It never fails the install: a generator
 * that does not compile is reported, with its file and line, by the first
 * command that needs it (which builds the bundle itself whenever it is
 * missing or stale). Then it runs the bundle once (`--help`, output
 * dropped) so that Node's compile cache (.cache/node-compile/) holds V8's
 * code for it, as pip compiles .pyc files at install: the first command
 * would otherwise compile 2.6 MB of JavaScript (about 40 ms of CPU here).
 */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(import.meta.url), "../../..");
try {
  const { bundledCli } = await import("./build.mjs");
  const { rebuilt } = await bundledCli(root);
  if (rebuilt) {
    spawnSync(process.execPath, [join(root, "generator/launcher/cli.mjs"), "--help"], { cwd: root, stdio: "ignore" });
    console.log("generator: bundle built (.cache/generator/)");
  }
} catch (error) {
  console.log(`generator: bundle not built now (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); the first command builds it`);
}
