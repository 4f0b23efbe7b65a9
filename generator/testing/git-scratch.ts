/**
 * Scratch Git repositories for the command tests: one template per test file
 * (the settings and the rendered files as this work tree has them, but with
 * the tests' fixture environments, dev → staging → prod, and not those a user
 * added: fixture-environments.ts; committed once as `initial`), and cheap clones of it (`git clone --shared`: the
 * objects are the template's) for each group of tests that must not see the
 * others' commits. The generator is linked, not copied, unless a test runs a
 * changed copy of it in a child process; node_modules is always linked.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../load/environments.ts";
import { applyFixture } from "./fixture-environments.ts";
import { NODE_ARGS } from "./node.ts";

export function gitIn(root: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** What a scratch repository holds of this one. */
const COPIED = ["environments", "clusters", "manifests", "argocd", "docker", ".secrets", ".husky", "package.json", "tsconfig.json", ".gitignore", "README.md"];

function configure(root: string): void {
  gitIn(root, "config", "user.name", "Release Tester");
  gitIn(root, "config", "user.email", "release-tester@example.com");
  gitIn(root, "config", "commit.gpgsign", "false");
  // Nothing outside the scratch repository (a user's global hooks path) runs in it.
  gitIn(root, "config", "core.hooksPath", ".git/hooks");
}

export interface TemplateOptions {
  /** Copy generator/ instead of linking it: for child processes that must run a changed generator. */
  copyGenerator?: boolean;
  /** The repository to copy (its generator and node_modules are still this one's): for the fixture's own test. */
  source?: string;
}

/** A committed copy of this repository's settings and rendered files (one commit, `initial`, on main). */
export function gitTemplate(prefix = "todo-git-", { copyGenerator = false, source = REPO_ROOT }: TemplateOptions = {}): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  for (const entry of COPIED) {
    if (existsSync(join(source, entry))) cpSync(join(source, entry), join(root, entry), { recursive: true });
  }
  // Only the templates of .secrets/: a developer's own values never reach a test.
  for (const file of readdirSync(join(root, ".secrets"))) if (!file.endsWith(".env.example")) rmSync(join(root, ".secrets", file), { recursive: true });
  if (copyGenerator) cpSync(join(REPO_ROOT, "generator"), join(root, "generator"), { recursive: true });
  else symlinkSync(join(REPO_ROOT, "generator"), join(root, "generator"), "dir");
  symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"), "dir");
  // Where a user added environments (or moved staging's source), the rendered files copied above are theirs: render the fixture's.
  // Not in-process: this module renders nothing, so that importing it stays cheap; the repository as shipped never gets here.
  if (applyFixture(root)) renderIn(root);
  gitIn(root, "init", "--quiet", "--initial-branch=main");
  configure(root);
  gitIn(root, "add", "--all");
  gitIn(root, "commit", "--quiet", "--message=initial");
  return root;
}

/** `npm run render` in a scratch repository, from the TypeScript sources (no bundle to build). */
function renderIn(root: string): void {
  const script = [
    `import { renderRepository } from ${JSON.stringify(join(REPO_ROOT, "generator/commands/pipeline.ts"))};`,
    `import { writeRendered } from ${JSON.stringify(join(REPO_ROOT, "generator/commands/output.ts"))};`,
    `writeRendered(${JSON.stringify(root)}, await renderRepository({ root: ${JSON.stringify(root)} }));`,
  ].join("\n");
  execFileSync(process.execPath, [...NODE_ARGS, "--input-type=module", "--eval", script], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
}

/** A clone of a template (or of any scratch repository), with node_modules linked and an identity to commit with. */
export function cloneScratch(template: string, prefix = "todo-clone-"): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  execFileSync("git", ["clone", "--quiet", "--shared", template, root], { stdio: ["ignore", "pipe", "pipe"] });
  configure(root);
  if (!existsSync(join(root, "node_modules"))) symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"), "dir");
  return root;
}

export function removeScratch(...roots: string[]): void {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
}

/** Replaces `from` by `to` in a file (which must hold it); returns a function that puts the file back. */
export function edit(root: string, path: string, from: string, to: string): () => void {
  const file = join(root, path);
  const original = readFileSync(file, "utf8");
  if (!original.includes(from)) throw new Error(`${path} no longer holds ${JSON.stringify(from)}: the test's edit does not apply`);
  writeFileSync(file, original.replace(from, to));
  return () => writeFileSync(file, original);
}
