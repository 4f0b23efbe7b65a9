/** Pod placement and image pull Secrets: environment-wide settings that reach every pod of the environment. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IPodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { KubeObject } from "../kube-object.ts";
import { renderEnvironment } from "../render.ts";
import { externalSecrets } from "../secrets.ts";
import { environments, merge, problemsWith, settingsOf } from "../testing/fixtures.ts";
import { problemsOf } from "../validation/kinds.ts";

const podTemplates = (objects: KubeObject[]): [string, IPodTemplateSpec][] =>
  objects.flatMap((o) => {
    const template = (o as { spec?: { template?: IPodTemplateSpec } }).spec?.template;
    return template ? [[`${o.kind}/${o.metadata!.name}`, template] as [string, IPodTemplateSpec]] : [];
  });
const serviceAccounts = (objects: KubeObject[]) => objects.filter((o): o is IServiceAccount & KubeObject => o.kind === "ServiceAccount");

describe("nodeSelector and imagePullSecrets", async () => {
  const staging = await settingsOf("staging");
  const placed = { ...merge(staging, { dapr: { enabled: true } }), nodeSelector: { "kubernetes.io/os": "linux", "todo.example/pool": "apps" }, imagePullSecrets: ["regcred"] };
  const objects = renderEnvironment(placed);

  it("are off by default: no pod selects nodes, no ServiceAccount names a pull Secret", async () => {
    for (const { settings, objects: rendered } of await environments()) {
      for (const [what, template] of podTemplates(rendered)) assert.equal(template.spec!.nodeSelector, undefined, `${settings.name}: ${what}`);
      for (const account of serviceAccounts(rendered)) assert.equal(account.imagePullSecrets, undefined, `${settings.name}: ${account.metadata!.name}`);
    }
  });

  it("reach every pod: Deployments, the StatefulSet, Redis and both hook Jobs", () => {
    const templates = podTemplates(objects);
    assert.deepEqual(templates.map(([what]) => what).sort(), [
      "Deployment/todo-backend",
      "Deployment/todo-frontend",
      "Deployment/todo-redis",
      "Job/todo-migration",
      "Job/todo-smoke-test",
      "StatefulSet/todo-database",
    ]);
    for (const [what, template] of templates) assert.deepEqual(template.spec!.nodeSelector, placed.nodeSelector, what);
  });

  it("give every pod's ServiceAccount the pull Secret, which joins the Secrets to create by hand", () => {
    const accounts = new Map(serviceAccounts(objects).map((a) => [a.metadata!.name!, a]));
    for (const [what, template] of podTemplates(objects)) {
      const account = accounts.get(template.spec!.serviceAccountName!);
      assert.ok(account, `${what}: no ServiceAccount ${template.spec!.serviceAccountName}`);
      assert.deepEqual(account.imagePullSecrets, [{ name: "regcred" }], what);
    }
    assert.ok(externalSecrets(placed).some((s) => s.name === "regcred" && s.keys.includes(".dockerconfigjson")), "regcred is not listed to create by hand");
  });

  it("render objects that still validate strictly", async () => {
    const problems = (await Promise.all(objects.map(problemsOf))).flat();
    assert.deepEqual(problems, []);
  });

  it("refuse bad node labels and bad, repeated or borrowed pull Secret names, naming each", async () => {
    const bad = { nodeSelector: { "bad key": "ok", "todo.example/pool": "two words" }, imagePullSecrets: ["Reg_Cred", "regcred", "regcred", "todo-backend-secret"] };
    const messages = (await problemsWith("staging", { settings: bad })).map((p) => `${p.path} = ${JSON.stringify(p.value)}: ${p.rule}`);
    const expect = (pattern: RegExp) => assert.ok(messages.some((m) => pattern.test(m)), `${pattern} not in:\n${messages.join("\n")}`);
    expect(/^nodeSelector\["bad key"\] = "bad key": node label key/);
    expect(/^nodeSelector\["todo.example\/pool"\] = "two words": node label value/);
    expect(/^imagePullSecrets\[0\] = "Reg_Cred": must be a Secret name/);
    expect(/^imagePullSecrets\[2\] = "regcred": is listed twice/);
    expect(/^imagePullSecrets\[3\] = "todo-backend-secret": is a Secret the workloads read/);
    assert.ok(!messages.some((m) => m.startsWith("imagePullSecrets[1]")), "the first regcred is fine");
  });
});
