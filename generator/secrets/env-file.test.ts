import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT, listEnvironments } from "../load/environments.ts";
import type { Settings } from "../settings.ts";
import { declaredSettings } from "../testing/fixtures.ts";
import { SEALABLE_SECRETS } from "./catalogue.ts";
import { SecretInputError, parseSecretsEnvFile, valuesToSeal } from "./env-file.ts";

const inCluster: Settings = declaredSettings("dev");
const external: Settings = declaredSettings("prod", { database: { mode: "external", externalCidrs: ["192.0.2.0/24"] } });

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
      '  todo-auth-secret.BETTER_AUTH_SECRET = "  spaced  "  ',
      "todo-database-secret.POSTGRES_DB='db'",
      "todo-database-secret.POSTGRES_USER=",
    ].join("\r\n");
    const entries = parseSecretsEnvFile("dev", text, ".secrets/dev.env");
    assert.deepEqual(
      entries.map(({ secret, key, value, source }) => [`${secret}.${key}`, value, source]),
      [
        ["todo-backend-secret.OPENAI_API_KEY", "sk-abc=def#not-a-comment", ".secrets/dev.env:3"],
        ["todo-auth-secret.BETTER_AUTH_SECRET", "  spaced  ", ".secrets/dev.env:4"],
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
    assert.match(message, /dev: \.secrets\/dev\.env:1: names no known Secret \(the line is not shown: it may hold a value\); known: todo-auth-secret \(BETTER_AUTH_SECRET\); todo-backend-secret/);
    assert.match(
      message,
      /dev: \.secrets\/dev\.env:2 todo-backend-secret: unknown key \(the line is not shown: it may hold a value\); todo-backend-secret has DATABASE_URL, OPENAI_API_KEY; did you mean todo-backend-secret\.OPENAI_API_KEY\?/,
    );
    assert.match(message, /dev: \.secrets\/dev\.env:4 todo-backend-secret\.OPENAI_API_KEY: given twice \(first on line 3\)/);
    assert.match(message, /dev: \.secrets\/dev\.env:5: must be `<secret name>\.<KEY>=<value>` \(no `=` found; the line is not shown/);
    assert.match(message, /dev: \.secrets\/dev\.env:6: must be `<secret name>\.<KEY>=<value>` \(the line is not shown: it may hold a value\); did you mean todo-backend-secret\.OPENAI_API_KEY\?/);
    assert.doesNotMatch(message, /value-(one|two|three|four|five)-secret/, "a problem never shows a value");
    // Nor the text of the bad lines before their `=`: only catalogue names appear.
    assert.doesNotMatch(message, /todo-secrets|OPENAI_KEY\b/);
  });

  it("names where a key moved: better-auth's secret is todo-auth-secret's now, not todo-backend-secret's", () => {
    const message = problemsOf(() => parseSecretsEnvFile("dev", "todo-backend-secret.BETTER_AUTH_SECRET=value-of-an-old-file", ".secrets/dev.env"));
    assert.match(
      message,
      /dev: \.secrets\/dev\.env:1 todo-backend-secret: BETTER_AUTH_SECRET moved to todo-auth-secret, which the frontend \(signs\) and the backend \(verifies\) both read: write it as todo-auth-secret\.BETTER_AUTH_SECRET/,
    );
    assert.doesNotMatch(message, /value-of-an-old-file/);
  });

  it("never echoes a pasted value, whatever shape it has", () => {
    // A base64 value ends in `=`, a JWT has dots, an API key pasted after a known Secret's name.
    const pasted = ["c3VwZXJzZWNyZXR2YWx1ZQ==", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWNyZXQifQ.c2lnbmF0dXJlc2lnbmF0dXJl=x", "todo-backend-secret.sk-live-4f9a8b7c6d5e=1"];
    const message = problemsOf(() => parseSecretsEnvFile("dev", pasted.join("\n"), ".secrets/dev.env"));
    assert.match(message, /\(3 problems\)/);
    for (const fragment of ["c3VwZXJzZWNyZXR2YWx1ZQ", "eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiJzZWNyZXQifQ", "c2lnbmF0dXJl", "sk-live-4f9a8b7c6d5e"]) {
      assert.ok(!message.includes(fragment), `the message shows ${fragment}:\n${message}`);
    }
  });

  it("refuses a line it could read two ways instead of sealing a guess: unbalanced quotes, inline comments", () => {
    const cases: [string, RegExp][] = [
      ['todo-backend-secret.OPENAI_API_KEY="sk-abcdef', /opens a " quote that never closes/],
      ["todo-backend-secret.OPENAI_API_KEY='sk-abcdef", /opens a ' quote that never closes/],
      ["todo-backend-secret.OPENAI_API_KEY=sk-abcdef\"", /ends with a " quote it does not start with/],
      ["todo-backend-secret.OPENAI_API_KEY=sk-abcdef # the prod key", /` #` in an unquoted value/],
      ["todo-backend-secret.OPENAI_API_KEY=sk-abcdef\t# the prod key", /` #` in an unquoted value/],
      ['todo-backend-secret.OPENAI_API_KEY="sk-abcdef" # the prod key', /a comment follows the quoted value/],
      ['todo-backend-secret.OPENAI_API_KEY="sk-"abcdef"', /text follows the closing " quote/],
    ];
    for (const [line, rule] of cases) {
      const message = problemsOf(() => parseSecretsEnvFile("dev", line, ".secrets/dev.env"));
      assert.match(message, new RegExp(`dev: \\.secrets/dev\\.env:1 todo-backend-secret\\.OPENAI_API_KEY: .*${rule.source}`), line);
      assert.ok(!message.includes("abcdef"), `the message shows the value: ${message}`);
    }
    // Unambiguous: a `#` with no space before it, and ` #` or quotes inside a quoted value.
    const entries = parseSecretsEnvFile(
      "dev",
      ["todo-backend-secret.OPENAI_API_KEY=sk-abc#1", "todo-auth-secret.BETTER_AUTH_SECRET='a \"b\" # c'", 'todo-backend-secret.DATABASE_URL="it\'s"'].join("\n"),
      ".secrets/dev.env",
    );
    assert.deepEqual(
      entries.map((e) => e.value),
      ["sk-abc#1", 'a "b" # c', "it's"],
    );
  });
});

describe("valuesToSeal", () => {
  const entry = (name: string, value: string) => {
    const [secret, key] = name.split(".") as [string, string];
    return { secret, key, value, source: ".secrets/x.env:1" };
  };

  it("with the in-cluster database: the database Secret, the auth secret and the backend's keys but DATABASE_URL", () => {
    const values = valuesToSeal(
      inCluster,
      [
        entry("todo-database-secret.POSTGRES_USER", "todo"),
        entry("todo-database-secret.POSTGRES_PASSWORD", "pw-123456"),
        entry("todo-database-secret.POSTGRES_DB", "todo"),
        entry("todo-backend-secret.DATABASE_URL", ""),
        entry("todo-auth-secret.BETTER_AUTH_SECRET", "auth-123456"),
        entry("todo-backend-secret.OPENAI_API_KEY", "sk-123456"),
      ],
      "x.env",
    );
    assert.deepEqual(
      Object.fromEntries([...values].map(([secret, keys]) => [secret, Object.fromEntries(keys)])),
      {
        "todo-database-secret": { POSTGRES_USER: "todo", POSTGRES_PASSWORD: "pw-123456", POSTGRES_DB: "todo" },
        "todo-auth-secret": { BETTER_AUTH_SECRET: "auth-123456" },
        "todo-backend-secret": { OPENAI_API_KEY: "sk-123456" },
      },
    );
  });

  it("refuses values the environment never reads, saying why", () => {
    const inClusterMessage = problemsOf(() =>
      valuesToSeal(
        inCluster,
        [
          entry("todo-backend-secret.DATABASE_URL", "postgresql://u:p@h/db"),
          entry("todo-auth-secret.BETTER_AUTH_SECRET", "a"),
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
      /prod: \.secrets\/prod\.env todo-backend-secret: a Secret is sealed whole: also give todo-backend-secret\.DATABASE_URL, or leave all of todo-backend-secret empty/,
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
      // Every environment, a user's own too, has its template: README, "Add an environment", makes qa's from staging's.
      assert.ok(existsSync(join(REPO_ROOT, file)), `${file} is missing: every environment has one (README, "Add an environment": sed 's/staging/${environment}/g' .secrets/staging.env.example > ${file})`);
      const entries = parseSecretsEnvFile(environment, readFileSync(join(REPO_ROOT, file), "utf8"), file);
      const expected = [...SEALABLE_SECRETS].flatMap(([secret, keys]) => keys.map((key) => `${secret}.${key}`)).sort();
      assert.deepEqual(entries.map(({ secret, key }) => `${secret}.${key}`).sort(), expected);
      assert.deepEqual(entries.filter(({ value }) => value !== "").map(({ secret, key }) => `${secret}.${key}`), []);
    });
  }
});
