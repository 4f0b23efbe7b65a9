import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT, listEnvironments } from "../load/environments.ts";
import type { Settings } from "../settings.ts";
import { declaredSettings } from "../testing/fixtures.ts";
import { SEALABLE_SECRETS } from "./catalogue.ts";
import { SecretInputError, parseSecretsEnvFile, valuesToSeal } from "./env-file.ts";

const inCluster: Settings = declaredSettings("dev");
const external: Settings = declaredSettings("prod", { database: { mode: "external" } });

function problemsOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof SecretInputError, `expected SecretInputError, got ${String(error)}`);
    return error.message;
  }
  assert.fail("expected SecretInputError");
}

describe("parseSecretsEnvFile", () => {
  it("reads `<secret>.<KEY>=<value>` lines, skipping comments and blank lines", () => {
    const text = [
      "# comment",
      "",
      "todo-backend-secret.OPENAI_API_KEY=sk-abc=def#not-a-comment",
      '  todo-backend-secret.BETTER_AUTH_SECRET = "  spaced  "  ',
      "todo-database-secret.POSTGRES_DB='db'",
      "todo-database-secret.POSTGRES_USER=",
    ].join("\r\n");
    const entries = parseSecretsEnvFile("dev", text, ".secrets/dev.env");
    assert.deepEqual(
      entries.map(({ secret, key, value, source }) => [`${secret}.${key}`, value, source]),
      [
        ["todo-backend-secret.OPENAI_API_KEY", "sk-abc=def#not-a-comment", ".secrets/dev.env:3"],
        ["todo-backend-secret.BETTER_AUTH_SECRET", "  spaced  ", ".secrets/dev.env:4"],
        ["todo-database-secret.POSTGRES_DB", "db", ".secrets/dev.env:5"],
        ["todo-database-secret.POSTGRES_USER", "", ".secrets/dev.env:6"],
      ],
    );
  });

  it("reports unknown Secrets, unknown keys, repeated and malformed lines together, without their values", () => {
    const text = [
      "todo-secrets.OPENAI_API_KEY=value-one-secret",
      "todo-backend-secret.OPENAI_KEY=value-two-secret",
      "todo-backend-secret.OPENAI_API_KEY=a",
      "todo-backend-secret.OPENAI_API_KEY=value-three-secret",
      "value-four-secret",
      "OPENAI_API_KEY=value-five-secret",
    ].join("\n");
    const message = problemsOf(() => parseSecretsEnvFile("dev", text, ".secrets/dev.env"));
    assert.match(message, /\(5 problems\)/);
    assert.match(message, /dev: \.secrets\/dev\.env:1 todo-secrets\.OPENAI_API_KEY: unknown Secret "todo-secrets"; known: todo-backend-secret/);
    assert.match(message, /dev: \.secrets\/dev\.env:2 todo-backend-secret\.OPENAI_KEY: unknown key "OPENAI_KEY"; todo-backend-secret has DATABASE_URL, BETTER_AUTH_SECRET, OPENAI_API_KEY/);
    assert.match(message, /dev: \.secrets\/dev\.env:4 todo-backend-secret\.OPENAI_API_KEY: given twice \(first on line 3\)/);
    assert.match(message, /dev: \.secrets\/dev\.env:5: must be `<secret name>\.<KEY>=<value>` \(no `=` found\)/);
    assert.match(message, /dev: \.secrets\/dev\.env:6 OPENAI_API_KEY: must be `<secret name>\.<KEY>=<value>`/);
    assert.doesNotMatch(message, /value-(one|two|three|four|five)-secret/, "a problem never shows a value");
  });
});

