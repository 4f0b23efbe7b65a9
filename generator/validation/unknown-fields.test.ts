import assert from "node:assert/strict";
import { parse } from "yaml";
import { describe, it } from "node:test";
import type { KubeObject } from "../kube-object.ts";
import { find, renderedRepository, withChange } from "../testing/fixtures.ts";
import { KINDS, problemsOf } from "./kinds.ts";
import { fieldsOfModel, findUnknownFields, model, parseClientNodeType } from "./unknown-fields.ts";

const { objects, files } = await renderedRepository();
const dev = objects.get("dev")!;

describe("unknown fields", () => {
  it("finds a misspelt probe deep in a Deployment and names its path", async () => {
    const deployment = withChange(find(dev, "Deployment", "todo-backend"), (d) => {
      d.spec.template.spec.containers[0].readinesProbe = d.spec.template.spec.containers[0].readinessProbe;
    });
    assert.deepEqual(await findUnknownFields(deployment, model("V1Deployment")), ["spec.template.spec.containers[0].readinesProbe"]);
    const problems = await problemsOf(deployment);
    assert.deepEqual(problems, ["spec.template.spec.containers[0].readinesProbe: unknown field (not in the apps/v1/Deployment schema)"]);
  });

  it("checks inside maps and arrays of models, and at the top level", async () => {
    const policy = withChange(find(dev, "NetworkPolicy", "todo-backend"), (p) => {
      p.spec.ingress[0].from[0].podSelectr = {};
      p.metdata = {};
    });
    assert.deepEqual((await findUnknownFields(policy, model("V1NetworkPolicy"))).sort(), ["metdata", "spec.ingress[0].from[0].podSelectr"]);
  });

  it("is strict for custom kinds too (Argo CD Application)", async () => {
    const application = parse(files.get("argocd/apps/application-todo-dev.yaml")!) as KubeObject;
    assert.deepEqual(await problemsOf(application), []);
    const typo = withChange(application, (a) => {
      a.spec.syncPolicy.automated.selfheal = true;
    });
    assert.deepEqual(await problemsOf(typo), ["spec.syncPolicy.automated.selfheal: unknown field (not in the argoproj.io/v1alpha1/Application schema)"]);
  });

  it("reports schema errors from validate() too", async () => {
    const service = withChange(find(dev, "Service", "todo-backend"), (s) => {
      s.spec.ports[0].port = "eighty";
    });
    const problems = await problemsOf(service);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^schema: .*port/);
  });

  it("refuses a kind it does not know", async () => {
    assert.match((await problemsOf({ apiVersion: "v1", kind: "Secret", metadata: { name: "x" } }))[0]!, /not one the generator knows/);
  });

  it("reads client-node's type strings", () => {
    assert.deepEqual(parseClientNodeType("Array<V1Container>"), { type: "array", items: { type: "model", name: "V1Container" } });
    assert.deepEqual(parseClientNodeType("{ [key: string]: string; }"), { type: "map", values: { type: "scalar" } });
    assert.deepEqual(parseClientNodeType("IntOrString"), { type: "scalar" });
    assert.throws(() => parseClientNodeType("Array<"), /cannot read/);
  });

  it("has a client-node model for every built-in kind it renders", async () => {
    for (const [key, definition] of KINDS) {
      if (definition.fields.type !== "model") continue;
      const fields = await fieldsOfModel(definition.fields.name);
      assert.ok("metadata" in fields && "apiVersion" in fields, key);
    }
  });
});
