/**
 * The regression guard for fixture-environments.ts: in a repository where a
 * user followed the README's add-environment recipe (qa, with staging now
 * promoted from qa), added a side branch of dev as well (perf), and then used
 * it as the README says (the release recipe's release of prod, the
 * change-a-setting recipe's edit of staging, a change of prod's settings),
 * the tests' scratch repositories and in-process loads still see exactly dev →
 * staging → prod as shipped: the frozen copies, not the user's files. And no
 * test compares the work tree's own environment list with a literal list of
 * names (which is what broke npm test for such a user).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import ts from "typescript";
import { REPO_ROOT, listEnvironments, loadEnvironments } from "../load/environments.ts";
import { promotionPaths, promotionProblem } from "../settings/rules.ts";
import { generatorCli, releaseCli } from "./cli.ts";
import { FIXTURE_DIR, FIXTURE_ENVIRONMENTS, UNKNOWN_ENVIRONMENT, fixtureFiles, frozenFiles } from "./fixture-environments.ts";
import { edit, gitIn, gitTemplate, removeScratch } from "./git-scratch.ts";

const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
/** qa's file as the README's add-environment recipe writes it. */
const qaFile = /<!-- recipe add-environment -->\n```ts\n\/\/ environments\/qa\.ts\n([\s\S]*?)^```$/m.exec(readme)?.[1];
/** The release the README's release recipe makes (its first command without --dry-run): ["prod", "backend=1.4.0", …]. */
const releaseArgs = /^\$ npm run release -- ([^#\n]*?)\s*$/m.exec(readme.slice(readme.indexOf("<!-- recipe release -->")))?.[1]?.split(/\s+/);
/** The change-a-setting recipe's edit: [file, from, to], as its marker states it. */
const changeASetting = /<!-- recipe change-a-setting \| (\S+): "((?:[^"\\]|\\.)*)" => "((?:[^"\\]|\\.)*)" -->/.exec(readme)?.slice(1).map((part, i) => (i === 0 ? part : (JSON.parse(`"${part}"`) as string)));

describe("the tests' fixture environments, in a repository where a user added qa (on the path) and perf (a side branch of dev), released and changed settings", () => {
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
    // The README's release recipe, then its change-a-setting recipe and a change of prod's settings, each committed.
    assert.ok(releaseArgs && !releaseArgs.includes("--dry-run"), "README.md's release recipe runs npm run release -- <env> <component>=<tag> …");
    const release = await releaseCli(user, "release", ...releaseArgs);
    assert.equal(release.status, 0, release.stderr);
    assert.ok(changeASetting, "README.md's change-a-setting recipe states its edit");
    const [file, from, to] = changeASetting as [string, string, string];
    edit(user, file, from, to);
    edit(user, "environments/prod.ts", "frontend: { replicas: 2 }", "frontend: { replicas: 3 }");
    edit(user, "environments/prod.ts", '["192.0.2.0/24"]', '["10.20.0.0/16"]');
    const changed = await generatorCli(user, "render");
    assert.equal(changed.status, 0, changed.stderr);
    gitIn(user, "add", "--all");
    gitIn(user, "commit", "--quiet", "--message=staging autoscaled, prod: three frontends and its database's range");
    scratch = gitTemplate("todo-fixture-scratch-", { source: user });
  });
  after(() => removeScratch(user, scratch));

  it("the user's repository has them: dev → qa → staging → prod, and perf beside it, with the release and the setting changes", async () => {
    assert.deepEqual(listEnvironments(user), ["dev", "perf", "prod", "qa", "staging"]);
    const settings = await loadEnvironments({ root: user });
    assert.deepEqual(promotionPaths(settings), ["dev → perf", "dev → qa → staging → prod"]);
    const of = (name: string) => settings.find((environment) => environment.name === name)!;
    assert.deepEqual([of("prod").backend.image.tag, of("prod").frontend.image.tag, of("prod").frontend.replicas], ["1.4.0", "1.4.0", 3]);
    assert.deepEqual(of("prod").database.externalCidrs, ["10.20.0.0/16"]);
    assert.equal(of("staging").backend.autoscaling.enabled, true);
  });

  it("in-process loads (settingsOf, problemsWith) see dev → staging → prod as shipped: the frozen files, the added ones left out", async () => {
    const files = fixtureFiles(user);
    assert.deepEqual([...files.keys()].sort(), [
      "environments/perf.images.json",
      "environments/perf.ts",
      "environments/prod.images.json",
      "environments/prod.ts",
      "environments/qa.images.json",
      "environments/qa.ts",
      "environments/staging.ts",
    ]);
    const fixture = await loadEnvironments({ root: user, files });
    assert.deepEqual(fixture.map((settings) => settings.name), FIXTURE_ENVIRONMENTS);
    assert.deepEqual(promotionPaths(fixture), ["dev → staging → prod"]);
    // What the tests were written against, whatever the user's files hold now.
    const of = (name: string) => fixture.find((environment) => environment.name === name)!;
    for (const settings of fixture) assert.deepEqual([settings.frontend.image.tag, settings.backend.image.tag], ["1.0.0", "1.0.0"], settings.name);
    assert.deepEqual([of("staging").backend.replicas, of("staging").backend.autoscaling.enabled, of("prod").frontend.replicas], [2, false, 2]);
    assert.deepEqual(of("prod").database.externalCidrs, ["192.0.2.0/24"]);
    assert.equal(of("dev").backend.config.LOG_LEVEL, "DEBUG");
    assert.deepEqual(await loadEnvironments({ root: user, files }), await loadEnvironments({ files: fixtureFiles() }), "the same fixture as in this repository");
  });

  it("a scratch repository made from it holds the frozen files, rendered and committed: check passes, dev → staging is the path", async () => {
    assert.deepEqual(listEnvironments(scratch), FIXTURE_ENVIRONMENTS);
    for (const [path, text] of frozenFiles()) assert.equal(readFileSync(join(scratch, path), "utf8"), text, path);
    for (const gone of ["manifests/qa", "manifests/perf", "argocd/apps/application-todo-qa.yaml", "argocd/bootstrap/appproject-todo-perf.yaml", ".secrets/qa.env.example"]) {
      assert.ok(!existsSync(join(scratch, gone)), `${gone} is in the scratch repository`);
    }
    const check = await generatorCli(scratch, "check");
    assert.equal(check.status, 0, check.stderr);
    assert.equal(gitIn(scratch, "status", "--porcelain"), "");
    assert.equal(promotionProblem(await loadEnvironments({ root: scratch }), "dev", "staging"), undefined);
    assert.deepEqual(fixtureFiles(scratch), new Map(), "nothing left to take out");
  });

  it("the frozen copies are every environment file of the fixture, and nothing else", () => {
    const kept = readdirSync(FIXTURE_DIR).sort();
    assert.deepEqual(kept, FIXTURE_ENVIRONMENTS.flatMap((name) => [`${name}.images.json`, `${name}.ts`]).sort());
  });

  it("the name for an unknown environment is none a user would give", () => {
    assert.ok(!listEnvironments().includes(UNKNOWN_ENVIRONMENT) && !listEnvironments(user).includes(UNKNOWN_ENVIRONMENT));
  });
});

/** The work tree's environments: listEnvironments() and loadEnvironments() with no root, or with REPO_ROOT. */
function readsTheWorkTree(call: ts.CallExpression): boolean {
  if (!ts.isIdentifier(call.expression) || !["listEnvironments", "loadEnvironments"].includes(call.expression.text)) return false;
  const [first] = call.arguments;
  if (first === undefined || (ts.isIdentifier(first) && first.text === "REPO_ROOT")) return true;
  if (!ts.isObjectLiteralExpression(first)) return false;
  const root = first.properties.find((property) => property.name && ts.isIdentifier(property.name) && property.name.text === "root");
  return root === undefined || (ts.isPropertyAssignment(root) && ts.isIdentifier(root.initializer) && root.initializer.text === "REPO_ROOT");
}

const isLiteralName = (node: ts.Node) => ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node);

