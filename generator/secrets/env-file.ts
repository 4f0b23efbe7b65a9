/**
 * The local file of an environment's secret values, `.secrets/<env>.env`
 * (ignored by Git; `.secrets/<env>.env.example` is its committed template):
 *
 *   # comment
 *   todo-backend-secret.OPENAI_API_KEY=sk-...
 *   todo-database-secret.POSTGRES_PASSWORD="  kept as is, spaces too  "
 *
 * One `<secret name>.<key>=<value>` a line. Blank lines and lines starting
 * with `#` are skipped. The value is the rest of the line, trimmed; wrapped
 * in matching "double" or 'single' quotes it is taken literally between them
 * (no escapes). A `#` inside a value belongs to the value. Empty values mean
 * "not given". Problems never quote a value: it is a secret.
 */
import { DATABASE_SECRET } from "../secrets.ts";
import type { Settings } from "../settings.ts";
import { SEALABLE_SECRETS, secretKeysUsedBy, whyUnused } from "./catalogue.ts";

/** RFC 3986 unreserved characters: safe anywhere in a URL without escaping. */
const URL_SAFE = /^[A-Za-z0-9._~-]+$/;

export interface SecretEntry {
  secret: string;
  key: string;
  value: string;
  /** `file:line`, or `prompt` for a typed value. */
  source: string;
}

export interface SecretInputProblem {
  environment: string;
  /** `.secrets/dev.env:3`, or `prompt`, or the file alone. */
  source: string;
  /** `todo-backend-secret.OPENAI_API_KEY`, when the problem has one. */
  path?: string;
  rule: string;
}

export function formatSecretInputProblem(problem: SecretInputProblem): string {
  return `${problem.environment}: ${problem.source}${problem.path ? ` ${problem.path}` : ""}: ${problem.rule}`;
}

/** Every problem with an environment's secret input, reported together. Nothing has been written. */
export class SecretInputError extends Error {
  readonly problems: SecretInputProblem[];
  constructor(problems: SecretInputProblem[]) {
    super(
      `invalid secret input (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${formatSecretInputProblem(p)}`).join("\n"),
    );
    this.name = "SecretInputError";
    this.problems = problems;
  }
}

function unquote(raw: string): string {
  const value = raw.trim();
  const first = value[0];
  if (value.length >= 2 && (first === '"' || first === "'") && value.endsWith(first)) return value.slice(1, -1);
  return value;
}

function describeKnown(): string {
  return [...SEALABLE_SECRETS].map(([name, keys]) => `${name} (${keys.join(", ")})`).join("; ");
}

/** Parses an env file; unknown Secrets or keys, malformed and repeated lines are problems. */
export function parseSecretsEnvFile(environment: string, text: string, fileName: string): SecretEntry[] {
  const entries: SecretEntry[] = [];
  const problems: SecretInputProblem[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((line, index) => {
    const source = `${fileName}:${index + 1}`;
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith("#")) return;
    const equals = trimmed.indexOf("=");
    if (equals < 0) {
      // The line is not quoted: it may be a value pasted on its own.
      problems.push({ environment, source, rule: "must be `<secret name>.<KEY>=<value>` (no `=` found)" });
      return;
    }
    const name = trimmed.slice(0, equals).trim();
    const dot = name.indexOf(".");
    if (dot <= 0 || dot === name.length - 1) {
      problems.push({ environment, source, path: name.slice(0, 80), rule: "must be `<secret name>.<KEY>=<value>`" });
      return;
    }
    const secret = name.slice(0, dot);
    const key = name.slice(dot + 1);
    const keys = SEALABLE_SECRETS.get(secret);
    if (!keys) {
      problems.push({ environment, source, path: name, rule: `unknown Secret "${secret}"; known: ${describeKnown()}` });
      return;
    }
    if (!keys.includes(key)) {
      problems.push({ environment, source, path: name, rule: `unknown key "${key}"; ${secret} has ${keys.join(", ")}` });
      return;
    }
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      problems.push({ environment, source, path: name, rule: `given twice (first on line ${earlier})` });
      return;
    }
    seen.set(name, index + 1);
    entries.push({ secret, key, value: unquote(trimmed.slice(equals + 1)), source });
  });
  if (problems.length) throw new SecretInputError(problems);
  return entries;
}

/**
 * The values to seal, Secret name → key → value, checked against what the
 * environment reads: a Secret is sealed whole or not at all (the controller
 * owns the whole Secret it creates), and a value the environment never
 * reads is refused rather than sealed to no effect.
 */
export function valuesToSeal(settings: Settings, entries: SecretEntry[], inputName: string): Map<string, Map<string, string>> {
  const environment = settings.name;
  const used = secretKeysUsedBy(settings);
  const problems: SecretInputProblem[] = [];
  const given = new Map<string, Map<string, string>>();
  /** Every key given a value, valid or not, for the whole-Secret rule. */
  const mentioned = new Map<string, Set<string>>();
  for (const { secret, key, value, source } of entries) {
    if (value === "") continue;
    const usedKeys = used.get(secret);
    if (!usedKeys?.includes(key)) {
      problems.push({ environment, source, path: `${secret}.${key}`, rule: `${whyUnused(settings, secret, key)}; leave it empty` });
      continue;
    }
    if (!mentioned.has(secret)) mentioned.set(secret, new Set());
    mentioned.get(secret)!.add(key);
    // The in-cluster DATABASE_URL is composed as scheme://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@host/$(POSTGRES_DB).
    if (secret === DATABASE_SECRET.name && settings.database.mode === "in-cluster" && !URL_SAFE.test(value)) {
      problems.push({
        environment,
        source,
        path: `${secret}.${key}`,
        rule: "must be URL-safe (letters, digits, - . _ ~): the backend's DATABASE_URL is composed from it; e.g. `openssl rand -hex 24`",
      });
      continue;
    }
    if (!given.has(secret)) given.set(secret, new Map());
    given.get(secret)!.set(key, value);
  }
  for (const [secret, keys] of mentioned) {
    const missing = used.get(secret)!.filter((key) => !keys.has(key));
    if (missing.length) {
      problems.push({
        environment,
        source: inputName,
        path: secret,
        rule: `a Secret is sealed whole: also give ${missing.map((key) => `${secret}.${key}`).join(", ")}, or leave all of ${secret} empty`,
      });
    }
  }
  if (mentioned.size === 0) {
    const wanted = [...used].map(([secret, keys]) => keys.map((key) => `${secret}.${key}`).join(", ")).join(", ");
    problems.push({ environment, source: inputName, rule: `no values given; ${environment} reads ${wanted}` });
  }
  if (problems.length) throw new SecretInputError(problems);
  return given;
}
