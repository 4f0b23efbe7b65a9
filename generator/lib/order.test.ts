import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { byCodePoint } from "./order.ts";

describe("byCodePoint", () => {
  it("orders the same in every locale, where localeCompare does not", () => {
    const names = ["zone", "aardvark", "Zebra", "apps", "_x"];
    assert.deepEqual([...names].sort(byCodePoint), ["Zebra", "_x", "aardvark", "apps", "zone"]);
    // Danish collation puts "aa" after "z": what the generator must not depend on.
    const danish = [...names].sort((a, b) => a.localeCompare(b, "da"));
    assert.notDeepEqual(danish, [...names].sort(byCodePoint), "this Node has no Danish collation to compare with");
  });
});
