/**
 * A settings file in JSON (environments/<env>.images.json, <env>.sealed.json)
 * read strictly: its syntax through JSON.parse, whose messages people know,
 * and every duplicate key refused at its line and column, as in a .ts
 * settings file. JSON.parse keeps the last of two equal keys without a word
 * (RFC 8259 §4 leaves it to the parser), so `"tag": "1.0.0", "tag": "2.0.0"`
 * would deploy 2.0.0 whatever the reviewer read first. jsonc-parser (the
 * parser of VS Code's JSON support) gives the tree with each key's decoded
 * text and offset; it does not judge duplicates itself, that walk is here.
 */
import { type Node, parseTree } from "jsonc-parser";
import type { LoadProblem } from "../errors.ts";
import { formatPath } from "../settings/problems.ts";

/** 1-based line and column of an offset in `text`. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split("\n").length, column: before.length - before.lastIndexOf("\n") };
}

/** Every key stated twice in one object, at the second (and each later) one's position. */
function duplicateKeyProblems(path: string, text: string, root: Node): LoadProblem[] {
  const problems: LoadProblem[] = [];
  const walk = (node: Node, at: (string | number)[]) => {
    if (node.type === "array") node.children?.forEach((child, i) => walk(child, [...at, i]));
    if (node.type !== "object") return;
    const seen = new Map<string, Node>();
    for (const property of node.children ?? []) {
      const [keyNode, value] = property.children ?? [];
      if (!keyNode) continue;
      const key = String(keyNode.value);
      const first = seen.get(key);
      if (first) {
        const original = positionOf(text, first.offset);
        problems.push({
          file: path,
          ...positionOf(text, keyNode.offset),
          message:
            `duplicate key ${formatPath([...at, key])}: the key "${key}" is stated again; the first is at ${original.line}:${original.column} ` +
            "(refused in a settings file: one of the values would be ignored)",
        });
      } else seen.set(key, keyNode);
      if (value) walk(value, [...at, key]);
    }
  };
  walk(root, []);
  return problems;
}

/** A JSON file's content, or its problems: the syntax error at its line and column, or every duplicate key at theirs. */
export function parseJsonFile(path: string, text: string): { value: unknown } | { problems: LoadProblem[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    // V8 names the position, except when the text ends too early.
    const position = /at position (\d+)/.exec(message)?.[1] ?? (/end of JSON input/.test(message) ? String(text.length) : undefined);
    if (position === undefined) return { problems: [{ file: path, message: `not valid JSON: ${message}` }] };
    return { problems: [{ file: path, ...positionOf(text, Number(position)), message: `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, "")}` }] };
  }
  // Valid JSON: the tree has no errors and the same keys JSON.parse saw.
  const root = parseTree(text, [], { disallowComments: true, allowTrailingComma: false });
  const problems = root ? duplicateKeyProblems(path, text, root) : [];
  return problems.length ? { problems } : { value };
}
