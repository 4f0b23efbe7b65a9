import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { schedule } from "./schedule.ts";

const sizes = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe("the test schedule", () => {
  it("puts the longest files first, each on the shard with the least work, so no shard waits on two long files", () => {
    const timings = sizes({ "a.test.ts": 20_000, "b.test.ts": 11_000, "c.test.ts": 10_000, "d.test.ts": 5_000, "e.test.ts": 4_000, "f.test.ts": 1_000 });
    const shards = schedule([...timings.keys()], 3, new Map(), timings);
    assert.deepEqual(
      shards.map((shard) => [shard.files, shard.expectedMs]),
      [
        [["a.test.ts"], 20_000],
        [["b.test.ts", "e.test.ts", "f.test.ts"], 16_000],
        [["c.test.ts", "d.test.ts"], 15_000],
      ],
    );
    // --test-shard deals by position: a, d in one shard; b, e; c, f: 25, 15 and 11 s.
  });

  it("counts a file with no timing by its size, at the rate of the timed ones", () => {
    const shards = schedule(["new.test.ts", "old.test.ts", "small.test.ts"], 2, sizes({ "new.test.ts": 4000, "old.test.ts": 1000, "small.test.ts": 1000 }), sizes({ "old.test.ts": 2000, "small.test.ts": 2000 }));
    // The timed files took 2 ms per byte: new.test.ts, 4000 bytes, counts as 8 s, more than the two others together.
    assert.deepEqual(shards.map((shard) => shard.files), [["new.test.ts"], ["old.test.ts", "small.test.ts"]]);
    assert.equal(shards[0]?.expectedMs, 8000);
  });

  it("without any timing (a fresh clone), splits by size; never returns an empty shard; the same input gives the same shards", () => {
    const files = ["x.test.ts", "y.test.ts"];
    const bySize = sizes({ "x.test.ts": 10, "y.test.ts": 30 });
    const shards = schedule(files, 3, bySize, new Map());
    assert.deepEqual(shards.map((shard) => shard.files), [["y.test.ts"], ["x.test.ts"]]);
    assert.deepEqual(schedule(files, 3, bySize, new Map()), shards);
    assert.deepEqual(schedule([], 3, bySize, new Map()), []);
  });
});
