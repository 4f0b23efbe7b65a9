/**
 * kubernetes-models' validate() checks types and required fields but lets
 * unknown fields through, so a typo such as `readinesProbe` would reach the
 * cluster and be dropped silently. This walks an object against a closed
 * description of every field it may hold.
 *
 * Built-in kinds are described by @kubernetes/client-node's generated models
 * (Kubernetes 1.36 OpenAPI: each model lists its fields in attributeTypeMap);
 * custom kinds by the strict schemas in custom-kinds.ts.
 */

/**
 * What a scalar must be, for kinds that no kubernetes-models class validates
 * (see schema.ts). Unset: any scalar, the unknown-field walk does not care.
 */
export type ScalarKind = "string" | "boolean" | "integer" | "number" | "duration";

export type FieldType =
  /** string, number, boolean, int-or-string, date */
  | { readonly type: "scalar"; readonly kind?: ScalarKind }
  /** free-form by design (e.g. Helm values, Dapr metadata values) */
  | { readonly type: "any" }
  | { readonly type: "object"; readonly fields: Readonly<Record<string, FieldType>>; readonly required?: readonly string[] }
  | { readonly type: "array"; readonly items: FieldType; readonly minItems?: number }
  | { readonly type: "map"; readonly values: FieldType }
  /** a Kubernetes model from @kubernetes/client-node, e.g. `V1ObjectMeta` */
  | { readonly type: "model"; readonly name: string };

export const scalar: FieldType = { type: "scalar" };
export const string: FieldType = { type: "scalar", kind: "string" };
export const boolean: FieldType = { type: "scalar", kind: "boolean" };
export const integer: FieldType = { type: "scalar", kind: "integer" };
/** A Go duration such as `24h`, `15m` or `1h30m`. */
export const duration: FieldType = { type: "scalar", kind: "duration" };
export const anything: FieldType = { type: "any" };
export const object = (fields: Record<string, FieldType>, options: { required?: readonly string[] } = {}): FieldType => ({
  type: "object",
  fields,
  ...(options.required?.length ? { required: options.required } : {}),
});
export const arrayOf = (items: FieldType, options: { minItems?: number } = {}): FieldType => ({
  type: "array",
  items,
  ...(options.minItems ? { minItems: options.minItems } : {}),
});
export const mapOf = (values: FieldType): FieldType => ({ type: "map", values });
export const model = (name: string): FieldType => ({ type: "model", name });

interface Attribute {
  readonly baseName: string;
  readonly type: string;
}
type ModelClass = { attributeTypeMap?: readonly Attribute[] };

const SCALARS = new Set(["string", "number", "boolean", "Date", "IntOrString"]);
const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;

/** client-node's type strings: `Array<V1Container>`, `{ [key: string]: string; }`, `V1Probe`, … */
export function parseClientNodeType(text: string): FieldType {
  if (SCALARS.has(text)) return scalar;
  if (text === "any" || text === "object") return anything;
  const array = ARRAY.exec(text);
  if (array) return arrayOf(parseClientNodeType(array[1]!));
  const map = MAP.exec(text);
  if (map) return mapOf(parseClientNodeType(map[1]!));
  if (/^[A-Z]\w*$/.test(text)) return model(text);
  throw new Error(`unknown-fields: cannot read client-node type "${text}"`);
}

const modelFields = new Map<string, Promise<Record<string, FieldType>>>();
/** The models loaded so far, for the synchronous walk. */
const loadedModelFields = new Map<string, Readonly<Record<string, FieldType>>>();

/** The fields of a client-node model, loaded on first use (only the handful of models an object uses). */
export function fieldsOfModel(name: string): Promise<Record<string, FieldType>> {
  let fields = modelFields.get(name);
  if (!fields) {
    fields = import(`@kubernetes/client-node/dist/gen/models/${name}.js`).then((module: Record<string, ModelClass>) => {
      const attributes = module[name]?.attributeTypeMap;
      if (!attributes) throw new Error(`unknown-fields: @kubernetes/client-node has no model ${name}`);
      const loaded = Object.fromEntries(attributes.map((a) => [a.baseName, parseClientNodeType(a.type)]));
      loadedModelFields.set(name, loaded);
      return loaded;
    });
    modelFields.set(name, fields);
  }
  return fields;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Paths of every field in `value` that `type` does not declare, e.g. `spec.template.spec.containers[0].readinesProbe`.
 * The walk is synchronous (an await per field made it the slowest part of a render); a model it
 * has not loaded yet is loaded and the walk repeated, so only the models the object uses are imported.
 */
export async function findUnknownFields(value: unknown, type: FieldType, path = ""): Promise<string[]> {
  for (;;) {
    const unloaded = new Set<string>();
    const found: string[] = [];
    walk(value, type, path, found, unloaded);
    if (!unloaded.size) return found;
    await Promise.all([...unloaded].map(fieldsOfModel));
  }
}

function walk(value: unknown, type: FieldType, path: string, found: string[], unloaded: Set<string>): void {
  if (value === null || value === undefined) return;
  switch (type.type) {
    case "scalar":
    case "any":
      return;
    case "array":
      if (!Array.isArray(value)) return;
      value.forEach((item, i) => walk(item, type.items, `${path}[${i}]`, found, unloaded));
      return;
    case "map":
      if (typeof value !== "object" || Array.isArray(value)) return;
      for (const [key, item] of Object.entries(value)) walk(item, type.values, join(path, key), found, unloaded);
      return;
    case "object":
    case "model": {
      if (typeof value !== "object" || Array.isArray(value)) return;
      const fields = type.type === "object" ? type.fields : loadedModelFields.get(type.name);
      if (!fields) {
        unloaded.add((type as { name: string }).name);
        return;
      }
      for (const [key, item] of Object.entries(value)) {
        const field = fields[key];
        if (!field) found.push(join(path, key));
        else walk(item, field, join(path, key), found, unloaded);
      }
      return;
    }
  }
}
