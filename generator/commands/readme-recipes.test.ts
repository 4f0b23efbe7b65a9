/**
 * Every recipe in README.md, taken from the README itself and run as a user
 * types it, in one scratch repository with its own copy of the generator and
 * a bare repository to push to: each must leave `npm run check` passing, `git
 * status` clean and the commit pushed. Recipes run in the README's order,
 * each from where the one before left the repository, as in a user's day.
 *
 * A recipe is a code block preceded by `<!-- recipe <name> | <edits> -->`:
 * a `ts` block whose first line is `// <path>` is a file to write, an `sh`
 * block is typed line by line, a `console` block's `$ ` lines likewise. What
 * a user does in an editor is in the marker, `<file>: "<from>" => "<to>"`
 * (`$EDITOR <file>` applies it), or `<file>: fill` for a secrets file (every
 * value the environment reads, made up). `npm` runs the scripts as npm
 * does, without its start-up, `npm run diff` must exit 1
 * (each recipe runs it after an edit, to show it: 0 means the edit did not
 * apply, 2 that diff failed), and `kubectl` is a stand-in that answers like a
 * cluster with the Sealed Secrets controller.
 *
 * The scratch repository has the pre-commit hook a user gets from `npm ci`
 * (package.json's "prepare": .husky/install.mjs, husky), so every commit of
 * every recipe goes through it; the hook's own refusals are tested at the end.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO_ROOT } from "../load/environments.ts";
import { releaseCli } from "../release/test-repository.ts";
import { generatorCli } from "../testing/cli.ts";
import { throwawaySealingKey } from "../secrets/test-support.ts";
import { gitIn, gitTemplate, removeScratch } from "../testing/git-scratch.ts";

interface Recipe {
  name: string;
  /** file → [from, to] pairs, or "fill" */
  edits: { file: string; from?: string; to?: string; fill?: boolean }[];
  steps: ({ write: string; content: string } | { script: string[] })[];
}

const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

/** The recipes, in the README's order (one name may have several blocks: a file, then the commands). */
function recipes(markdown: string): Recipe[] {
  const found = new Map<string, Recipe>();
  for (const match of markdown.matchAll(/^<!-- recipe ([a-z-]+)((?: \| [^\n]*?)?) -->\n```(\w+)\n([\s\S]*?)^```$/gm)) {
    const [, name, marker, language, body] = match as unknown as [string, string, string, string, string];
    const recipe = found.get(name) ?? { name, edits: [], steps: [] };
    found.set(name, recipe);
    for (const part of marker.split(" | ").slice(1)) {
      const edit = /^(\S+): (?:"((?:[^"\\]|\\.)*)" => "((?:[^"\\]|\\.)*)"|(fill))$/.exec(part.trim());
      assert.ok(edit, `recipe ${name}: cannot read the edit "${part}"`);
      const unquote = (text: string) => JSON.parse(`"${text}"`) as string;
      recipe.edits.push(edit[4] ? { file: edit[1]!, fill: true } : { file: edit[1]!, from: unquote(edit[2]!), to: unquote(edit[3]!) });
    }
    if (language === "ts") {
      const [first = "", ...rest] = body.split("\n");
      const path = /^\/\/ (\S+)$/.exec(first)?.[1];
      assert.ok(path, `recipe ${name}: a ts block must start with // <path>`);
      recipe.steps.push({ write: path, content: rest.join("\n") });
    } else {
      const lines = language === "console" ? body.split("\n").filter((line) => line.startsWith("$ ")).map((line) => line.slice(2)) : body.split("\n");
      recipe.steps.push({ script: lines.filter((line) => line.trim() !== "") });
    }
  }
  return [...found.values()];
}

/**
 * The shell commands of a recipe's lines: comments dropped; `npm run diff`
 * must exit 1, the difference the recipe's edit makes (0: no difference, 2:
 * an error, both fail the recipe, naming the code).
 */
