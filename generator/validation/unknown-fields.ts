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

export type FieldType =
  /** string, number, boolean, int-or-string, date */
  | { readonly type: "scalar" }
  /** free-form by design (e.g. Helm values, Dapr metadata values) */
  | { readonly type: "any" }
  | { readonly type: "object"; readonly fields: Readonly<Record<string, FieldType>> }
  | { readonly type: "array"; readonly items: FieldType }
  | { readonly type: "map"; readonly values: FieldType }
  /** a Kubernetes model from @kubernetes/client-node, e.g. `V1ObjectMeta` */
  | { readonly type: "model"; readonly name: string };

export const scalar: FieldType = { type: "scalar" };
export const anything: FieldType = { type: "any" };
export const object = (fields: Record<string, FieldType>): FieldType => ({ type: "object", fields });
export const arrayOf = (items: FieldType): FieldType => ({ type: "array", items });
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

/** The fields of a client-node model, loaded on first use (only the handful of models an object uses). */
export function fieldsOfModel(name: string): Promise<Record<string, FieldType>> {
  let fields = modelFields.get(name);
  if (!fields) {
    fields = import(`@kubernetes/client-node/dist/gen/models/${name}.js`).then((module: Record<string, ModelClass>) => {
      const attributes = module[name]?.attributeTypeMap;
      if (!attributes) throw new Error(`unknown-fields: @kubernetes/client-node has no model ${name}`);
      return Object.fromEntries(attributes.map((a) => [a.baseName, parseClientNodeType(a.type)]));
    });
    modelFields.set(name, fields);
  }
  return fields;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Paths of every field in `value` that `type` does not declare, e.g. `spec.template.spec.containers[0].readinesProbe`. */
export async function findUnknownFields(value: unknown, type: FieldType, path = ""): Promise<string[]> {
  if (value === null || value === undefined) return [];
  switch (type.type) {
    case "scalar":
    case "any":
      return [];
    case "array":
      if (!Array.isArray(value)) return [];
      return (await Promise.all(value.map((item, i) => findUnknownFields(item, type.items, `${path}[${i}]`)))).flat();
    case "map":
      if (typeof value !== "object" || Array.isArray(value)) return [];
      return (
        await Promise.all(Object.entries(value).map(([key, item]) => findUnknownFields(item, type.values, join(path, key))))
      ).flat();
    case "object":
    case "model": {
      if (typeof value !== "object" || Array.isArray(value)) return [];
      const fields = type.type === "object" ? type.fields : await fieldsOfModel(type.name);
      const found: string[] = [];
      for (const [key, item] of Object.entries(value)) {
        const field = fields[key];
        if (!field) found.push(join(path, key));
        else found.push(...(await findUnknownFields(item, field, join(path, key))));
      }
      return found;
    }
  }
}
