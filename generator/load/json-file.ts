/**
 * A settings file in JSON (environments/<env>.images.json, <env>.sealed.json)
 * read strictly: a syntax error at its line and column (jsonc-parser's, in
 * strict mode, without a piece of the file), and every duplicate key refused at its line and column, as in a .ts
 * settings file. JSON.parse keeps the last of two equal keys without a word
 * (RFC 8259 §4 leaves it to the parser), so `"tag": "1.0.0", "tag": "2.0.0"`
 * would deploy 2.0.0 whatever the reviewer read first. jsonc-parser (the
 * parser of VS Code's JSON support) gives the tree with each key's decoded
 * text and offset; it does not judge duplicates itself, that walk is here.
 */
import { type Node, type ParseError, parseTree, printParseErrorCode } from "jsonc-parser";
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

/**
 * What a jsonc-parser error code (by its name: the enum is a const enum,
 * which type stripping cannot read) means, in words; the name is the fallback. Never a piece of the file: V8's JSON.parse messages quote the
 * text around the error ("…\"_SECRET\": hunter2-su\"…"), which in a sealed or
 * images file can be a value pasted by mistake.
 */
const SYNTAX: Record<string, string> = {
  InvalidSymbol: "unexpected character (a string value needs double quotes)",
  InvalidNumberFormat: "a number that JSON does not allow",
  PropertyNameExpected: "a key (in double quotes) was expected",
  ValueExpected: "a value was expected (a trailing comma is not allowed in JSON)",
  ColonExpected: "a colon was expected after the key",
  CommaExpected: "a comma was expected",
  CloseBraceExpected: "a closing } was expected",
  CloseBracketExpected: "a closing ] was expected",
  EndOfFileExpected: "the file should end after its value",
  InvalidCommentToken: "comments are not allowed in JSON",
  UnexpectedEndOfComment: "comments are not allowed in JSON",
  UnexpectedEndOfString: "a string is not closed",
  UnexpectedEndOfNumber: "a number is not complete",
  InvalidUnicode: "an invalid \\u escape",
  InvalidEscapeCharacter: "an invalid escape in a string",
  InvalidCharacter: "a control character in a string (write it as an escape)",
};

/**
 * A JSON file's content, or its problems: the first syntax error at its
 * line and column, in words that never quote the file, or every duplicate key at its
 * position.
 */
export function parseJsonFile(path: string, text: string): { value: unknown } | { problems: LoadProblem[] } {
  if (text.startsWith("\uFEFF")) {
    return { problems: [{ file: path, line: 1, column: 1, message: "not valid JSON: the file starts with a byte-order mark (U+FEFF); save it as UTF-8 without one" }] };
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const [first] = errors;
  if (first) {
    // The first error only: those after it mostly follow from it (a missing value, then a missing brace).
    const code = printParseErrorCode(first.error);
    return { problems: [{ file: path, ...positionOf(text, first.offset), message: `not valid JSON: ${SYNTAX[code] ?? code}` }] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // jsonc-parser accepted what JSON.parse did not: say so without JSON.parse's message (it quotes the file).
    return { problems: [{ file: path, message: "not valid JSON (JSON.parse refuses it; its message is not shown, as it quotes the file)" }] };
  }
  const problems = root ? duplicateKeyProblems(path, text, root) : [];
  return problems.length ? { problems } : { value };
}
