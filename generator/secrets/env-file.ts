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
 * (no escapes). Empty values mean "not given".
 *
 * A line that could mean two things is refused rather than guessed at, since
 * a wrong guess would seal a wrong secret silently: a quote that opens and
 * never closes (or closes before the end of the value), a value that ends in
 * a quote it did not open with, and an unquoted value with ` #` in it (an
 * inline comment in most env-file dialects; here it would be sealed as part
 * of the value). A `#` with no space before it belongs to the value, as in
 * `sk-abc#1`; quote a value to keep ` #`.
 *
 * Problems never show any text of a bad line, not even the part before `=`
 * (a pasted value may be all there is on it): only the file and line, and
 * names from the catalogue.
 */
import { DATABASE_SECRET } from "../secrets.ts";
import type { Settings } from "../settings.ts";
import { SEALABLE_SECRETS, movedKey, secretKeysUsedBy, whyUnused } from "./catalogue.ts";

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

/** The value of a line's right-hand side, or the rule it breaks (never quoting it). */
export function parseValue(raw: string): { value: string } | { problem: string } {
  const value = raw.trim();
  const first = value[0];
  if (first === '"' || first === "'") {
    const close = value.indexOf(first, 1);
    if (close === -1) return { problem: `the value opens a ${first} quote that never closes: close it at the end of the value, or remove it` };
    if (close !== value.length - 1) {
      const after = value.slice(close + 1).trim();
      return after.startsWith("#")
        ? { problem: "a comment follows the quoted value: put comments on a line of their own" }
        : { problem: `text follows the closing ${first} quote: quote the whole value, with the other quote character if it contains this one` };
    }
    return { value: value.slice(1, -1) };
  }
  const last = value[value.length - 1];
  if (last === '"' || last === "'") {
    return { problem: `the value ends with a ${last} quote it does not start with: quote the whole value (with the other quote character) or neither end` };
  }
  if (/\s#/.test(value)) {
    return { problem: "` #` in an unquoted value: an inline comment, or part of the value? Put comments on a line of their own, or quote the value to keep it" };
  }
  return { value };
}

/** Levenshtein distance, for suggesting a catalogue name. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The catalogue name a mistyped `<secret>.<KEY>` most likely meant: only catalogue text, never the input. */
function suggestion(name: string): string | undefined {
  const known = [...SEALABLE_SECRETS].flatMap(([secret, keys]) => keys.map((key) => ({ full: `${secret}.${key}`, key })));
  const byKey = known.find(({ key }) => key === name);
  if (byKey) return byKey.full;
  let best: { full: string; d: number } | undefined;
  for (const { full } of known) {
    const d = distance(name, full);
    if (d <= Math.max(2, Math.floor(full.length / 4)) && (!best || d < best.d)) best = { full, d };
  }
  return best?.full;
}

const NOT_SHOWN = "the line is not shown: it may hold a value";

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
    const refuse = (rule: string, path?: string) => problems.push({ environment, source, ...(path ? { path } : {}), rule });
    const equals = trimmed.indexOf("=");
    if (equals < 0) {
      refuse(`must be \`<secret name>.<KEY>=<value>\` (no \`=\` found; ${NOT_SHOWN})`);
      return;
    }
    const name = trimmed.slice(0, equals).trim();
    const hint = () => {
      const known = suggestion(name);
      return known ? `; did you mean ${known}?` : "";
    };
    const dot = name.indexOf(".");
    if (dot <= 0 || dot === name.length - 1) {
      refuse(`must be \`<secret name>.<KEY>=<value>\` (${NOT_SHOWN})${hint()}`);
      return;
    }
    const secret = name.slice(0, dot);
    const key = name.slice(dot + 1);
    const keys = SEALABLE_SECRETS.get(secret);
    if (!keys) {
      refuse(`names no known Secret (${NOT_SHOWN}); known: ${describeKnown()}${hint()}`);
      return;
    }
    if (!keys.includes(key)) {
      // The Secret's name is the catalogue's own; the key is the line's text, named only when the catalogue knows it moved.
      const moved = movedKey(secret, key);
      if (moved) refuse(`${key} ${moved.rule}: write it as ${moved.now}`, secret);
      else refuse(`unknown key (${NOT_SHOWN}); ${secret} has ${keys.join(", ")}${hint()}`, secret);
      return;
    }
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      refuse(`given twice (first on line ${earlier})`, name);
      return;
    }
    seen.set(name, index + 1);
    const parsed = parseValue(trimmed.slice(equals + 1));
    if ("problem" in parsed) {
      refuse(parsed.problem, name);
      return;
    }
    entries.push({ secret, key, value: parsed.value, source });
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
