import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { configMapCredentialProblems, credentialValueProblem, secretKeyProblem } from "./credentials.ts";

/** Token-shaped test values are put together at run time, so that no scanner takes this file for a leak. */
const token = (...parts: string[]) => parts.join("");

describe("a ConfigMap key that names a credential", () => {
  it("is found in any case and with any separator", () => {
    const secretLooking = [
      "DB_PASS", "db-pass", "dbPass", "DB.PASS", "db_pwd", "PWD", "MYSQL_PASSWORD", "mysqlPassword", "passwd", "ssh-passphrase",
      "OPENAI_API_KEY", "openai-api-key", "openaiApiKey", "OpenAIApiKey", "Api.Key", "APIKEY", "signing-key", "AWS_SECRET_ACCESS_KEY", "awsAccessKey",
      "GITHUB_TOKEN", "auth_token", "refreshToken", "client_secret", "BETTER_AUTH_SECRET", "credentials", "DB_CREDS",
      "DATABASE_URL", "database-url", "database.url", "db_url", "SENTRY_DSN", "connection-string", "tls-private-key", "privateKey",
    ];
    const missed = secretLooking.filter((key) => secretKeyProblem(key) === undefined);
    assert.deepEqual(missed, []);
    assert.match(secretKeyProblem("dbPass")!, /^names a credential \(PASS; .*\): put it in a Secret, never in a ConfigMap$/);
  });

  it("leaves ordinary settings alone", () => {
    const ordinary = [
      "LOG_LEVEL", "PYTHONUNBUFFERED", "JWT_ALGORITHM", "JWT_EXPIRATION_DAYS", "ENVIRONMENT", "CORS_ORIGINS", "API_BASE_URL",
      "PUBLIC_KEY", "PASSENGER_LIMIT", "BYPASS_CACHE", "NEXT_TELEMETRY_DISABLED", "KEYCLOAK_URL", "MONKEY_PATCH", "compass-heading",
    ];
    assert.deepEqual(ordinary.filter((key) => secretKeyProblem(key) !== undefined), []);
  });
});

describe("a value that looks like a credential", () => {
  const random = "q7Gk2ZpX9vLmB4tRw8Yc1NsJ6hUe3DfA";
  const hex = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  it("is found by its shape, wherever it is in the value", () => {
    const cases: [string, RegExp][] = [
      ["postgresql://app:hunter2@db:5432/todo", /URL with a password/],
      ["redis://:pw@todo-redis:6379/0", /URL with a password/],
      [token("-----BEGIN ", "RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"), /PEM private key/],
      [token("-----BEGIN ", "OPENSSH PRIVATE KEY-----"), /PEM private key/],
      [token("sk", "-proj-", "Ab3dEf6hIj9kLm2nOp5q"), /OpenAI or Anthropic/],
      [token("Bearer sk", "-ant-api03-", "x".repeat(30)), /OpenAI or Anthropic/],
      [token("gh", "p_", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"), /GitHub token/],
      [token("github", "_pat_", "11ABCDEFG0123456789abc_xyz"), /GitHub token/],
      [token("gl", "pat-", "abcdefghij0123456789"), /GitLab token/],
      [token("xo", "xb-", "1234567890-abcdef"), /Slack token/],
      [token("AK", "IA", "IOSFODNN7EXAMPLE"), /AWS access key/],
      [token("AI", "za", "SyA-1234567890abcdefghijklmnopqrstu"), /Google API key/],
      [token("sk", "_live_", "abcdefghij1234"), /Stripe key/],
      [token("ey", "JhbGciOiJIUzI1NiJ9x", ".", "ey", "JzdWIiOiIxMjM0NTY3ODkw", ".sig"), /JSON Web Token/],
      [random, /long random-looking string/],
      [`key=${random}`, /long random-looking string/],
      [hex, /long random-looking string/],
    ];
    for (const [value, rule] of cases) assert.match(credentialValueProblem(value) ?? "(accepted)", rule, value);
  });

  it("leaves configuration alone: URLs without a password, hashes and identifiers, certificates, words", () => {
    const ordinary = [
      "http://todo-backend.todo-dev.svc.cluster.local:8000",
      "http://localhost:3000,https://todo.local",
      "https://user@docs.example/a@b",
      "HS256",
      "INFO",
      "7",
      "3f2c1ab4d5e6f708192a3b4c5d6e7f8091a2b3c4", // a git SHA
      `sha256:${hex}`, // an image digest
      "123e4567-e89b-12d3-a456-426614174000",
      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
      "ThisIsAVeryLongConfigurationValue123",
      "NextAuthUrlForTheProductionSite2025",
      "todo-backend-config-for-the-staging-environment",
      "task-skill-level", // "sk-" inside a word is no token
    ];
    assert.deepEqual(ordinary.filter((value) => credentialValueProblem(value) !== undefined), []);
  });
});

describe("every rendered ConfigMap", () => {
  it("is checked too, by key and by value, never showing the value", () => {
    const problems = configMapCredentialProblems({
      kind: "ConfigMap",
      data: { LOG_LEVEL: "INFO", DB_PASS: "hunter2-hunter2", UPSTREAM: "postgres://u:secretpw@h/db" },
    });
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /^data\.DB_PASS: names a credential/);
    assert.match(problems[1]!, /^data\.UPSTREAM: a URL with a password/);
    assert.ok(!problems.join("\n").includes("hunter2") && !problems.join("\n").includes("secretpw"));
    assert.deepEqual(configMapCredentialProblems({ kind: "Secret", data: { DB_PASS: "x" } }), []);
  });
});
