/**
 * The pre-commit hook a user gets from `npm ci`: package.json's "prepare"
 * runs .husky/install.mjs, which points Git at .husky/ (husky), and the hook
 * runs `check --staged` through the launcher, as a real `git commit` runs it,
 * in a scratch repository with its own copy of the generator.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO_ROOT } from "../load/environments.ts";
import { edit, gitIn, gitTemplate, removeScratch } from "../testing/git-scratch.ts";

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** `git commit`, hooks and all: its exit code and what the hook printed. */
function commit(root: string, message: string) {
  const result = spawnSync("git", ["commit", "--quiet", "-m", message], { cwd: root, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("the pre-commit hook", () => {
  let root = "";
  before(() => {
    root = gitTemplate("todo-hook-", { copyGenerator: true });
    // What `npm ci` runs after installing: the "prepare" script.
    const prepare = spawnSync(process.execPath, [".husky/install.mjs"], { cwd: root, encoding: "utf8" });
    assert.equal(prepare.status, 0, prepare.stderr);
  });
  after(() => removeScratch(root));

  it("is installed by npm ci's prepare script, with husky pinned exactly", () => {
    assert.equal(manifest.scripts.prepare, "node .husky/install.mjs");
    assert.match(manifest.devDependencies.husky ?? "", /^\d+\.\d+\.\d+$/);
    assert.equal(gitIn(root, "config", "core.hooksPath").trim(), ".husky/_");
    assert.ok(existsSync(join(root, ".husky/_/pre-commit")));
    assert.match(readFileSync(join(root, ".husky/pre-commit"), "utf8"), /^node generator\/launcher\/cli\.mjs check --staged$/m);
  });

  it("lets a commit through when what is staged is a fresh render", () => {
    writeFileSync(join(root, "NOTES.md"), "notes\n");
    gitIn(root, "add", "NOTES.md");
    const result = commit(root, "notes");
    assert.equal(result.status, 0, result.output);
    assert.match(result.output, /what is staged is a fresh render of the staged settings/);
  });

  it("refuses staged settings whose render is not staged, naming the files; the work tree is not what it judges", () => {
    const headBefore = gitIn(root, "rev-parse", "HEAD");
    edit(root, "environments/staging.ts", "backend: { replicas: 2 }", "backend: { replicas: 3 }");
    gitIn(root, "add", "environments/staging.ts");
    // A fresh render in the work tree does not help while it is not staged.
    assert.equal(spawnSync(process.execPath, ["generator/launcher/cli.mjs", "render"], { cwd: root }).status, 0);
    const refused = commit(root, "staging: three replicas");
    assert.notEqual(refused.status, 0);
    assert.match(refused.output, /^not staged: {3}manifests\/staging\/deployment-todo-backend\.yaml$/m);
    assert.equal(gitIn(root, "rev-parse", "HEAD"), headBefore, "nothing was committed");
    gitIn(root, "add", "-A", "manifests", "argocd");
    const accepted = commit(root, "staging: three replicas");
    assert.equal(accepted.status, 0, accepted.output);
  });

  it("refuses a local secret value in a staged file, never printing it", () => {
    const value = "correct-horse-battery-staple-42";
    writeFileSync(join(root, ".secrets/dev.env"), `todo-auth-secret.BETTER_AUTH_SECRET=${value}\n`);
    writeFileSync(join(root, "NOTES.md"), `the secret is ${value}\n`);
    gitIn(root, "add", "NOTES.md");
    const refused = commit(root, "oops");
    assert.notEqual(refused.status, 0);
    assert.match(refused.output, /NOTES\.md:1: holds the value of \.secrets\/dev\.env: todo-auth-secret\.BETTER_AUTH_SECRET/);
    assert.ok(!refused.output.includes(value));
    gitIn(root, "reset", "--quiet", "--hard");
    rmSync(join(root, ".secrets/dev.env"));
  });

  it("does not fail the install outside a Git checkout", () => {
    const plain = mkdtempSync(join(tmpdir(), "todo-no-git-"));
    try {
      for (const entry of [".husky", "node_modules", "package.json"]) spawnSync("cp", ["-R", join(root, entry), join(plain, entry)]);
      const prepare = spawnSync(process.execPath, [".husky/install.mjs"], { cwd: plain, encoding: "utf8" });
      assert.equal(prepare.status, 0, prepare.stderr);
      assert.match(prepare.stdout, /\.git can't be found/);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });
});
