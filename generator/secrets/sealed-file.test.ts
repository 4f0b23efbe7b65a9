import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { SettingsError, formatProblem } from "../errors.ts";
import { readSealedValues } from "../load/environments.ts";
import type { Settings } from "../settings.ts";
import { declaredSettings } from "../testing/fixtures.ts";
import { sealValue } from "./seal.ts";
import { formatSealedFile, sealedFileProblems } from "./sealed-file.ts";
import { throwawaySealingKey } from "./test-support.ts";

const dev: Settings = declaredSettings("dev");
const prod: Settings = declaredSettings("prod", { database: { mode: "external", externalCidrs: ["192.0.2.0/24"] } });
const key = throwawaySealingKey();
const seal = (settings: Settings, name: string, value: string) => sealValue({ certificatePem: key.certificatePem, namespace: settings.namespace, name, value });

const temporaryDirs: string[] = [];
after(() => {
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

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
    assert.deepEqual(sealedFileProblems(dev, validDev()), []);
    assert.deepEqual(sealedFileProblems(dev, {}), [], "an environment without sealed values");
  });

  it("names the file, the path and the rule, and never shows what sits where a sealed value belongs", () => {
    const content = {
      "todo-backend-secret": {
        BETTER_AUTH_SECRET: seal(dev, "todo-backend-secret", "old"),
        OPENAI_API_KEY: "plaintext-password",
        OPENAI_KEY: seal(dev, "todo-backend-secret", "x"),
        DATABASE_URL: "x",
      },
      "todo-auth-secret": { BETTER_AUTH_SECRET: "plaintext-password" },
      "todo-redis": {},
      "todo-database-secret": "nope",
    };
    const problems = sealedFileProblems(dev, content).map(formatProblem);
    assert.deepEqual(problems, [
      'dev: environments/dev.sealed.json: todo-backend-secret.BETTER_AUTH_SECRET = "BETTER_AUTH_SECRET": moved to todo-auth-secret, which the frontend (signs) and the backend (verifies) both read: seal it there with `npm run seal -- dev` (a sealed value opens only under the Secret name it was sealed for, so it cannot be moved by hand)',
      'dev: environments/dev.sealed.json: todo-backend-secret.OPENAI_API_KEY = "(18 characters, not shown)": must be standard base64, as `npm run seal` writes it; seal values with `npm run seal -- dev`',
      'dev: environments/dev.sealed.json: todo-backend-secret.OPENAI_KEY = "OPENAI_KEY": unknown key; todo-backend-secret has DATABASE_URL, OPENAI_API_KEY',
      'dev: environments/dev.sealed.json: todo-backend-secret.DATABASE_URL = "DATABASE_URL": dev does not read todo-backend-secret.DATABASE_URL (database.mode is in-cluster: the backend composes DATABASE_URL from todo-database-secret); remove it',
      'dev: environments/dev.sealed.json: todo-auth-secret.BETTER_AUTH_SECRET = "(18 characters, not shown)": must be standard base64, as `npm run seal` writes it; seal values with `npm run seal -- dev`',
      'dev: environments/dev.sealed.json: todo-redis = "todo-redis": unknown Secret; known: todo-auth-secret, todo-backend-secret, todo-database-secret, todo-redis-secret',
      'dev: environments/dev.sealed.json: todo-database-secret = "(4 characters, not shown)": must be an object of key → sealed value',
    ]);
    assert.ok(!problems.join("\n").includes("plaintext-password"));
  });

  it("refuses a Secret the environment does not use", () => {
    const problems = sealedFileProblems(prod, { "todo-database-secret": validDev()["todo-database-secret"] }).map(formatProblem);
    assert.deepEqual(problems, [
      'prod: environments/prod.sealed.json: todo-database-secret = "todo-database-secret": prod does not use todo-database-secret (database.mode is external: the database is not in the cluster); remove it (npm run seal -- prod)',
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
    assert.deepEqual(readSealedValues("dev", repoWith()), {});
  });

  it("reads a valid file as it is", () => {
    const values = validDev();
    assert.deepEqual(readSealedValues("dev", repoWith(formatSealedFile(values))), values);
  });

  it("throws a SettingsError for bad JSON, at its line and column; its content is checked with the settings (sealedFileProblems)", () => {
    assert.throws(() => readSealedValues("dev", repoWith("{ nope")), (error: unknown) => error instanceof SettingsError && /^environments\/dev\.sealed\.json:1:3: not valid JSON/.test(error.message));
    assert.match(
      sealedFileProblems(dev, readSealedValues("dev", repoWith('{"todo-backend-secret": {}}'))).map(formatProblem).join("\n"),
      /todo-backend-secret = "0 keys": a sealed Secret must hold every key dev reads; missing OPENAI_API_KEY/,
    );
    assert.match(sealedFileProblems(dev, readSealedValues("dev", repoWith('{"todo-auth-secret": {}}'))).map(formatProblem).join("\n"), /missing BETTER_AUTH_SECRET/);
  });
});

it("formatSealedFile sorts Secrets and keys, whatever order they come in", () => {
  const text = formatSealedFile({ b: { Z: "1", A: "2" }, a: { K: "3" } });
  assert.equal(text, '{\n  "a": {\n    "K": "3"\n  },\n  "b": {\n    "A": "2",\n    "Z": "1"\n  }\n}\n');
});
