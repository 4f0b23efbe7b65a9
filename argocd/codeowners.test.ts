/**
 * .github/CODEOWNERS gives every path that decides what Argo CD may do an
 * owner, using GitHub's rules: gitignore-like patterns, the last matching
 * line wins, a line without owners removes ownership.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "../generator/load/environments.ts";

interface Rule {
  pattern: string;
  owners: string[];
}

const rules: Rule[] = readFileSync(join(REPO_ROOT, ".github", "CODEOWNERS"), "utf8")
  .split("\n")
  .map((line) => line.replace(/(^|\s)#.*$/, "").trim())
  .filter(Boolean)
  .map((line) => {
    const [pattern, ...owners] = line.split(/\s+/);
    return { pattern: pattern!, owners };
  });

/**
 * The patterns used here: `/dir/` (everything under it), `/file` (that file)
 * and `/dir/*.ts` (`*`: any characters but `/`, as in gitignore), anchored
 * at the root.
 */
function matches(pattern: string, path: string): boolean {
  assert.ok(pattern.startsWith("/") && !/[?[]|\*\*/.test(pattern), `CODEOWNERS pattern ${pattern}: this test models only anchored paths and a single *`);
  const anchored = pattern.slice(1);
  if (anchored.endsWith("/")) return path.startsWith(anchored);
  const regex = new RegExp(`^${anchored.split("*").map((part) => part.replace(/[.+^${}()|\\]/g, "\\$&")).join("[^/]*")}$`);
  return regex.test(path);
}

function ownersOf(path: string): string[] {
  let owners: string[] = [];
  for (const rule of rules) if (matches(rule.pattern, path)) owners = rule.owners;
  return owners;
}

const tracked = execFileSync("git", ["ls-files"], { cwd: REPO_ROOT, encoding: "utf8" }).split("\n").filter(Boolean);

describe(".github/CODEOWNERS", () => {
  it("owns everything under argocd/, the generator code that renders it, the cluster facts and scripts, and .github/", () => {
    const mustBeOwned = [
      ...tracked.filter((path) => path.startsWith("argocd/") || path.startsWith("clusters/") || path.startsWith(".github/")),
      "generator/components/argocd.ts",
      "generator/components/cert-manager.ts",
      "generator/render.ts",
      "generator/components/argocd-projects.test.ts",
      "generator/components/argocd-removal.test.ts",
      "generator/testing/argocd-project.ts",
      "generator/testing/argocd-sync.ts",
    ];
    const unowned = mustBeOwned.filter((path) => ownersOf(path).length === 0);
    assert.deepEqual(unowned, []);
  });

  it("owns the environment files, which run as code, but not their images and sealed files, which are data a release or a seal edits", () => {
    const environments = tracked.filter((path) => path.startsWith("environments/"));
    assert.deepEqual(environments.filter((path) => path.endsWith(".ts") && ownersOf(path).length === 0), []);
    assert.deepEqual(environments.filter((path) => path.endsWith(".json") && ownersOf(path).length > 0), []);
  });

  it("names owners GitHub can resolve (@user or @org/team), and only paths that exist", () => {
    for (const { pattern, owners } of rules) {
      for (const owner of owners) assert.match(owner, /^@[\w-]+(\/[\w.-]+)?$/, `${pattern}: ${owner}`);
      assert.ok(tracked.some((file) => matches(pattern, file)), `${pattern} matches no tracked file`);
    }
  });
});
