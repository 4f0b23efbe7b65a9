/**
 * What a new user's mistakes in the files they edit do to `npm run render`
 * (and `check`), run in-process (the CLI's run(); generator/launcher's tests
 * run it as a process): each one fails with a message naming the
 * environment, the file and the setting, exit 1, no stack trace, and
 * manifests/ and argocd/ untouched. (A file that does not load at all:
 * generator/load/load-errors.test.ts.)
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { generatorCli, renderedFiles } from "../testing/cli.ts";
import { scratchRepository } from "../testing/scratch.ts";

const scratch = scratchRepository("todo-cli-refusals-");
after(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Runs `npm run <script>` with each file changed (or made: it gets ""), then puts every file back; returns what it printed on stderr.
 * render refuses (exit 1, "Nothing was written."); check, which never writes, finds a local secret value (1: its answer).
 */
async function refusedWith(edits: Record<string, (text: string) => string>, script: "render" | "check" = "render"): Promise<string> {
  const originals = Object.fromEntries(Object.keys(edits).map((file) => [file, existsSync(join(scratch, file)) ? readFileSync(join(scratch, file), "utf8") : undefined]));
  const before = renderedFiles(scratch);
  try {
    for (const [file, change] of Object.entries(edits)) {
      const changed = change(originals[file] ?? "");
      assert.notEqual(changed, originals[file], `the edit of ${file} no longer applies`);
      writeFileSync(join(scratch, file), changed);
    }
    const result = await generatorCli(scratch, script);
    assert.equal(result.status, 1, `npm run ${script} did not fail:\n${result.stdout}${result.stderr}`);
    assert.doesNotMatch(result.stderr, /^\s+at /m, "a stack trace");
    if (script === "render") assert.match(result.stderr, /\nNothing was written\.\n$/);
    else assert.doesNotMatch(result.stderr, /Nothing was written/, "check writes nothing, ever");
    assert.deepEqual(renderedFiles(scratch), before, "manifests/ or argocd/ changed");
    return result.stderr;
  } finally {
    for (const [file, text] of Object.entries(originals)) {
      if (text === undefined) rmSync(join(scratch, file));
      else writeFileSync(join(scratch, file), text);
    }
  }
}

