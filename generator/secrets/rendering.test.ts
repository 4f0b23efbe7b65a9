/** Sealed values, from the committed settings file to SealedSecrets the workloads' references resolve to. */
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { ISealedSecret } from "@kubernetes-models/sealed-secrets/bitnami.com/v1alpha1/SealedSecret";
import { loadEnvironment } from "../environments.ts";
import { SettingsError } from "../errors.ts";
import { render } from "../render.ts";
import { externalSecrets } from "../secrets.ts";
import { scratchRepository } from "../testing/fixtures.ts";
import { sealValue } from "./seal.ts";
import { formatSealedFile } from "./sealed-file.ts";
import { throwawaySealingKey } from "./test-support.ts";
import { openValue } from "./unseal.ts";

const root = scratchRepository();
after(() => rmSync(root, { recursive: true, force: true }));
const key = throwawaySealingKey();
const plaintext: Record<string, Record<string, string>> = {
  "todo-database-secret": { POSTGRES_USER: "todo", POSTGRES_PASSWORD: "a1b2c3d4e5f6a7b8", POSTGRES_DB: "todo" },
  "todo-backend-secret": { BETTER_AUTH_SECRET: "better-auth-secret-value", OPENAI_API_KEY: "sk-test-0123456789" },
};
const seal = (namespace: string) =>
  Object.fromEntries(
    Object.entries(plaintext).map(([name, values]) => [
      name,
      Object.fromEntries(Object.entries(values).map(([k, value]) => [k, sealValue({ certificatePem: key.certificatePem, namespace, name, value })])),
    ]),
  );
writeFileSync(join(root, "environments/staging.sealed.json"), formatSealedFile(seal("todo-staging")));

describe("an environment with sealed values", async () => {
  const first = await render({ root });
  const staging = first.objects.get("staging")!;
  const sealed = staging.filter((o) => o.kind === "SealedSecret") as ISealedSecret[];

  it("renders a SealedSecret under each name the workloads reference, and needs no hand-made Secret", async () => {
    assert.deepEqual(sealed.map((s) => s.metadata!.name).sort(), ["todo-backend-secret", "todo-database-secret"]);
    assert.deepEqual(externalSecrets(await loadEnvironment("staging", root)), []);
    assert.equal(first.objects.get("dev")!.some((o) => o.kind === "SealedSecret"), false, "dev has no sealed file");
  });

  it("copies the sealed values: the controller opens them in the environment's namespace, and a re-render does not re-seal", async () => {
    for (const secret of sealed) {
      for (const [k, value] of Object.entries(secret.spec.encryptedData)) {
        const name = secret.metadata!.name!;
        assert.equal(openValue({ privateKeyPem: key.privateKeyPem, namespace: "todo-staging", name, sealed: value }), plaintext[name]![k]);
      }
    }
    const second = await render({ root, environments: ["staging"] });
    for (const [path, content] of second.files) assert.equal(content, first.files.get(path), path);
  });

  it("puts the SealedSecrets in the todo AppProject's whitelist", () => {
    const project = first.files.get("argocd/apps/appproject-todo.yaml")!;
    assert.match(project, /group: bitnami\.com\n\s+kind: SealedSecret/);
  });

  it("refuses a sealed file with a value the environment does not read, or a plaintext pasted in", async () => {
    const values = seal("todo-staging");
    writeFileSync(join(root, "environments/staging.sealed.json"), formatSealedFile({ ...values, "todo-backend-secret": { ...values["todo-backend-secret"]!, DATABASE_URL: values["todo-backend-secret"]!.OPENAI_API_KEY! } }));
    await assert.rejects(render({ root }), (error: unknown) => error instanceof SettingsError && /staging: environments\/staging\.sealed\.json: todo-backend-secret\.DATABASE_URL/.test(error.message));
    writeFileSync(join(root, "environments/staging.sealed.json"), formatSealedFile({ ...values, "todo-backend-secret": { ...values["todo-backend-secret"]!, OPENAI_API_KEY: "sk-live-plaintext" } }));
    await assert.rejects(render({ root }), (error: unknown) => error instanceof SettingsError && /OPENAI_API_KEY/.test(error.message) && !error.message.includes("sk-live-plaintext"));
  });
});
