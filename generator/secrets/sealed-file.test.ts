import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { SettingsError, formatProblem } from "../errors.ts";
import { readSealedFile } from "../load/environments.ts";
import type { Settings } from "../settings.ts";
import { declaredSettings } from "../testing/fixtures.ts";
import { sealValue } from "./seal.ts";
import { type SealedValues, formatSealedFile, sealedFileProblems, sealedValuesOf } from "./sealed-file.ts";
import { throwawaySealingKey } from "./test-support.ts";

const dev: Settings = declaredSettings("dev");
const prod: Settings = declaredSettings("prod", { database: { mode: "external", externalCidrs: ["192.0.2.0/24"] } });
const key = throwawaySealingKey();
const seal = (settings: Settings, name: string, value: string) => sealValue({ certificatePem: key.certificatePem, namespace: settings.namespace, name, value });

const temporaryDirs: string[] = [];
after(() => {
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

/** The sealed file's content for `values`, as npm run seal writes it for `settings`' namespace. */
const fileFor = (settings: Settings, values: SealedValues): unknown => JSON.parse(formatSealedFile(values, settings.namespace));
/** One Secret's entry in the file, in the order given. */
const entry = (secret: string, encryptedData: unknown) => ({ encryptedData, sealedFor: { name: secret, namespace: dev.namespace, scope: "strict" } });

function validDev() {
  return {
    "todo-auth-secret": { BETTER_AUTH_SECRET: seal(dev, "todo-auth-secret", "a") },
    "todo-backend-secret": { OPENAI_API_KEY: seal(dev, "todo-backend-secret", "b") },
    "todo-database-secret": {
      POSTGRES_DB: seal(dev, "todo-database-secret", "c"),
      POSTGRES_PASSWORD: seal(dev, "todo-database-secret", "d"),
      POSTGRES_USER: seal(dev, "todo-database-secret", "e"),
    },
  };
}

describe("sealedFileProblems", () => {
  it("accepts complete Secrets the environment reads", () => {
    assert.deepEqual(sealedFileProblems(dev, fileFor(dev, validDev())), []);
    assert.deepEqual(sealedFileProblems(dev, {}), [], "an environment without sealed values");
  });

  it("names the file, the path and the rule, and never shows what sits where a sealed value belongs", () => {
    const content = {
      "todo-backend-secret": entry("todo-backend-secret", {
        BETTER_AUTH_SECRET: seal(dev, "todo-backend-secret", "old"),
        OPENAI_API_KEY: "plaintext-password",
        OPENAI_KEY: seal(dev, "todo-backend-secret", "x"),
        DATABASE_URL: "x",
      }),
      "todo-auth-secret": entry("todo-auth-secret", { BETTER_AUTH_SECRET: "plaintext-password" }),
      "todo-redis": {},
      "todo-database-secret": "nope",
    };
    const problems = sealedFileProblems(dev, content).map(formatProblem);
    assert.deepEqual(problems, [
      'dev: environments/dev.sealed.json: todo-backend-secret.encryptedData.BETTER_AUTH_SECRET = "BETTER_AUTH_SECRET": moved to todo-auth-secret, which the frontend (signs) and the backend (verifies) both read: seal it there with `npm run seal -- dev` (a sealed value opens only under the Secret name it was sealed for, so it cannot be moved by hand)',
      'dev: environments/dev.sealed.json: todo-backend-secret.encryptedData.OPENAI_API_KEY = "(18 characters, not shown)": must be standard base64, as `npm run seal` writes it; seal values with `npm run seal -- dev`',
      'dev: environments/dev.sealed.json: todo-backend-secret.encryptedData.OPENAI_KEY = "OPENAI_KEY": unknown key; todo-backend-secret has DATABASE_URL, OPENAI_API_KEY',
      'dev: environments/dev.sealed.json: todo-backend-secret.encryptedData.DATABASE_URL = "DATABASE_URL": dev does not read todo-backend-secret.DATABASE_URL (database.mode is in-cluster: the backend composes DATABASE_URL from todo-database-secret); remove it',
      'dev: environments/dev.sealed.json: todo-auth-secret.encryptedData.BETTER_AUTH_SECRET = "(18 characters, not shown)": must be standard base64, as `npm run seal` writes it; seal values with `npm run seal -- dev`',
      'dev: environments/dev.sealed.json: todo-redis = "(nothing sealed)": unknown Secret; known: todo-auth-secret, todo-backend-secret, todo-database-secret, todo-redis-secret',
      'dev: environments/dev.sealed.json: todo-database-secret = "(4 characters, not shown)": must be an object: { encryptedData: key → sealed value, sealedFor }',
    ]);
    assert.ok(!problems.join("\n").includes("plaintext-password"));
  });

  it("refuses a Secret the environment does not use", () => {
    const problems = sealedFileProblems(prod, fileFor(prod, { "todo-database-secret": validDev()["todo-database-secret"] })).map(formatProblem);
    assert.deepEqual(problems, [
      'prod: environments/prod.sealed.json: todo-database-secret = "(sealed: POSTGRES_DB, POSTGRES_PASSWORD, POSTGRES_USER)": prod does not use todo-database-secret (database.mode is external: the database is not in the cluster); remove it (npm run seal -- prod)',
    ]);
  });
});

describe("reading the sealed file", () => {
  function repoWith(content?: string): string {
    const root = mkdtempSync(join(tmpdir(), "sealed-file-"));
    temporaryDirs.push(root);
    mkdirSync(join(root, "environments"));
    if (content !== undefined) writeFileSync(join(root, "environments", "dev.sealed.json"), content);
    return root;
  }

  it("reads nothing for an environment without a sealed file", () => {
    assert.deepEqual(readSealedFile("dev", repoWith()), {});
  });

  it("reads a valid file as it is", () => {
    const values = validDev();
    const content = readSealedFile("dev", repoWith(formatSealedFile(values, dev.namespace)));
    assert.deepEqual(sealedValuesOf(content), values);
    assert.deepEqual(sealedFileProblems(dev, content), []);
  });

  it("throws a SettingsError for bad JSON, at its line and column; its content is checked with the settings (sealedFileProblems)", () => {
    assert.throws(() => readSealedFile("dev", repoWith("{ nope")), (error: unknown) => error instanceof SettingsError && /^environments\/dev\.sealed\.json:1:3: not valid JSON/.test(error.message));
    assert.match(
      sealedFileProblems(dev, readSealedFile("dev", repoWith('{"todo-backend-secret": {"encryptedData": {}, "sealedFor": {"name": "todo-backend-secret", "namespace": "todo-dev", "scope": "strict"}}}'))).map(formatProblem).join("\n"),
      /todo-backend-secret\.encryptedData = "\(nothing sealed\)": a sealed Secret must hold every key dev reads; missing OPENAI_API_KEY/,
    );
    assert.match(sealedFileProblems(dev, readSealedFile("dev", repoWith('{"todo-auth-secret": {"encryptedData": {}, "sealedFor": {"name": "todo-auth-secret", "namespace": "todo-dev", "scope": "strict"}}}'))).map(formatProblem).join("\n"), /missing BETTER_AUTH_SECRET/);
  });
});

it("formatSealedFile sorts Secrets and keys, whatever order they come in, and records what each Secret was sealed for", () => {
  const text = formatSealedFile({ b: { Z: "1", A: "2" }, a: { K: "3" } }, "todo-dev");
  assert.equal(
    text,
    '{\n  "a": {\n    "encryptedData": {\n      "K": "3"\n    },\n    "sealedFor": {\n      "name": "a",\n      "namespace": "todo-dev",\n      "scope": "strict"\n    }\n  },\n' +
      '  "b": {\n    "encryptedData": {\n      "A": "2",\n      "Z": "1"\n    },\n    "sealedFor": {\n      "name": "b",\n      "namespace": "todo-dev",\n      "scope": "strict"\n    }\n  }\n}\n',
  );
});

describe("what a Secret was sealed for (the strict scope's namespace and name)", () => {
  const problemsOf = (settings: Settings, content: unknown) => sealedFileProblems(settings, content).map(formatProblem);

  it("refuses a sealed file from another environment: every Secret, naming both namespaces and the rule", () => {
    const staging = declaredSettings("staging");
    const problems = problemsOf(staging, fileFor(dev, { "todo-auth-secret": validDev()["todo-auth-secret"]! }));
    assert.deepEqual(problems, [
      'staging: environments/staging.sealed.json: todo-auth-secret.sealedFor.namespace = "todo-dev": the values were sealed for namespace "todo-dev", but staging deploys to namespace "todo-staging": ' +
        "in the strict scope a sealed value opens only in the namespace and under the Secret name it was sealed for, so the controller would refuse it; re-seal with `npm run seal -- staging`",
    ]);
  });

  it("refuses values sealed before the environment's namespace changed (namespace: todo-dev2 in dev.ts)", () => {
    const moved = declaredSettings("dev", { namespace: "todo-dev2" });
    const problems = problemsOf(moved, fileFor(dev, validDev()));
    assert.equal(problems.length, 3);
    for (const problem of problems) assert.match(problem, /sealedFor\.namespace = "todo-dev": the values were sealed for namespace "todo-dev", but dev deploys to namespace "todo-dev2"/);
  });

  it("refuses a Secret's block moved under another Secret's name, another scope, and a missing record", () => {
    const content = fileFor(dev, validDev()) as Record<string, { sealedFor: Record<string, unknown> }>;
    content["todo-auth-secret"]!.sealedFor.name = "todo-backend-secret";
    content["todo-backend-secret"]!.sealedFor.scope = "cluster-wide";
    delete (content["todo-database-secret"] as { sealedFor?: unknown }).sealedFor;
    assert.deepEqual(problemsOf(dev, content), [
      'dev: environments/dev.sealed.json: todo-auth-secret.sealedFor.name = "todo-backend-secret": the values were sealed for the Secret "todo-backend-secret", not todo-auth-secret: ' +
        "in the strict scope a sealed value opens only under the Secret name and in the namespace it was sealed for; re-seal with `npm run seal -- dev`",
      'dev: environments/dev.sealed.json: todo-backend-secret.sealedFor.scope = "cluster-wide": must be "strict": the scope npm run seal seals in and the rendered SealedSecrets use (they carry no scope annotation); re-seal with `npm run seal -- dev`',
      "dev: environments/dev.sealed.json: todo-database-secret.sealedFor = (missing): is required: the namespace, name and scope the values were sealed for " +
        '({ "name": "todo-database-secret", "namespace": "todo-dev", "scope": "strict" }), which npm run seal records; re-seal with `npm run seal -- dev`',
    ]);
  });

  it("refuses a file written before the record existed (key → value under each Secret), saying how to migrate", () => {
    assert.deepEqual(problemsOf(dev, { "todo-auth-secret": validDev()["todo-auth-secret"] }), [
      'dev: environments/dev.sealed.json: todo-auth-secret = "(sealed: BETTER_AUTH_SECRET)": written without the namespace its values were sealed for (before npm run seal recorded it): ' +
        "re-seal with `npm run seal -- dev`, which keeps the unchanged values and records it",
    ]);
  });
});
