/**
 * zod's issues as the generator reports every problem: the environment, the
 * file, the setting's path, the value given and the rule, in plain words,
 * never echoing what may be a credential.
 */
import type * as z from "zod";
import type { SettingsProblem } from "../errors.ts";
import { credentialValueProblem, secretKeyProblem } from "../validation/credentials.ts";

type Issue = z.core.$ZodIssue;

/** `backend.autoscaling.enabled`, `backend.apiAccess[0].verbs`, `namespaceSettings.quota["limits.cpu"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, i) => {
      if (typeof segment === "number") return `[${segment}]`;
      const key = String(segment);
      if (/^[A-Za-z_$][\w$-]*$/.test(key)) return i === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join("");
}

/** A setting's path for a problem; the empty path is the file's whole content (an images file that is `[]`). */
export function pathInFile(path: readonly PropertyKey[]): string {
  return formatPath(path) || "(the whole file)";
}

/** "a string", "true", "a list", "null": what was given instead, for a rule's message. */
function described(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "object") return "an object";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a number";
  return `a ${typeof value}`;
}

const EXPECTED: Record<string, string> = {
  boolean: "must be true or false",
  number: "must be a number",
  int: "must be an integer",
  string: "must be a string",
  object: "must be an object",
  record: "must be an object",
  array: "must be a list",
};

/**
 * The schema declared at `path` inside `schema`, as its layers: the wrappers
 * (defaults, optionals and the like) from the outside in, then what they
 * wrap; empty when the path leads nowhere the declaration knows.
 */
function schemaLayersAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): z.core.$ZodType[] {
  let layers: z.core.$ZodType[] = [];
  const unwrap = (start: z.core.$ZodType | undefined) => {
    layers = [];
    for (let current = start, guard = 0; current && guard < 20; guard++) {
      layers.push(current);
      const def = current._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
      current = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
    }
  };
  unwrap(schema);
  for (const segment of path) {
    const def = layers.at(-1)?._zod.def as
      | { type: string; shape?: Record<string, z.core.$ZodType>; catchall?: z.core.$ZodType; element?: z.core.$ZodType; valueType?: z.core.$ZodType }
      | undefined;
    if (!def) return [];
    if (def.type === "object") unwrap(def.shape?.[String(segment)] ?? def.catchall);
    else if (def.type === "array") unwrap(def.element);
    else if (def.type === "record") unwrap(def.valueType);
    else return [];
  }
  return layers;
}

/** The object schema at `path` inside `schema`, through defaults, optionals and the like; undefined when there is none. */
function objectShapeAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): Record<string, unknown> | undefined {
  const def = schemaLayersAt(schema, path).at(-1)?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === "object" ? def.shape : undefined;
}

/** Declarations whose values are never credentials, whatever they look like (see shownAsIs()). */
const SHOWN_AS_IS = new WeakSet<z.core.$ZodType>();

/**
 * Marks a declaration whose values are public by definition, such as an
 * image digest (64 hex digits, which would otherwise look like a key): a
 * problem with one always shows the value given.
 */