describe("valuesToSeal", () => {
  const entry = (name: string, value: string) => {
    const [secret, key] = name.split(".") as [string, string];
    return { secret, key, value, source: ".secrets/x.env:1" };
  };

  it("with the in-cluster database: the database Secret and the backend's keys but DATABASE_URL", () => {
    const values = valuesToSeal(
      inCluster,
      [
        entry("todo-database-secret.POSTGRES_USER", "todo"),
        entry("todo-database-secret.POSTGRES_PASSWORD", "pw-123456"),
        entry("todo-database-secret.POSTGRES_DB", "todo"),
        entry("todo-backend-secret.DATABASE_URL", ""),
        entry("todo-backend-secret.BETTER_AUTH_SECRET", "auth-123456"),
        entry("todo-backend-secret.OPENAI_API_KEY", "sk-123456"),
      ],
      "x.env",
    );
    assert.deepEqual(
      Object.fromEntries([...values].map(([secret, keys]) => [secret, Object.fromEntries(keys)])),
      {
        "todo-database-secret": { POSTGRES_USER: "todo", POSTGRES_PASSWORD: "pw-123456", POSTGRES_DB: "todo" },
        "todo-backend-secret": { BETTER_AUTH_SECRET: "auth-123456", OPENAI_API_KEY: "sk-123456" },
      },
    );
  });

  it("refuses values the environment never reads, saying why", () => {
    const inClusterMessage = problemsOf(() =>
      valuesToSeal(
        inCluster,
        [
          entry("todo-backend-secret.DATABASE_URL", "postgresql://u:p@h/db"),
          entry("todo-backend-secret.BETTER_AUTH_SECRET", "a"),
          entry("todo-backend-secret.OPENAI_API_KEY", "b"),
        ],
        "x.env",
      ),
    );
    assert.match(inClusterMessage, /todo-backend-secret\.DATABASE_URL: dev does not read todo-backend-secret\.DATABASE_URL \(database\.mode is in-cluster: the backend composes DATABASE_URL from todo-database-secret\); leave it empty/);
    assert.doesNotMatch(inClusterMessage, /postgresql:/);

    const externalMessage = problemsOf(() => valuesToSeal(external, [entry("todo-database-secret.POSTGRES_PASSWORD", "pw")], "x.env"));
    assert.match(externalMessage, /prod: \.secrets\/x\.env:1 todo-database-secret\.POSTGRES_PASSWORD: prod does not use todo-database-secret \(database\.mode is external/);
  });

  it("with the in-cluster database, refuses database values that would break the composed DATABASE_URL", () => {
    const message = problemsOf(() =>
      valuesToSeal(
        inCluster,
        [
          entry("todo-database-secret.POSTGRES_USER", "todo_app"),
          entry("todo-database-secret.POSTGRES_PASSWORD", "p@ss/word:1"),
          entry("todo-database-secret.POSTGRES_DB", "todo db"),
        ],
        "x.env",
      ),
    );
    assert.match(message, /\(2 problems\)/);
    assert.match(message, /todo-database-secret\.POSTGRES_PASSWORD: must be URL-safe \(letters, digits, - \. _ ~\): the backend's DATABASE_URL is composed from it/);
    assert.match(message, /todo-database-secret\.POSTGRES_DB: must be URL-safe/);
    assert.doesNotMatch(message, /p@ss/);
  });

  it("seals a Secret whole or not at all", () => {
    const message = problemsOf(() => valuesToSeal(external, [entry("todo-backend-secret.OPENAI_API_KEY", "sk")], ".secrets/prod.env"));
    assert.match(
      message,
      /prod: \.secrets\/prod\.env todo-backend-secret: a Secret is sealed whole: also give todo-backend-secret\.DATABASE_URL, todo-backend-secret\.BETTER_AUTH_SECRET, or leave all of todo-backend-secret empty/,
    );
    // The database Secret alone, the backend's left to be made by hand, is fine.
    const values = valuesToSeal(
      inCluster,
      ["POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"].map((key) => entry(`todo-database-secret.${key}`, "v")),
      "x.env",
    );
    assert.deepEqual([...values.keys()], ["todo-database-secret"]);
  });

  it("refuses an input with no values at all", () => {
    assert.match(
      problemsOf(() => valuesToSeal(inCluster, [entry("todo-backend-secret.OPENAI_API_KEY", "")], ".secrets/dev.env")),
      /dev: \.secrets\/dev\.env: no values given; dev reads todo-database-secret\.POSTGRES_USER/,
    );
  });
});

describe("the committed templates", () => {
  for (const environment of listEnvironments()) {
    it(`.secrets/${environment}.env.example names every sealable key, with empty values`, () => {
      const file = `.secrets/${environment}.env.example`;
      const entries = parseSecretsEnvFile(environment, readFileSync(join(REPO_ROOT, file), "utf8"), file);
      const expected = [...SEALABLE_SECRETS].flatMap(([secret, keys]) => keys.map((key) => `${secret}.${key}`)).sort();
      assert.deepEqual(entries.map(({ secret, key }) => `${secret}.${key}`).sort(), expected);
      assert.deepEqual(entries.filter(({ value }) => value !== "").map(({ secret, key }) => `${secret}.${key}`), []);
    });
  }
});