describe("npm run render refuses the mistakes a typed settings file invites", () => {
  before(async () => {
    const first = await generatorCli(scratch, "render");
    assert.equal(first.status, 0, first.stderr);
  });

  it('autoscaling: { enabled: "false" } in prod: a string, not the boolean it reads as', async () => {
    const stderr = await refusedWith({ "environments/prod.ts": (text) => text.replace("autoscaling: { enabled: true,", 'autoscaling: { enabled: "false",') });
    assert.match(stderr, /^ {2}- prod: environments\/prod\.ts: backend\.autoscaling\.enabled = "false": must be true or false, not a string$/m);
  });

  it("dapr: true in dev: the Dapr settings are an object; argocd/ keeps the Dapr control plane", async () => {
    const stderr = await refusedWith({ "environments/dev.ts": (text) => text.replace("dapr: { enabled: true }", "dapr: true") });
    assert.match(stderr, /^ {2}- dev: environments\/dev\.ts: dapr = true: must be an object of settings: write dapr: \{ enabled: true \}$/m);
  });

  it('resources: "small": named at its path, not a TypeError in the bundle', async () => {
    const stderr = await refusedWith({ "environments/staging.ts": (text) => text.replace("backend: { replicas: 2 }", 'backend: { replicas: 2, resources: "small" }') });
    assert.match(stderr, /^ {2}- staging: environments\/staging\.ts: backend\.resources = "small": must be an object, not a string$/m);
    assert.doesNotMatch(stderr, /TypeError|\.cache\/generator/);
  });

  it("wrong types and unknown keys anywhere, all reported at once", async () => {
    const stderr = await refusedWith({
      "environments/staging.ts": (text) =>
        text.replace("backend: { replicas: 2 }", 'backend: { replicas: "2", probes: { readiness: { periodSeconds: "5s" } }, migration: { command: "alembic upgrade head" } }, smokeTest: { enabeld: false }'),
    });
    assert.match(stderr, /^invalid settings \(4 problems\):$/m);
    assert.match(stderr, /staging: environments\/staging\.ts: backend\.replicas = "2": must be an integer from 1 to 10/);
    assert.match(stderr, /staging: environments\/staging\.ts: backend\.probes\.readiness\.periodSeconds = "5s": must be an integer from 1 to 3600/);
    assert.match(stderr, /staging: environments\/staging\.ts: backend\.migration\.command = "alembic upgrade head": must be a list: the program, then each argument/);
    assert.match(stderr, /staging: environments\/staging\.ts: smokeTest\.enabeld = false: unknown setting; did you mean enabled\?/);
  });

  it("backend.config.DB_PASS: a password by its name, never printed", async () => {
    const password = "hunter2-correct-horse";
    const stderr = await refusedWith({ "environments/dev.ts": (text) => text.replace('config: { LOG_LEVEL: "DEBUG" }', `config: { LOG_LEVEL: "DEBUG", DB_PASS: "${password}" }`) });
    assert.match(stderr, /^ {2}- dev: environments\/dev\.ts: backend\.config\.DB_PASS = \(not shown: it may be a credential\): names a credential \(PASS; /m);
    assert.ok(!stderr.includes(password), "the password is printed");
  });

  it("a credential under a harmless name: by its value, never printed", async () => {
    const key = ["sk", "-proj-", "Zx9Qw8Er7Ty6Ui5Op4As3Df2"].join("");
    const stderr = await refusedWith({ "environments/dev.ts": (text) => text.replace('config: { LOG_LEVEL: "DEBUG" }', `config: { LOG_LEVEL: "DEBUG", UPSTREAM_AUTH: "Bearer ${key}" }`) });
    assert.match(stderr, /dev: environments\/dev\.ts: backend\.config\.UPSTREAM_AUTH = \(not shown: it may be a credential\): looks like an OpenAI or Anthropic API key/);
    assert.ok(!stderr.includes(key));
  });

  it("an unknown component, or an unknown field, in an images file", async () => {
    const stderr = await refusedWith({
      "environments/dev.images.json": (text) => text.replace('"backend": { "repository": "todo-backend", "tag": "1.0.0" }', '"backend": { "repository": "todo-backend", "tag": "1.0.0", "pullPolicy": "Always" },\n  "web": { "repository": "todo-web", "tag": "1.0.0" }'),
    });
    assert.match(stderr, /dev: environments\/dev\.images\.json: backend\.pullPolicy = "Always": unknown field; known: repository, tag, digest/);
    assert.match(stderr, /dev: environments\/dev\.images\.json: web = \{"repository":"todo-web","tag":"1\.0\.0"\}: unknown component; known: frontend, backend/);
  });

  it("a sealed file holding what the environment does not read, or what is not sealed, never printing what sits there", async () => {
    const pasted = "plaintext-pasted-here";
    const stderr = await refusedWith({
      "environments/prod.sealed.json": () => JSON.stringify({
          "todo-database-secret": { encryptedData: { POSTGRES_PASSWORD: "AgB" }, sealedFor: { name: "todo-database-secret", namespace: "todo-prod", scope: "strict" } },
          "todo-backend-secret": { encryptedData: { DATABASE_URL: pasted }, sealedFor: { name: "todo-backend-secret", namespace: "todo-prod", scope: "strict" } },
        }),
    });
    assert.match(stderr, /prod: environments\/prod\.sealed\.json: todo-database-secret = "\(sealed: POSTGRES_PASSWORD\)": prod does not use todo-database-secret \(database\.mode is external/);
    assert.match(stderr, /prod: environments\/prod\.sealed\.json: todo-backend-secret\.encryptedData\.DATABASE_URL = "\(21 characters, not shown\)": must be standard base64/);
    assert.ok(!stderr.includes(pasted));
  });
});

describe("the never-plaintext guard runs in render and check", () => {
  const value = "correct-horse-battery-staple-42";
  before(() => {
    // What a repository tracks that a render could leak into: the settings and the rendered files.
    execFileSync("git", ["init", "--quiet"], { cwd: scratch });
    execFileSync("git", ["add", "environments", "clusters", "manifests", "argocd"], { cwd: scratch });
    mkdirSync(join(scratch, ".secrets"), { recursive: true });
    writeFileSync(join(scratch, ".secrets/dev.env"), `todo-backend-secret.BETTER_AUTH_SECRET=${value}\n`);
  });
  after(() => rmSync(join(scratch, ".secrets"), { recursive: true, force: true }));

  it("passes while no local value is anywhere", async () => {
    assert.equal((await generatorCli(scratch, "check")).status, 0);
  });

  it("refuses a render that would write a local .secrets/*.env value, naming the files, never the value", async () => {
    for (const script of ["render", "check"] as const) {
      const stderr = await refusedWith({ "environments/dev.ts": (text) => text.replace('config: { LOG_LEVEL: "DEBUG" }', `config: { LOG_LEVEL: "DEBUG", GREETING: "${value}" }`) }, script);
      assert.match(stderr, /^plaintext secret values \(2\):$/m);
      assert.match(stderr, /^ {2}- manifests\/dev\/configmap-todo-backend-config\.yaml:\d+: holds the value of \.secrets\/dev\.env: todo-backend-secret\.BETTER_AUTH_SECRET \(as the render would write it\)$/m);
      assert.match(stderr, /^ {2}- environments\/dev\.ts:\d+: holds the value of \.secrets\/dev\.env: todo-backend-secret\.BETTER_AUTH_SECRET$/m);
      assert.ok(!stderr.includes(value));
    }
  });
});
