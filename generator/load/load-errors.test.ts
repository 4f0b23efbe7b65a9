/**
 * Every way an environment's files can fail to load, through the real
 * `npm run render` (the compiled launcher): one line naming the file, line
 * and column, no stack trace, exit 1, and manifests/ and argocd/ untouched.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { npmRun, renderedFiles } from "../testing/cli.ts";
import { scratchRepository } from "../testing/scratch.ts";

const scratch = scratchRepository("todo-load-errors-");
after(() => rmSync(scratch, { recursive: true, force: true }));

const npmRender = () => npmRun(scratch, "render");
const snapshot = () => renderedFiles(scratch);

/** Renders with `file` changed, then puts it back; returns what npm run render printed. */
function renderWith(file: string, change: (text: string) => string): string {
  const path = join(scratch, file);
  const original = readFileSync(path, "utf8");
  const changed = change(original);
  assert.notEqual(changed, original, `the edit of ${file} no longer applies`);
  const before = snapshot();
  writeFileSync(path, changed);
  try {
    const result = npmRender();
    assert.equal(result.status, 1, `npm run render did not fail:\n${result.stdout}${result.stderr}`);
    assert.equal(result.stdout, "");
    assert.doesNotMatch(result.stderr, /^\s+at /m, "a stack trace");
    assert.doesNotMatch(result.stderr, /\.cache\/generator|cli\.mjs/, "the bundle is named");
    assert.match(result.stderr, /\nNothing was written\.\n$/);
    assert.deepEqual(snapshot(), before, "manifests/ or argocd/ changed");
    return result.stderr;
  } finally {
    writeFileSync(path, original);
  }
}

/** Renders with `files` added, then removes them; returns what npm run render printed. */
function renderWithFiles(files: Record<string, string>): string {
  const before = snapshot();
  for (const [file, text] of Object.entries(files)) writeFileSync(join(scratch, file), text);
  try {
    const result = npmRender();
    assert.equal(result.status, 1, `npm run render did not fail:\n${result.stdout}${result.stderr}`);
    assert.equal(result.stdout, "");
    assert.doesNotMatch(result.stderr, /^\s+at /m, "a stack trace");
    assert.match(result.stderr, /\nNothing was written\.\n$/);
    assert.deepEqual(snapshot(), before, "manifests/ or argocd/ changed");
    return result.stderr;
  } finally {
    for (const file of Object.keys(files)) rmSync(join(scratch, file), { force: true });
  }
}

describe("an environment whose file name cannot be its name, through npm run render", () => {
  const environment = (name: string) => ({
    [`environments/${name}.ts`]: readFileSync(join(scratch, "environments/staging.ts"), "utf8").replace('promotedFrom: "dev"', 'promotedFrom: "staging"'),
    [`environments/${name}.images.json`]: readFileSync(join(scratch, "environments/staging.images.json"), "utf8"),
  });
  const rule = (file: string, why: string, suggestion?: string) =>
    `${file}: an environment's name is its file name, and must be a DNS-1123 label of at most 58 characters (lowercase letters, digits and '-', starting and ending with a letter or digit), ` +
    `so that namespace, Argo CD Application and AppProject todo-<name> and host <name>.todo.local are valid: ${why}` +
    (suggestion ? `; rename the environment's files, e.g. environments/${suggestion}.ts and environments/${suggestion}.images.json` : "") +
    "\nNothing was written.\n";

  for (const [name, suggestion] of [
    ["Qa", "qa"],
    ["Bad_Name", "bad-name"],
    ["qa.one", "qa-one"],
    ["-qa", "qa"],
  ] as const) {
    it(`environments/${name}.ts: one error naming the file and the rule, nothing rendered as todo-${name}`, () => {
      assert.equal(renderWithFiles(environment(name)), rule(`environments/${name}.ts`, `"${name}" is not one`, suggestion));
    });
  }

  it("a name too long for namespace todo-<name> (63 characters at most)", () => {
    const name = "q".repeat(59);
    assert.equal(renderWithFiles(environment(name)), rule(`environments/${name}.ts`, "it has 59 characters", "q".repeat(58)));
  });

  it("58 characters are fine", async () => {
    const name = "q".repeat(58);
    for (const [file, text] of Object.entries(environment(name))) writeFileSync(join(scratch, file), text);
    try {
      const { loadEnvironments } = await import("./environments.ts");
      const settings = (await loadEnvironments({ root: scratch })).find((each) => each.name === name);
      assert.equal(settings?.namespace, `todo-${name}`);
    } finally {
      for (const file of Object.keys(environment(name))) rmSync(join(scratch, file));
    }
  });
});

