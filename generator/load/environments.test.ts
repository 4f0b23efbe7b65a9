/** How a name that is no environment is answered: the environments there are, and the closest one. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { unknownEnvironmentProblem } from "./environments.ts";

describe("an unknown environment", () => {
  it("is named with its file, the environments there are and the one it is closest to", () => {
    assert.deepEqual(unknownEnvironmentProblem("stagin", ["dev", "prod", "staging"]), {
      file: "environments/stagin.ts",
      message: "unknown environment stagin (there is no such file): the environments are dev, prod, staging; did you mean staging?",
    });
  });

  it("suggests nothing far from every name, and says so when there is no environment at all", () => {
    assert.equal(unknownEnvironmentProblem("production-eu", ["dev", "qa"]).message, "unknown environment production-eu (there is no such file): the environments are dev, qa");
    assert.equal(unknownEnvironmentProblem("dev", []).message, "unknown environment dev (there is no such file): there is no environment");
  });
});
