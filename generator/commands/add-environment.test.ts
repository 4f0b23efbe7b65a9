/**
 * The README's "Add an environment" recipe, taken from the README and run as
 * a new user would, in a scratch repository: a qa environment between dev
 * and staging is its file, its images file and staging's source moving to it.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO_ROOT } from "../load/environments.ts";
import { npmRun } from "../testing/cli.ts";
import { scratchRepository } from "../testing/scratch.ts";

const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
const section = /^### Add an environment\n([\s\S]*?)\n### /m.exec(readme)?.[1] ?? "";
const blocks = [...section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map(([, language, body]) => ({ language: language!, body: body! }));

const scratch = scratchRepository("todo-add-environment-");
after(() => rmSync(scratch, { recursive: true, force: true }));
const read = (file: string) => readFileSync(join(scratch, file), "utf8");
const git = (...args: string[]) => execFileSync("git", args, { cwd: scratch, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

describe("adding an environment, as the README shows it", () => {
  before(() => {
    assert.ok(section, "README.md has no \"### Add an environment\" section");
    const file = blocks.find((block) => block.language === "ts" && block.body.startsWith("// environments/qa.ts\n"));
    assert.ok(file, "the section shows environments/qa.ts");
    writeFileSync(join(scratch, "environments/qa.ts"), file.body.slice(file.body.indexOf("\n") + 1));
    const steps = blocks.find((block) => block.language === "sh");
    assert.ok(steps, "the section shows the commands");
    for (const line of steps.body.split("\n").filter(Boolean)) {
      const [command = "", comment = ""] = line.split(/\s+#\s+/);
      if (command.startsWith("$EDITOR ")) {
        // What the comment says to change: delivery.promotedFrom: "<new>" (was "<old>").
        const [, to, from] = /promotedFrom: "(\w+)" \(was "(\w+)"\)/.exec(comment) ?? [];
        assert.ok(to && from, `cannot tell what to edit from: ${line}`);
        const file = command.slice("$EDITOR ".length).trim();
        writeFileSync(join(scratch, file), read(file).replace(`promotedFrom: "${from}"`, `promotedFrom: "${to}"`));
      } else if (command.startsWith("npm run ")) {
        const result = npmRun(scratch, command.slice("npm run ".length).trim());
        assert.equal(result.status, 0, `${command}:\n${result.stdout}${result.stderr}`);
      } else {
        execFileSync("bash", ["-euc", command], { cwd: scratch });
      }
    }
  });

  it("renders the new environment, named after its file, and its Argo CD Application", () => {
    assert.match(read("manifests/qa/namespace-todo-qa.yaml"), /^ {2}name: todo-qa$/m);
    assert.match(read("manifests/qa/ingress-todo-ingress.yaml"), /^ {4}- host: qa\.todo\.local$/m);
    assert.match(read("manifests/qa/configmap-todo-backend-config.yaml"), /^ {2}ENVIRONMENT: qa$/m);
    const application = read("argocd/apps/application-todo-qa.yaml");
    assert.match(application, /^ {4}path: manifests\/qa$/m);
    assert.match(application, /^ {6}selfHeal: true$/m, "qa syncs automatically, as its delivery.sync says");
    assert.ok(existsSync(join(scratch, "manifests/staging")), "the other environments are still there");
  });

  it("puts qa on the promotion path: dev → qa → staging → prod", () => {
    writeFileSync(join(scratch, ".gitignore"), "/node_modules\n/.cache/\n");
    git("init", "--quiet", "--initial-branch=main");
    git("config", "user.name", "Recipe Tester");
    git("config", "user.email", "recipe-tester@example.com");
    git("config", "commit.gpgsign", "false");
    git("add", "--all");
    git("commit", "--quiet", "-m", "qa between dev and staging");

    const offPath = npmRun(scratch, "promote", "dev", "staging");
    assert.equal(offPath.status, 1);
    assert.match(offPath.stderr, /staging is promoted from qa \(delivery\.promotedFrom in environments\/staging\.ts\), not from dev: the promotion path is dev → qa → staging → prod/);

    assert.equal(npmRun(scratch, "release", "dev", "backend=1.1.0").status, 0);
    const promoted = npmRun(scratch, "promote", "dev", "qa");
    assert.equal(promoted.status, 0, promoted.stderr);
    assert.match(git("log", "-1", "--format=%s"), /^promote\(qa\): from dev \(backend 1\.1\.0, frontend 1\.0\.0\)$/m);
    const onward = npmRun(scratch, "promote", "qa", "staging", "--dry-run");
    assert.equal(onward.status, 0, onward.stderr);
    assert.match(onward.stdout, /dry run: would commit "promote\(staging\): from qa/);
    assert.equal(npmRun(scratch, "check").status, 0);
  });
});