describe("a cluster.ts the README tells users to edit, through npm run render, check and seal", () => {
  it("a typo, a wrong type, a Kubernetes version and a URL: every problem with the file, the path, the value and the rule", () => {
    const edit = (text: string) =>
      text
        .replace("  cpus: 4,", '  cpus: "four",\n  cpuz: 4,')
        .replace('kubernetesVersion: "v1.35.0"', 'kubernetesVersion: "1.35"')
        .replace(/repoURL: "https:\/\/github\.com\/your-org\/todo-gitops\.git"/, 'repoURL: "not a url"');
    const expected =
      "invalid settings (4 problems):\n" +
      '  - cluster minikube: clusters/minikube/cluster.ts: kubernetesVersion = "1.35": must be v<major>.<minor>.<patch>, e.g. v1.35.0 (minikube start --kubernetes-version, pinned)\n' +
      '  - cluster minikube: clusters/minikube/cluster.ts: cpus = "four": must be an integer from 2 to 256 (minikube start --cpus; minikube needs 2 at least)\n' +
      '  - cluster minikube: clusters/minikube/cluster.ts: git.repoURL = "not a url": must be a Git repository URL Argo CD can fetch: https://host/org/repo.git, ssh://git@host/org/repo.git or git@host:org/repo.git\n' +
      "  - cluster minikube: clusters/minikube/cluster.ts: cpuz = 4: unknown fact; did you mean cpus?\n" +
      "Nothing was written.\n";
    assert.equal(renderWith("clusters/minikube/cluster.ts", edit), expected);
    const path = join(scratch, "clusters/minikube/cluster.ts");
    const original = readFileSync(path, "utf8");
    writeFileSync(path, edit(original));
    try {
      // check cannot answer (exit 2, not its 1 for "not a fresh render"), and, never writing, does not say it wrote nothing.
      const check = npmRun(scratch, "check");
      assert.equal(check.status, 2);
      assert.equal(check.stderr, expected.replace(/Nothing was written\.\n$/, ""));
      // seal reads the environment's cluster through the same loader (it ran minikube's cluster.ts from the bundle before).
      const seal = npmRun(scratch, "seal", "dev", "--cert", "cert.pem");
      assert.equal(seal.status, 1);
      assert.equal(seal.stderr, expected);
    } finally {
      writeFileSync(path, original);
    }
  });
});

describe("an images or sealed file without its environment file, through npm run render", () => {
  it("is refused, naming the file and the environments there are, rather than ignored", () => {
    const stderr = renderWithFiles({
      "environments/stagin.images.json": readFileSync(join(scratch, "environments/staging.images.json"), "utf8"),
      "environments/qa.sealed.json": "{}\n",
    });
    assert.equal(
      stderr,
      "environments/qa.sealed.json: there is no environment qa (no environments/qa.ts): a sealed file belongs to the environment of its name, and this one would be ignored; the environments are dev, prod, staging\n" +
        "environments/stagin.images.json: there is no environment stagin (no environments/stagin.ts): an images file belongs to the environment of its name, and this one would be ignored; " +
        "the environments are dev, prod, staging (did you mean environments/staging.images.json?)\n" +
        "Nothing was written.\n",
    );
  });
});

