import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { find, renderedRepository, withChange } from "../testing/fixtures.ts";
import { problemsOf } from "./kinds.ts";
import { keyProblem, labelProblems, labelValueProblem } from "./labels.ts";

const { objects } = await renderedRepository();
const dev = objects.get("dev")!;

describe("label and annotation keys", () => {
  it("accepts [prefix/]name keys", () => {
    for (const key of ["app", "app.kubernetes.io/part-of", "checksum/config", "A_b.c-9", `${"a".repeat(253)}/x`, "x".repeat(63)]) {
      assert.equal(keyProblem(key), undefined, key);
    }
  });

  it("refuses bad prefixes, bad names and extra slashes", () => {
    const cases: [string, RegExp][] = [
      ["", /name must be/],
      ["/name", /prefix must be/],
      ["App.Example/name", /prefix must be/],
      [`${"a".repeat(254)}/x`, /prefix must be/],
      ["example.com/", /name must be/],
      ["x".repeat(64), /name must be/],
      ["-name", /name must be/],
      ["part of", /name must be/],
      ["a/b/c", /at most one \//],
    ];
    for (const [key, rule] of cases) assert.match(keyProblem(key) ?? "", rule, JSON.stringify(key));
  });
});

describe("label values", () => {
  it("accepts empty and well-formed values up to 63 characters", () => {
    for (const value of ["", "todo-chatbot", "1.4.0", "v2.0.0-rc.1", "A_b", "z".repeat(63)]) assert.equal(labelValueProblem(value), undefined, value);
  });

  it("refuses spaces, punctuation, a bad first or last character, more than 63 characters, non-strings", () => {
    for (const value of ["Todo Chatbot!", "-x", "x.", "_x", "a/b", "z".repeat(64), 3]) {
      assert.ok(labelValueProblem(value), `${JSON.stringify(value)} was accepted`);
    }
  });
});

describe("labels in rendered objects", () => {
  it("finds none wrong in anything the generator renders", () => {
    const problems = [...objects.values()].flat().flatMap((object) => labelProblems(object).map((p) => `${object.kind} ${object.metadata?.name}: ${p}`));
    assert.deepEqual(problems, []);
  });

  it("names the path and value of a bad label on the object, its pod template and its selector", async () => {
    const deployment = withChange(find(dev, "Deployment", "todo-backend"), (d) => {
      d.metadata.labels["app.kubernetes.io/part-of"] = "Todo Chatbot!";
      d.spec.template.metadata.labels["app.kubernetes.io/part-of"] = "Todo Chatbot!";
      d.spec.selector.matchLabels["bad key"] = "x";
      d.spec.template.metadata.annotations["Checksum/config"] = "abc";
    });
    const problems = await problemsOf(deployment);
    assert.deepEqual(problems, [
      'metadata.labels["app.kubernetes.io/part-of"] = "Todo Chatbot!": a label value must be empty or at most 63 characters: letters, digits, -, _ and ., starting and ending with a letter or digit',
      'spec.selector.matchLabels["bad key"]: a key\'s name must be at most 63 characters: letters, digits, -, _ and ., starting and ending with a letter or digit',
      'spec.template.metadata.labels["app.kubernetes.io/part-of"] = "Todo Chatbot!": a label value must be empty or at most 63 characters: letters, digits, -, _ and ., starting and ending with a letter or digit',
      'spec.template.metadata.annotations["Checksum/config"]: a key\'s prefix must be a lowercase DNS subdomain of at most 253 characters (e.g. app.kubernetes.io)',
    ]);
  });

  it("checks NetworkPolicy selectors, match expressions and the annotations' total size", () => {
    const policy = withChange(find(dev, "NetworkPolicy", "todo-backend"), (p) => {
      p.spec.podSelector.matchLabels["app.kubernetes.io/name"] = "n".repeat(64);
      p.spec.ingress[0].from[0].podSelector = { matchExpressions: [{ key: "tier/", operator: "In", values: ["web", "not ok"] }] };
      p.metadata.annotations.big = "x".repeat(256 * 1024);
    });
    assert.deepEqual(
      labelProblems(policy).map((p) => p.replace(/: .*/, "")),
      [
        "metadata.annotations",
        'spec.podSelector.matchLabels["app.kubernetes.io/name"] = "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"',
        'spec.ingress[0].from[0].podSelector.matchExpressions[0].key = "tier/"',
        'spec.ingress[0].from[0].podSelector.matchExpressions[0].values[1] = "not ok"',
      ],
    );
  });
});