/**
 * Every assertion (assert.<anything>(…)) that has, among its arguments, both a
 * read of the work tree's environments and an array literal holding a literal
 * name: found in the syntax tree (TypeScript's parser), so however the call is
 * laid out over lines. Its limit: an assertion reached by another name
 * (`const { deepEqual } = assert`) or a list held in a variable first is not seen.
 */
function literalEnvironmentComparisons(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const contains = (node: ts.Node, test: (node: ts.Node) => boolean): boolean => test(node) || (ts.forEachChild(node, (child) => contains(child, test) || undefined) ?? false);
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      ts.isIdentifier(node.expression.expression) &&
      node.expression.expression.text === "assert"
    ) {
      const args = node.arguments;
      const reads = args.some((arg) => contains(arg, (n) => ts.isCallExpression(n) && readsTheWorkTree(n)));
      const literal = args.some((arg) => contains(arg, (n) => ts.isArrayLiteralExpression(n) && n.elements.some(isLiteralName)));
      if (reads && literal) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        found.push(`${file}:${line + 1}: ${node.getText(source).replace(/\s+/g, " ")}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("the test files", () => {
  it("never compare the work tree's environments (listEnvironments() or loadEnvironments() with no root, or REPO_ROOT) with a literal list", () => {
    const tests = execFileSync("git", ["ls-files", "*.test.ts"], { cwd: REPO_ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
    const found = tests.flatMap((file) => literalEnvironmentComparisons(file, readFileSync(join(REPO_ROOT, file), "utf8")));
    assert.deepEqual(found, [], "compare with FIXTURE_ENVIRONMENTS in a fixture repository (generator/testing/fixture-environments.ts), or with listEnvironments()");
  });

  it("the check finds such a comparison however it is written, and not one made in a repository of the test's own", () => {
    const found = (text: string) => literalEnvironmentComparisons("sample.test.ts", text).length;
    assert.equal(found('assert.deepEqual(listEnvironments(), ["dev", "prod", "staging"]);'), 1);
    assert.equal(found('assert.deepEqual(\n  listEnvironments(),\n  [\n    "dev",\n    "prod",\n  ],\n);'), 1, "split over lines");
    assert.equal(found("assert.deepEqual((await loadEnvironments()).map((s) => s.name), [`dev`]);"), 1);
    assert.equal(found('assert.deepStrictEqual(listEnvironments(REPO_ROOT), ["dev"]);'), 1, "REPO_ROOT is the work tree");
    assert.equal(found('assert.ok(\n  (await loadEnvironments({ files })).some((s) => ["dev"].includes(s.name)),\n);'), 1, "no root: the work tree");
    assert.equal(found('assert.deepEqual(listEnvironments(user), ["dev", "perf"]);'), 0, "a repository the test made");
    assert.equal(found('assert.deepEqual(listEnvironments(), [...FIXTURE_ENVIRONMENTS]);'), 0, "no literal name");
    assert.equal(found('const names = listEnvironments();\nexpect(names, ["dev"]);'), 0, "not an assertion");
  });
});