export function shellScript(lines: string[]): string {
  const commands = lines.map((line) => line.replace(/\s+#\s.*$/, "").replace(/^#.*$/, "").trim()).filter(Boolean);
  const expectDifference = (command: string) =>
    `status=0; ${command} || status=$?; [ "$status" -eq 1 ] || { echo "recipe line failed: ${command.replaceAll('"', '\\"')} exited $status; the recipe expects 1 (a difference)" >&2; exit 1; }`;
  return [
    "set -euo pipefail",
    'trap \'echo "recipe line failed: $BASH_COMMAND" >&2\' ERR',
    ...commands.map((command) => (/^npm run diff\b/.test(command) ? expectDifference(command) : command)),
  ].join("\n");
}

const all = recipes(readme);

/** What each recipe is for, beyond leaving the repository clean. */
const expectations: Record<string, (root: string) => Promise<void>> = {
  "add-environment": async (root) => {
    const read = (file: string) => readFileSync(join(root, file), "utf8");
    assert.match(read("manifests/qa/namespace-todo-qa.yaml"), /^ {2}name: todo-qa$/m);
    assert.match(read("manifests/qa/ingress-todo-ingress.yaml"), /^ {4}- host: qa\.todo\.local$/m);
    assert.match(read("manifests/qa/configmap-todo-backend-config.yaml"), /^ {2}ENVIRONMENT: qa$/m);
    assert.match(read("argocd/apps/application-todo-qa.yaml"), /^ {6}selfHeal: true$/m, "qa syncs automatically, as its delivery.sync says");
    assert.match(read("argocd/bootstrap/appproject-todo-qa.yaml"), /^ {6}namespace: todo-qa$/m);
    // qa sits on the promotion path: dev → qa → staging → prod.
    const offPath = await releaseCli(root, "promote", "dev", "staging");
    assert.equal(offPath.status, 1);
    assert.match(offPath.stderr, /staging is promoted from qa \(delivery\.promotedFrom in environments\/staging\.ts\), not from dev: the promotion path is dev → qa → staging → prod/);
  },
  "remove-environment": async (root) => {
    assert.ok(!existsSync(join(root, "manifests/qa")) && !existsSync(join(root, "argocd/apps/application-todo-qa.yaml")));
  },
  "change-a-setting": async (root) => {
    assert.ok(existsSync(join(root, "manifests/staging/horizontalpodautoscaler-todo-backend.yaml")), "the new file is committed");
    assert.match(readFileSync(join(root, "argocd/apps/application-todo-staging.yaml"), "utf8"), /- \/spec\/replicas/);
  },
  release: async (root) => {
    assert.match(gitIn(root, "log", "-1", "--format=%s"), /^rollback\(prod\): backend 1\.4\.0 → 1\.0\.0, frontend 1\.4\.0 → 1\.0\.0, undoing \S+$/m);
  },
  secrets: async (root) => {
    assert.ok(existsSync(join(root, "manifests/dev/sealedsecret-todo-auth-secret.yaml")));
  },
};

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** `git commit`, hooks and all: its exit code and what the hook printed. */
function commit(root: string, message: string) {
  const result = spawnSync("git", ["commit", "--quiet", "-m", message], { cwd: root, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("the README's recipes, and the pre-commit hook, run in a scratch repository", () => {
  let root = "";
  let remote = "";
  let bin = "";
  const env = () => ({ ...process.env, PATH: `${bin}:${dirname(process.execPath)}:${process.env.PATH}`, EDITOR: join(bin, "editor") });

  before(() => {
    root = gitTemplate("todo-recipes-", { copyGenerator: true });
    remote = mkdtempSync(join(tmpdir(), "todo-recipes-remote-"));
    gitIn(remote, "init", "--quiet", "--bare", "--initial-branch=main");
    gitIn(root, "remote", "add", "origin", remote);
    gitIn(root, "push", "--quiet", "--set-upstream", "origin", "main");
    // What \`npm ci\` runs after installing: the "prepare" script, which installs the hook.
    const prepare = spawnSync(process.execPath, [".husky/install.mjs"], { cwd: root, encoding: "utf8" });
    assert.equal(prepare.status, 0, prepare.stderr);
    bin = mkdtempSync(join(tmpdir(), "todo-recipes-bin-"));
    const script = (name: string, text: string) => {
      writeFileSync(join(bin, name), text);
      chmodSync(join(bin, name), 0o755);
    };
    // npm run <script> [-- args]: the script's command run as npm runs it (sh -c, the arguments appended, its exit
    // code passed on), without npm's start-up. Not node --run: it turns every failure into exit 1, and diff's 2 matters.
    script(
      "npm",
      [
        "#!/bin/sh",
        '[ "$1" = run ] || { echo "the recipes use only npm run, not: npm $*" >&2; exit 2; }',
        'name=$2; shift 2; [ "${1:-}" != "--" ] || shift',
        `command=$(node -e 'const s = require(process.cwd() + "/package.json").scripts[process.argv[1]]; if (s === undefined) process.exit(1); process.stdout.write(s)' "$name") || { echo "npm stand-in: no script $name" >&2; exit 1; }`,
        'exec sh -c "$command \\"\\$@\\"" "npm run $name" "$@"',
        "",
      ].join("\n"),
    );
    const key = throwawaySealingKey();
    writeFileSync(join(bin, "cert.pem"), key.certificatePem);
    script(
      "kubectl",
      `#!/bin/sh
ctx=none
if [ "$1" = "--context" ]; then ctx=$2; shift 2; fi
case "$*" in
  "version --client") echo "Client Version: v1.35.0"; exit 0 ;;
  "config get-contexts todo --output name") echo todo; exit 0 ;;
esac
[ "$ctx" = todo ] || { echo "kubectl stand-in: only context todo is a cluster" >&2; exit 3; }
case "$*" in
  *"/readyz"*) echo ok ;;
  *"get service"*) echo '{"spec":{"ports":[{"name":"http","port":8080}]}}' ;;
  *"/proxy/v1/cert.pem"*) cat "${join(bin, "cert.pem")}" ;;
  *) echo "kubectl stand-in: unexpected: $*" >&2; exit 2 ;;
esac
`,
    );
    // $EDITOR <file>: the edits of the running recipe's marker (RECIPE_EDITS), applied to that file.
    script(
      "editor",
      `#!/usr/bin/env node
const { readFileSync, writeFileSync } = require("node:fs");
const { randomBytes } = require("node:crypto");
const file = process.argv[2];
const edits = JSON.parse(process.env.RECIPE_EDITS).filter((edit) => edit.file === file);
if (!edits.length) { console.error("editor stand-in: the recipe's marker has no edit for " + file); process.exit(2); }
let text = readFileSync(file, "utf8");
for (const edit of edits) {
  if (edit.fill) {
    // Every value this environment reads (the in-cluster database composes DATABASE_URL itself).
    text = text.replace(/^([a-z-]+\\.([A-Z_]+))=$/gm, (line, id, key) => key === "DATABASE_URL" ? line : id + "=" + (key === "POSTGRES_USER" || key === "POSTGRES_DB" ? "todo" : randomBytes(24).toString("hex")));
  } else {
    if (!text.includes(edit.from)) { console.error("editor stand-in: " + file + " does not hold " + JSON.stringify(edit.from)); process.exit(2); }
    text = text.replace(edit.from, edit.to);
  }
}
writeFileSync(file, text);
`,
    );
  });
  after(() => removeScratch(root, remote, bin));

  it("finds the recipes, and every README block that commits is one", () => {
    assert.deepEqual(
      all.map((recipe) => recipe.name),
      ["add-environment", "remove-environment", "change-a-setting", "walkthrough", "release", "secrets"],
    );
    const unmarked = [...readme.matchAll(/^(<!-- recipe [^\n]* -->\n)?```(?:sh|console)\n([\s\S]*?)^```$/gm)].filter((block) => !block[1] && /git commit/.test(block[2]!));
    assert.deepEqual(unmarked.map((block) => block[2]), [], "a block that commits must be a recipe, so a test runs it");
  });

  for (const recipe of all) {
    it(`${recipe.name}: runs, leaves npm run check passing and git status clean, and pushes`, async () => {
      for (const step of recipe.steps) {
        if ("write" in step) {
          mkdirSync(dirname(join(root, step.write)), { recursive: true });
          writeFileSync(join(root, step.write), step.content);
          continue;
        }
        const result = spawnSync("bash", ["-c", shellScript(step.script)], { cwd: root, encoding: "utf8", env: { ...env(), RECIPE_EDITS: JSON.stringify(recipe.edits) } });
        assert.equal(result.status, 0, `recipe ${recipe.name} failed:\n${result.stdout}\n${result.stderr}`);
      }
      // In-process: the same check, without starting Node again (the recipes ran it as a process).
      const check = await generatorCli(root, "check");
      assert.equal(check.status, 0, `npm run check after ${recipe.name}:\n${check.stdout}${check.stderr}`);
      assert.equal(gitIn(root, "status", "--porcelain", "--untracked-files=all"), "", `git status after ${recipe.name}`);
      assert.equal(gitIn(root, "rev-parse", "HEAD"), gitIn(root, "rev-parse", "origin/main"), `${recipe.name} pushed its commit`);
      await expectations[recipe.name]?.(root);
    });
  }

  it("seal's Next: hint, pasted as printed, leaves npm run check passing and git status clean", async () => {
    const seal = spawnSync("npm", ["run", "seal", "--", "dev", "--force"], { cwd: root, encoding: "utf8", env: env() });
    assert.equal(seal.status, 0, seal.stderr);
    const hint = /^Next: (.+)$/m.exec(seal.stdout)?.[1];
    assert.ok(hint, `seal printed no Next: hint:\n${seal.stdout}`);
    const result = spawnSync("bash", ["-c", shellScript([hint])], { cwd: root, encoding: "utf8", env: env() });
    assert.equal(result.status, 0, `${hint}\n${result.stdout}${result.stderr}`);
    assert.equal(gitIn(root, "status", "--porcelain", "--untracked-files=all"), "");
    assert.equal((await generatorCli(root, "check")).status, 0);
  });
  it("the hook is installed by npm ci's prepare script, with husky pinned exactly", () => {
    assert.match(manifest.scripts.prepare ?? "", /^node \.husky\/install\.mjs( && |$)/);
    assert.match(manifest.devDependencies.husky ?? "", /^\d+\.\d+\.\d+$/);
    assert.equal(gitIn(root, "config", "core.hooksPath").trim(), ".husky/_");
    assert.ok(existsSync(join(root, ".husky/_/pre-commit")));
    assert.match(readFileSync(join(root, ".husky/pre-commit"), "utf8"), /^node generator\/launcher\/cli\.mjs check --staged$/m);
    assert.ok(Number(gitIn(root, "rev-list", "--count", "HEAD")) > all.length, "the recipes' commits went through it");
  });

  it("the hook refuses staged settings whose render is not staged, naming the files; it judges the index, not the work tree", () => {
    const headBefore = gitIn(root, "rev-parse", "HEAD");
    const file = join(root, "environments/prod.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace("frontend: { replicas: 2 }", "frontend: { replicas: 3 }"));
    gitIn(root, "add", "environments/prod.ts");
    // A fresh render in the work tree does not help while it is not staged.
    assert.equal(spawnSync("npm", ["run", "render"], { cwd: root, env: env() }).status, 0);
    const refused = commit(root, "prod: three frontend replicas");
    assert.notEqual(refused.status, 0);
    assert.match(refused.output, /^not staged: {3}manifests\/prod\/deployment-todo-frontend\.yaml$/m);
    assert.equal(gitIn(root, "rev-parse", "HEAD"), headBefore, "nothing was committed");
    gitIn(root, "add", "-A", "manifests", "argocd");
    const accepted = commit(root, "prod: three frontend replicas");
    assert.equal(accepted.status, 0, accepted.output);
    assert.match(accepted.output, /what is staged is a fresh render of the staged settings/);
  });

  it("the hook refuses a local secret value in a staged file, never printing it", () => {
    const value = "correct-horse-battery-staple-42";
    writeFileSync(join(root, ".secrets/prod.env"), `todo-auth-secret.BETTER_AUTH_SECRET=${value}\n`);
    writeFileSync(join(root, "NOTES.md"), `the secret is ${value}\n`);
    gitIn(root, "add", "NOTES.md");
    const refused = commit(root, "oops");
    assert.notEqual(refused.status, 0);
    assert.match(refused.output, /NOTES\.md:1: holds the value of \.secrets\/prod\.env: todo-auth-secret\.BETTER_AUTH_SECRET/);
    assert.ok(!refused.output.includes(value));
    gitIn(root, "reset", "--quiet", "--hard");
    rmSync(join(root, "NOTES.md"), { force: true });
    rmSync(join(root, ".secrets/prod.env"));
  });

  it("the hook refuses a staged removal of a SealedSecret; ALLOW_REMOVAL=1 git commit lets it through", () => {
    const headBefore = gitIn(root, "rev-parse", "HEAD").trim();
    const sealedSecret = "manifests/dev/sealedsecret-todo-auth-secret.yaml";
    assert.ok(existsSync(join(root, sealedSecret)), "the secrets recipe sealed dev's values");
    gitIn(root, "rm", "--quiet", "environments/dev.sealed.json");
    assert.equal(spawnSync("npm", ["run", "render"], { cwd: root, env: env() }).status, 0);
    gitIn(root, "add", "-A", "manifests", "argocd");
    // Not inherited from the shell that runs the tests.
    const { ALLOW_REMOVAL: _inherited, ...withoutAllow } = process.env;
    const attempt = spawnSync("git", ["commit", "--quiet", "-m", "dev: no sealed values"], { cwd: root, encoding: "utf8", env: withoutAllow });
    const refused = { status: attempt.status, output: `${attempt.stdout}${attempt.stderr}` };
    assert.notEqual(refused.status, 0);
    assert.match(refused.output, /The staged changes remove what another commit cannot bring back:\n {2}- SealedSecret \S+ \(manifests\/dev\/sealedsecret-todo-auth-secret\.yaml\): Argo CD prunes it/);
    assert.match(refused.output, /ALLOW_REMOVAL=1 git commit/);
    assert.equal(gitIn(root, "rev-parse", "HEAD").trim(), headBefore, "nothing was committed");
    const allowed = spawnSync("git", ["commit", "--quiet", "-m", "dev: no sealed values"], { cwd: root, encoding: "utf8", env: { ...withoutAllow, ALLOW_REMOVAL: "1" } });
    assert.equal(allowed.status, 0, `${allowed.stdout}${allowed.stderr}`);
    assert.equal(gitIn(root, "rev-parse", "HEAD~1").trim(), headBefore);
    assert.match(gitIn(root, "show", "--name-status", "--format=", "HEAD"), new RegExp(`^D\t${sealedSecret.replace(/[./]/g, "\\$&")}$`, "m"));
    gitIn(root, "reset", "--quiet", "--hard", headBefore);
  });

  it("a recipe line `npm run diff` passes only with a difference: an error (2) or no difference (0) fails the recipe", () => {
    const run = (line: string) => spawnSync("bash", ["-c", shellScript([line])], { cwd: root, encoding: "utf8", env: env() });
    const unknown = run("npm run diff -- qa");
    assert.equal(unknown.status, 1, unknown.stderr);
    assert.match(unknown.stderr, /npm run diff -- qa exited 2; the recipe expects 1/);
    const none = run("npm run diff");
    assert.equal(none.status, 1);
    assert.match(none.stderr, /npm run diff exited 0; the recipe expects 1/);
    const undo = readFileSync(join(root, "environments/dev.ts"), "utf8");
    const edited = undo.replace(/LOG_LEVEL: "\w+"/, 'LOG_LEVEL: "ERROR"');
    assert.notEqual(edited, undo);
    writeFileSync(join(root, "environments/dev.ts"), edited);
    try {
      assert.equal(run("npm run diff -- dev").status, 0, "a difference: what the recipe expects");
    } finally {
      writeFileSync(join(root, "environments/dev.ts"), undo);
    }
  });

  it("installing the hook does not fail outside a Git checkout", () => {
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
