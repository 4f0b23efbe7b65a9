/** Scratch copies of the repository, for tests and the benchmark: nothing here renders, so importing it is cheap. */
import { cpSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../load/environments.ts";
import { applyFixture } from "./fixture-environments.ts";

/**
 * A scratch copy of the repository's sources (not its rendered files), sharing
 * node_modules, with the tests' fixture environments (dev → staging → prod,
 * fixture-environments.ts), not the environments a user added.
 */
export function scratchRepository(prefix = "todo-render-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const entry of ["generator", "environments", "clusters", "package.json", "tsconfig.json"]) {
    cpSync(join(REPO_ROOT, entry), join(dir, entry), { recursive: true });
  }
  applyFixture(dir);
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}
