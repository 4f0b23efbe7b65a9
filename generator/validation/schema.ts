/**
 * Types and required fields, checked against the same closed field schemas
 * the unknown-field walk uses. kubernetes-models publishes a validate() for
 * built-in kinds and for Argo CD; for kinds nobody publishes models of (Dapr)
 * this is that validate(), driven by the schema in custom-kinds.ts.
 */
import type { FieldType, ScalarKind } from "./unknown-fields.ts";

/** A Go duration as Dapr parses them (time.ParseDuration): `24h`, `15m`, `1h30m`, `1.5s`. */
const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function scalarProblem(value: unknown, kind: ScalarKind | undefined): string | undefined {
  switch (kind) {
    case undefined:
      return typeof value === "object" ? "must be a scalar" : undefined;
    case "string":
      return typeof value === "string" ? undefined : "must be a string";
    case "boolean":
      return typeof value === "boolean" ? undefined : "must be a boolean";
    case "integer":
      return Number.isInteger(value) ? undefined : "must be an integer";
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? undefined : "must be a number";
    case "duration":
      return typeof value === "string" && GO_DURATION.test(value) ? undefined : "must be a duration such as 24h or 15m";
  }
}

/**
 * Every type error and missing required field in `value`, as `path: problem`
 * lines. Unknown fields are findUnknownFields' job, not this one's.
 */
export function schemaProblems(value: unknown, type: FieldType, path = ""): string[] {
  const at = path || "(root)";
  if (value === null || value === undefined) return [];
  switch (type.type) {
    case "any":
      return [];
    case "scalar": {
      const problem = scalarProblem(value, type.kind);
      return problem ? [`${at}: ${problem} (found ${JSON.stringify(value)})`] : [];
    }
    case "array": {
      if (!Array.isArray(value)) return [`${at}: must be a list`];
      const problems = value.flatMap((item, i) => schemaProblems(item, type.items, `${path}[${i}]`));
      if (type.minItems !== undefined && value.length < type.minItems) {
        problems.unshift(`${at}: must hold at least ${type.minItems} item${type.minItems === 1 ? "" : "s"}`);
      }
      return problems;
    }
    case "map":
      if (typeof value !== "object" || Array.isArray(value)) return [`${at}: must be a map`];
      return Object.entries(value).flatMap(([key, item]) => schemaProblems(item, type.values, join(path, key)));
    case "model":
      // Built-in parts (ObjectMeta) are typed by kubernetes-models' own interfaces.
      return typeof value === "object" && !Array.isArray(value) ? [] : [`${at}: must be an object`];
    case "object": {
      if (typeof value !== "object" || Array.isArray(value)) return [`${at}: must be an object`];
      const record = value as Record<string, unknown>;
      const missing = (type.required ?? []).filter((key) => record[key] === undefined || record[key] === null);
      return [
        ...missing.map((key) => `${join(path, key)}: required field is missing`),
        ...Object.entries(record).flatMap(([key, item]) => {
          const field = type.fields[key];
          return field ? schemaProblems(item, field, join(path, key)) : [];
        }),
      ];
    }
  }
}

interface Validatable {
  validate(): void;
}

/**
 * A class with a kubernetes-models style validate() (throws on the first
 * call with every problem listed), for KINDS entries of unmodelled kinds.
 */
export function strictModel(kind: string, fields: FieldType): new (data: unknown) => Validatable {
  return class StrictModel implements Validatable {
    private readonly data: unknown;
    constructor(data: unknown) {
      this.data = data;
    }
    validate(): void {
      const problems = schemaProblems(this.data, fields);
      if (problems.length) throw new Error(`${kind} is invalid: ${problems.join("; ")}`);
    }
  };
}
