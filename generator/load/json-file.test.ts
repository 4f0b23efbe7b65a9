import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatLoadProblem } from "../errors.ts";
import { parseJsonFile } from "./json-file.ts";

const FILE = "environments/prod.images.json";
const messages = (text: string) => {
  const parsed = parseJsonFile(FILE, text);
  return "problems" in parsed ? parsed.problems.map(formatLoadProblem) : [];
};

describe("parseJsonFile", () => {
  it("reads valid JSON as JSON.parse does", () => {
    assert.deepEqual(parseJsonFile(FILE, '{ "a": [1, { "b": "c" }] }\n'), { value: { a: [1, { b: "c" }] } });
  });

  it("refuses a duplicate key at the second one's line and column, naming the key's path and the first one's position", () => {
    const text = '{\n  "frontend": { "repository": "todo-frontend", "tag": "1.0.0" },\n  "backend": { "repository": "todo-backend",\n    "tag": "1.0.0", "tag": "2.0.0" }\n}\n';
    assert.deepEqual(messages(text), [
      `${FILE}:4:21: duplicate key backend.tag: the key "tag" is stated again; the first is at 4:5 (refused in a settings file: one of the values would be ignored)`,
    ]);
  });

  it("finds duplicates at the top level, inside lists, and under keys spelt with escapes, every one at once", () => {
    const text = '{"a": 1, "\\u0061": 2, "list": [{"x": 1, "x": 1}], "todo-auth-secret": {"K": "1", "K": "1"}}';
    assert.deepEqual(messages(text), [
      `${FILE}:1:10: duplicate key a: the key "a" is stated again; the first is at 1:2 (refused in a settings file: one of the values would be ignored)`,
      `${FILE}:1:41: duplicate key list[0].x: the key "x" is stated again; the first is at 1:33 (refused in a settings file: one of the values would be ignored)`,
      `${FILE}:1:82: duplicate key todo-auth-secret.K: the key "K" is stated again; the first is at 1:72 (refused in a settings file: one of the values would be ignored)`,
    ]);
  });

  it("reports a syntax error at its line and column (comments and trailing commas are not JSON)", () => {
    assert.match(messages('{\n  "a": 1,\n}')[0]!, /^environments\/prod\.images\.json:3:1: not valid JSON: /);
    assert.match(messages('{ // no\n "a": 1 }')[0]!, /^environments\/prod\.images\.json:1:3: not valid JSON: /);
    assert.match(messages('{ "a": ')[0]!, /^environments\/prod\.images\.json:1:8: not valid JSON: /);
    assert.deepEqual(messages('{\n  "a": 1,\n}'), [`${FILE}:3:1: not valid JSON: a key (in double quotes) was expected`]);
    assert.deepEqual(messages("{ // no\n \"a\": 1 }"), [`${FILE}:1:3: not valid JSON: comments are not allowed in JSON`]);
  });

  it("never quotes the file: a value pasted without quotes is not echoed (JSON.parse's own message would show it)", () => {
    const pasted = "hunter2-super-secret-value";
    const text = `{\n  "todo-auth-secret": {\n    "encryptedData": { "BETTER_AUTH_SECRET": ${pasted} }\n  }\n}\n`;
    assert.throws(() => JSON.parse(text), (error: Error) => error.message.includes("hunter2"), "V8 quotes the text around the error");
    const [message, ...more] = messages(text);
    assert.equal(message, `${FILE}:3:46: not valid JSON: unexpected character (a string value needs double quotes)`);
    assert.deepEqual(more, []);
  });

  it("names a byte-order mark, which JSON does not allow, instead of a quoted piece of the file", () => {
    assert.deepEqual(messages('\uFEFF{"a": 1}'), [`${FILE}:1:1: not valid JSON: the file starts with a byte-order mark (U+FEFF); save it as UTF-8 without one`]);
  });
});
