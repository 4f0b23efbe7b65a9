import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { schemaProblems, strictModel } from "./schema.ts";
import { anything, arrayOf, boolean, duration, findUnknownFields, integer, mapOf, object, scalar, string } from "./unknown-fields.ts";

const type = object(
  {
    name: string,
    enabled: boolean,
    count: integer,
    ttl: duration,
    loose: scalar,
    free: anything,
    tags: arrayOf(string, { minItems: 1 }),
    labels: mapOf(string),
    nested: object({ key: string }, { required: ["key"] }),
  },
  { required: ["name", "tags"] },
);

describe("schema problems (types and required fields)", () => {
  it("accepts a value that fits", () => {
    const value = { name: "x", enabled: false, count: 3, ttl: "1h30m", loose: 1, free: { any: ["thing"] }, tags: ["a"], labels: { a: "b" }, nested: { key: "k" } };
    assert.deepEqual(schemaProblems(value, type), []);
  });

  it("names every missing required field and every wrong type by path", () => {
    const value = { enabled: "yes", count: 1.5, ttl: "24 hours", loose: {}, tags: [], labels: { a: 1 }, nested: {} };
    assert.deepEqual(schemaProblems(value, type).sort(), [
      "count: must be an integer (found 1.5)",
      "enabled: must be a boolean (found \"yes\")",
      "labels.a: must be a string (found 1)",
      "loose: must be a scalar (found {})",
      "name: required field is missing",
      "nested.key: required field is missing",
      "tags: must hold at least 1 item",
      "ttl: must be a duration such as 24h or 15m (found \"24 hours\")",
    ]);
    assert.deepEqual(schemaProblems({ name: "x", tags: "a" }, type), ["tags: must be a list"]);
    assert.deepEqual(schemaProblems("text", type), ["(root): must be an object"]);
  });

  it("leaves unknown fields to findUnknownFields, which the new options do not change", async () => {
    const value = { name: "x", tags: ["a"], nested: { key: "k", extra: 1 } };
    assert.deepEqual(schemaProblems(value, type), []);
    assert.deepEqual(await findUnknownFields(value, type), ["nested.extra"]);
  });

  it("strictModel throws with every problem, like a kubernetes-models validate()", () => {
    const Model = strictModel("example/v1/Thing", type);
    assert.doesNotThrow(() => new Model({ name: "x", tags: ["a"] }).validate());
    assert.throws(() => new Model({ count: "2" }).validate(), {
      message: "example/v1/Thing is invalid: name: required field is missing; tags: required field is missing; count: must be an integer (found \"2\")",
    });
  });
});
