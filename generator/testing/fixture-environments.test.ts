/**
 * The regression guard for fixture-environments.ts: in a repository where a
 * user followed the README's add-environment recipe (qa, with staging now
 * promoted from qa) and added a side branch of dev as well (perf), the
 * tests' scratch repositories and in-process loads still see exactly dev →
 * staging → prod. And no test compares the work tree's own environment list
 * with a literal list of names (which is what broke npm test for such a user).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO_ROOT, listEnvironments, loadEnvironments } from "../load/environments.ts";
import { promotionPaths, promotionProblem } from "../settings/rules.ts";
import { generatorCli } from "./cli.ts";
import { FIXTURE_ENVIRONMENTS, UNKNOWN_ENVIRONMENT, fixtureFiles } from "./fixture-environments.ts";
import { edit, gitIn, gitTemplate, removeScratch } from "./git-scratch.ts";

/** qa's file as the README's add-environment recipe writes it. */
const qaFile = /<!-- recipe add-environment -->\n```ts\n\/\/ environments\/qa\.ts\n([\s\S]*?)^```$/m.exec(readFileSync(join(REPO_ROOT, "README.md"), "utf8"))?.[1];

describe("the tests' fixture environments, in a repository where a user added qa (on the path) and perf (a side branch of dev)", () => {
  let user = "";
  let scratch = "";
  before(async () => {
    assert.ok(qaFile, "README.md's add-environment recipe writes environments/qa.ts");
    user = gitTemplate("todo-user-repository-");
    writeFileSync(join(user, "environments/qa.ts"), qaFile);
    writeFileSync(join(user, "environments/perf.ts"), qaFile.replaceAll("qa", "perf"));
    for (const name of ["qa", "perf"]) {
      copyFileSync(join(user, "environments/staging.images.json"), join(user, `environments/${name}.images.json`));
      writeFileSync(join(user, `.secrets/${name}.env.example`), readFileSync(join(user, ".secrets/staging.env.example"), "utf8").replaceAll("staging", name));
    }
    edit(user, "environments/staging.ts", 'promotedFrom: "dev"', 'promotedFrom: "qa"');
    const render = await generatorCli(user, "render");
    assert.equal(render.status, 0, render.stderr);
    gitIn(user, "add", "--all");
    gitIn(user, "commit", "--quiet", "--message=qa and perf");
    scratch = gitTemplate("todo-fixture-scratch-", { source: user });
  });
  after(() => removeScratch(user, scratch));

  it("the user's repository has them: dev → qa → staging → prod, and perf beside it", async () => {
    assert.deepEqual(listEnvironments(user), ["dev", "perf", "prod", "qa", "staging"]);
    assert.deepEqual(promotionPaths(await loadEnvironments({ root: user })), ["dev → perf", "dev → qa → staging → prod"]);
  });

  it("in-process loads (settingsOf, problemsWith) see dev → staging → prod: the added files left out, staging back on dev", async () => {
    const files = fixtureFiles(user);
    assert.deepEqual([...files.keys()].sort(), ["environments/perf.images.json", "environments/perf.ts", "environments/qa.images.json", "environments/qa.ts", "environments/staging.ts"]);
    const fixture = await loadEnvironments({ root: user, files });
    assert.deepEqual(fixture.map((settings) => settings.name), FIXTURE_ENVIRONMENTS);
    assert.deepEqual(promotionPaths(fixture), ["dev → staging → prod"]);
  });

  it("a scratch repository made from it holds the fixture, rendered and committed: check passes, dev → staging is the path", async () => {
    assert.deepEqual(listEnvironments(scratch), FIXTURE_ENVIRONMENTS);
    for (const gone of ["manifests/qa", "manifests/perf", "argocd/apps/application-todo-qa.yaml", "argocd/bootstrap/appproject-todo-perf.yaml", ".secrets/qa.env.example"]) {
      assert.ok(!existsSync(join(scratch, gone)), `${gone} is in the scratch repository`);
    }
    const check = await generatorCli(scratch, "check");
    assert.equal(check.status, 0, check.stderr);
    assert.equal(gitIn(scratch, "status", "--porcelain"), "");
    assert.equal(promotionProblem(await loadEnvironments({ root: scratch }), "dev", "staging"), undefined);
    assert.deepEqual(fixtureFiles(scratch), new Map(), "nothing left to take out");
  });

  it("the name for an unknown environment is none a user would give", () => {
    assert.ok(!listEnvironments().includes(UNKNOWN_ENVIRONMENT) && !listEnvironments(user).includes(UNKNOWN_ENVIRONMENT));
  });
});

describe("the test files", () => {
  it("never compare the work tree's environments (listEnvironments() or loadEnvironments() with no options) with a literal list", () => {
    const tests = execFileSync("git", ["ls-files", "*.test.ts"], { cwd: REPO_ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
    const found: string[] = [];
    for (const file of tests) {
      readFileSync(join(REPO_ROOT, file), "utf8")
        .split("\n")
        .forEach((line, index) => {
          if (/assert\.\w+\(.*\b(listEnvironments|loadEnvironments)\(\).*\[\s*["'`]/.test(line)) found.push(`${file}:${index + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(found, [], "compare with FIXTURE_ENVIRONMENTS in a fixture repository (generator/testing/fixture-environments.ts), or with listEnvironments()");
  });
});