export function shownAsIs<T extends z.core.$ZodType>(schema: T): T {
  SHOWN_AS_IS.add(schema);
  return schema;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The known name a misspelt one is closest to, when it is close enough to be meant. */
export function closestName(key: string, known: readonly string[]): string | undefined {
  const [closest] = known.map((name) => ({ name, d: distance(key, name) })).sort((a, b) => a.d - b.d);
  return closest && closest.d <= Math.max(1, Math.floor(key.length / 3)) ? closest.name : undefined;
}

/** "unknown setting; did you mean replicas?", or with few choices, all of them. */
function unknownKeyRule(key: string, known: string[], what: string): string {
  const closest = closestName(key, known);
  if (closest) return `unknown ${what}; did you mean ${closest}?`;
  if (known.length > 0 && known.length <= 4) return `unknown ${what}; known: ${known.join(", ")}`;
  return `unknown ${what}`;
}

/** The value at `path` in `input`. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** True when a value must not be printed: named like a credential, shaped like one, or holding one (under any key inside it). */
export function mayBeCredential(path: readonly PropertyKey[], value: unknown): boolean {
  const last = path.at(-1);
  if (typeof last === "string" && secretKeyProblem(last) !== undefined) return true;
  const holds = (item: unknown): boolean => {
    if (typeof item === "string") return credentialValueProblem(item) !== undefined;
    if (typeof item !== "object" || item === null) return false;
    return Object.entries(item).some(([key, inner]) => (!Array.isArray(item) && secretKeyProblem(key) !== undefined) || holds(inner));
  };
  return holds(value);
}

/** The rule an issue states, in the generator's words. */
function ruleOf(issue: Issue, schema: z.core.$ZodType): string {
  const isDefaultMessage = /^Invalid (input|option|key|element|value)|^Unrecognized key|^Too (big|small)/.test(issue.message);
  switch (issue.code) {
    case "invalid_type": {
      if (!isDefaultMessage) return issue.message;
      if (issue.input === undefined) return "is required";
      const expected = EXPECTED[issue.expected] ?? `must be ${issue.expected}`;
      if ((issue.expected === "object" || issue.expected === "record") && typeof issue.input === "boolean") {
        const shape = objectShapeAt(schema, issue.path);
        const key = issue.path.at(-1);
        if (shape && "enabled" in shape) return `${expected} of settings: write ${String(key ?? "it")}: { enabled: ${issue.input} }`;
      }
      return `${expected}, not ${described(issue.input)}`;
    }
    case "invalid_value":
      if (!isDefaultMessage) return issue.message;
      return issue.values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `must be one of ${issue.values.map((value) => String(value)).join(", ")}`;
    case "too_big":
      return isDefaultMessage ? `must be at most ${issue.maximum}` : issue.message;
    case "too_small":
      return isDefaultMessage ? `must be at least ${issue.minimum}` : issue.message;
    case "invalid_key":
      return issue.issues.map((inner) => inner.message).join("; ");
    default:
      return issue.message;
  }
}

export interface ProblemSource {
  environment: string;
  /** The file the values came from, repository-relative. */
  file: string;
  /** What the file holds (the parsed input). */
  input: unknown;
  schema: z.core.$ZodType;
  /** What an unknown key is called at each depth, e.g. ["component", "field"]; default: "setting". */
  unknownKeys?: readonly string[];
}

/** One problem per issue, and per unknown key. */
export function problemsFromIssues(source: ProblemSource, issues: readonly Issue[]): SettingsProblem[] {
  const { environment, file, input, schema } = source;
  const problems: SettingsProblem[] = [];
  const shown = (path: readonly PropertyKey[]) => schemaLayersAt(schema, path).some((layer) => SHOWN_AS_IS.has(layer));
  const add = (path: readonly PropertyKey[], value: unknown, rule: string, secret = false) =>
    problems.push({ environment, file, path: pathInFile(path), value, rule, ...(secret || (mayBeCredential(path, value) && !shown(path)) ? { secret: true } : {}) });
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const known = Object.keys(objectShapeAt(schema, issue.path) ?? {});
      const what = source.unknownKeys?.[Math.min(issue.path.length, source.unknownKeys.length - 1)] ?? "setting";
      for (const key of issue.keys) add([...issue.path, key], valueAt(input, [...issue.path, key]), unknownKeyRule(key, known, what));
      continue;
    }
    const params = issue.code === "custom" ? (issue.params as { secret?: boolean; shown?: boolean } | undefined) : undefined;
    const value = "input" in issue ? issue.input : valueAt(input, issue.path);
    // `shown`: the rule has judged the value not to be a credential (a key refused for its name alone, say).
    if (params?.shown) problems.push({ environment, file, path: pathInFile(issue.path), value, rule: ruleOf(issue, schema) });
    else add(issue.path, value, ruleOf(issue, schema), params?.secret === true);
  }
  return problems;
}
