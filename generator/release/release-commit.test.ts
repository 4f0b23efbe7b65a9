import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { REPO_ROOT, imagesFilePath, listEnvironments } from "../load/environments.ts";
import { formatImagesFile } from "./change.ts";
import { commitMessage, compareSemver, describeChange, downgrades, formatImagesTrailer, parseImagesTrailer } from "./release-commit.ts";

describe("release commits", () => {
  it("writes the images file in the committed layout, so a release changes only the tag lines", () => {
    for (const environment of listEnvironments()) {
      const committed = readFileSync(imagesFilePath(environment), "utf8");
      assert.equal(formatImagesFile(JSON.parse(committed)), committed, `environments/${environment}.images.json`);
    }
  });

  it("puts the environment and its sorted image tags in trailers Git itself parses", () => {
    const message = commitMessage({
      environment: "prod",
      action: "promote",
      subject: "promote(prod): from staging (backend 1.4.0, frontend 1.4.0)",
      tags: { frontend: "1.4.0", backend: "1.4.0" },
      extraTrailers: { "Release-Promoted-From": "staging" },
    });
    const parsed = execFileSync("git", ["interpret-trailers", "--parse"], { cwd: REPO_ROOT, input: message, encoding: "utf8" });
    assert.equal(parsed, "Release-Env: prod\nRelease-Images: backend=1.4.0,frontend=1.4.0\nRelease-Action: promote\nRelease-Promoted-From: staging\n");
    assert.ok(message.startsWith("promote(prod): from staging (backend 1.4.0, frontend 1.4.0)\n\n"));
  });

  it("reads back the Release-Images trailer it writes, and rejects a malformed one", () => {
    const tags = { frontend: "1.4.0-rc.1+build.7", backend: "0a1b2c3" };
    assert.equal(formatImagesTrailer(tags), "backend=0a1b2c3,frontend=1.4.0-rc.1+build.7");
    assert.deepEqual(parseImagesTrailer(formatImagesTrailer(tags)), tags);
    assert.equal(parseImagesTrailer("backend"), undefined);
    assert.equal(parseImagesTrailer(""), undefined);
  });

  it("describes a change by the components whose tag moved", () => {
    assert.equal(describeChange({ backend: "1.3.0", frontend: "1.4.0" }, { backend: "1.4.0", frontend: "1.4.0" }), "backend 1.3.0 → 1.4.0");
    assert.equal(describeChange(undefined, { backend: "1.4.0" }), "backend 1.4.0");
    assert.equal(describeChange({ backend: "1.4.0" }, { backend: "1.4.0" }), "no tag change");
  });
});

describe("semantic versions, for a promotion's warning when one goes backwards", () => {
  it("orders by semver.org's precedence; anything else (a SHA, latest) is not compared", () => {
    const ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "v2.0.0"];
    for (let i = 0; i < ordered.length - 1; i++) {
      assert.equal(compareSemver(ordered[i]!, ordered[i + 1]!), -1, `${ordered[i]} < ${ordered[i + 1]}`);
      assert.equal(compareSemver(ordered[i + 1]!, ordered[i]!), 1, `${ordered[i + 1]} > ${ordered[i]}`);
    }
    assert.equal(compareSemver("1.0.0+build.1", "1.0.0"), 0);
    assert.equal(compareSemver("latest", "1.0.0"), undefined);
    assert.equal(compareSemver("4f2a9c1", "1.0.0"), undefined);
  });

  it("names only the components whose version goes down", () => {
    assert.deepEqual(downgrades({ backend: "1.1.0", frontend: "1.0.0" }, { backend: "1.0.0", frontend: "1.2.0" }), ["backend goes back from 1.1.0 to 1.0.0 (a lower semantic version)"]);
    assert.deepEqual(downgrades({ backend: "latest" }, { backend: "1.0.0" }), []);
  });
});
