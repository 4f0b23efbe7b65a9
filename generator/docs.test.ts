/** The documentation stays true to the repository: its links resolve and every npm script is explained. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "./load/environments.ts";

const markdownFiles = execFileSync("git", ["ls-files", "*.md"], { cwd: REPO_ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

describe("the documentation", () => {
  it("links only to files that exist and to headings that exist", () => {
    assert.ok(markdownFiles.includes("README.md"));
    const broken: string[] = [];
    for (const file of markdownFiles) {
      const text = readFileSync(join(REPO_ROOT, file), "utf8").replace(/```[\s\S]*?```/g, "");
      const headings = new Set([...text.matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1]!)));
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [path, fragment] = target!.split("#");
        if (path) {
          if (!existsSync(join(REPO_ROOT, dirname(file), path))) broken.push(`${file}: ${target} does not exist`);
        } else if (fragment && !headings.has(fragment)) {
          broken.push(`${file}: #${fragment} is not a heading`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });

  it("shows every npm script in the README", () => {
    const scripts = Object.keys((JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);
    const internal = new Set(["typecheck", "test:unit"]);
    const missing = scripts.filter((name) => !internal.has(name) && !readme.includes(`npm run ${name}`) && !readme.includes(`npm ${name}`));
    assert.deepEqual(missing, [], "scripts the README never mentions");
  });
});