describe("an environment file that does not load, through npm run render", () => {
  before(() => {
    const first = npmRender();
    assert.equal(first.status, 0, first.stderr);
  });

  it("a syntax error: esbuild's message at its position", () => {
    const stderr = renderWith("environments/staging.ts", (text) => text.replace("export default defineEnvironment({", "export default defineEnvironment({{"));
    assert.match(stderr, /^environments\/staging\.ts:\d+:35: Expected identifier but found "\{"\n/);
  });

  it("an undefined name: the ReferenceError at its position in the source, not in the bundle", () => {
    const stderr = renderWith("environments/staging.ts", (text) => text.replace("backend: { replicas: 2 }", "backend: { replicas: twoReplicas }"));
    const line = readFileSync(join(scratch, "environments/staging.ts"), "utf8").split("\n").findIndex((l) => l.includes("backend: { replicas: 2 }")) + 1;
    assert.equal(stderr, `environments/staging.ts:${line}:24: ReferenceError: twoReplicas is not defined\nNothing was written.\n`);
  });

  it("a bad import: the module that cannot be resolved", () => {
    const stderr = renderWith("environments/staging.ts", (text) => text.replace("../generator/settings.ts", "../generator/setings.ts"));
    assert.match(stderr, /^environments\/staging\.ts:1:\d+: Could not resolve "\.\.\/generator\/setings\.ts"\n/);
  });

  it("a duplicate key, which would drop the first value without a word: refused at its line and column", () => {
    const stderr = renderWith("environments/staging.ts", (text) => text.replace("backend: { replicas: 2 }", "backend: { replicas: 5 },\n  backend: { replicas: 2 }"));
    const lines = readFileSync(join(scratch, "environments/staging.ts"), "utf8").split("\n");
    const first = lines.findIndex((l) => l.includes("backend: { replicas: 2 }")) + 1;
    assert.equal(
      stderr,
      `environments/staging.ts:${first + 1}:3: Duplicate key "backend" in object literal; the original key "backend" is at ${first}:3 ` +
        "(a warning of esbuild's, refused in a settings file: a value is lost or ignored)\nNothing was written.\n",
    );
  });

  it("no default export", () => {
    const stderr = renderWith("environments/staging.ts", (text) => text.replace("export default defineEnvironment(", "export const staging = defineEnvironment("));
    assert.equal(stderr, "environments/staging.ts:1:1: must `export default defineEnvironment({...})`\nNothing was written.\n");
  });

  it("an images file that is not JSON: its line and column", () => {
    const stderr = renderWith("environments/prod.images.json", (text) => text.replace('"tag": "1.0.0" }\n}', '"tag": "1.0.0" },\n}'));
    assert.match(stderr, /^environments\/prod\.images\.json:4:1: not valid JSON: [^\n]+\nNothing was written\.\n$/);
  });

  it("a duplicate key in an images file, which JSON.parse would settle silently for the last: refused at its line and column", () => {
    const stderr = renderWith("environments/prod.images.json", (text) => text.replace('"repository": "todo-backend", "tag": "1.0.0"', '"repository": "todo-backend", "tag": "1.0.0", "tag": "2.0.0"'));
    assert.equal(
      stderr,
      'environments/prod.images.json:3:62: duplicate key backend.tag: the key "tag" is stated again; the first is at 3:46 (refused in a settings file: one of the values would be ignored)\nNothing was written.\n',
    );
  });

  it("every broken file at once", () => {
    writeFileSync(join(scratch, "environments/dev.sealed.json"), "{ nope");
    try {
      const stderr = renderWith("environments/staging.ts", (text) => text.replace("backend: { replicas: 2 }", "backend: { replicas: twoReplicas }"));
      assert.match(stderr, /^environments\/dev\.sealed\.json:1:3: not valid JSON: .*\nenvironments\/staging\.ts:\d+:24: ReferenceError/);
    } finally {
      rmSync(join(scratch, "environments/dev.sealed.json"));
    }
  });
});
