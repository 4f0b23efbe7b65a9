/**
 * Label and annotation syntax, which the API server enforces and neither
 * kubernetes-models' validate() nor the field schemas check: a label value
 * such as `Todo Chatbot!` would otherwise pass every check here and be
 * refused by the cluster at sync time.
 */

/** A label's name part, and a non-empty label value: at most 63 characters, alphanumeric at both ends. */
const LABEL_NAME = /^(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** A key's optional prefix: a lowercase DNS-1123 subdomain of at most 253 characters. */
export const DNS_1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** The API server's limit on one object's annotations, keys and values together. */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** Why `key` is not a label or annotation key (`[prefix/]name`), or undefined when it is one. */
export function keyProblem(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "a key is [prefix/]name with at most one /";
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]!];
  if (prefix !== undefined && !DNS_1123_SUBDOMAIN.test(prefix)) {
    return "a key's prefix must be a lowercase DNS subdomain of at most 253 characters (e.g. app.kubernetes.io)";
  }
  if (!LABEL_NAME.test(name!)) {
    return "a key's name must be at most 63 characters: letters, digits, -, _ and ., starting and ending with a letter or digit";
  }
  return undefined;
}

/** Why `value` is not a label value, or undefined when it is one. */
export function labelValueProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "a label value must be a string";
  if (value === "" || LABEL_NAME.test(value)) return undefined;
  return "a label value must be empty or at most 63 characters: letters, digits, -, _ and ., starting and ending with a letter or digit";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function entryPath(path: string, key: string): string {
  return `${path}[${JSON.stringify(key)}]`;
}

function labelMapProblems(labels: Record<string, unknown>, path: string): string[] {
  return Object.entries(labels).flatMap(([key, value]) => {
    const problems: string[] = [];
    const badKey = keyProblem(key);
    if (badKey) problems.push(`${entryPath(path, key)}: ${badKey}`);
    const badValue = labelValueProblem(value);
    if (badValue) problems.push(`${entryPath(path, key)} = ${JSON.stringify(value)}: ${badValue}`);
    return problems;
  });
}

function annotationProblems(annotations: Record<string, unknown>, path: string): string[] {
  const problems = Object.keys(annotations).flatMap((key) => {
    const badKey = keyProblem(key);
    return badKey ? [`${entryPath(path, key)}: ${badKey}`] : [];
  });
  const bytes = Object.entries(annotations).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(String(value)), 0);
  if (bytes > ANNOTATIONS_MAX_BYTES) problems.push(`${path}: ${bytes} bytes of annotations, more than the 256 KiB the API server accepts`);
  return problems;
}

/** `matchExpressions` name label keys, and for In and NotIn, label values. */
function expressionProblems(expressions: unknown[], path: string): string[] {
  return expressions.flatMap((expression, i) => {
    if (!isRecord(expression)) return [];
    const at = `${path}[${i}]`;
    const problems: string[] = [];
    if (typeof expression.key === "string") {
      const badKey = keyProblem(expression.key);
      if (badKey) problems.push(`${at}.key = ${JSON.stringify(expression.key)}: ${badKey}`);
    }
    if (Array.isArray(expression.values) && (expression.operator === "In" || expression.operator === "NotIn")) {
      expression.values.forEach((value, j) => {
        const badValue = labelValueProblem(value);
        if (badValue) problems.push(`${at}.values[${j}] = ${JSON.stringify(value)}: ${badValue}`);
      });
    }
    return problems;
  });
}

/** Free-form Helm values: a chart's `labels` setting is whatever the chart makes of it. */
const FREE_FORM = new Set(["valuesObject"]);

/**
 * Every malformed label, annotation key and selector in `object`, as
 * `path: problem` lines: the object's own metadata, pod templates,
 * selectors, and any other `labels`/`matchLabels`/`annotations` map in it.
 */
export function labelProblems(object: unknown): string[] {
  const problems: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}[${i}]`));
      return;
    }
    if (!isRecord(value)) return;
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (FREE_FORM.has(key)) continue;
      if ((key === "labels" || key === "matchLabels") && isRecord(item)) problems.push(...labelMapProblems(item, at));
      else if (key === "annotations" && isRecord(item)) problems.push(...annotationProblems(item, at));
      else if (key === "matchExpressions" && Array.isArray(item)) problems.push(...expressionProblems(item, at));
      else walk(item, at);
    }
  };
  walk(object, "");
  return problems;
}
