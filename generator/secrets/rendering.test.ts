/** Sealed values, from the committed settings file to SealedSecrets the workloads' references resolve to. */
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { ISealedSecret } from "@kubernetes-models/sealed-secrets/bitnami.com/v1alpha1/SealedSecret";
import { loadEnvironment } from "../load/environments.ts";
import { SettingsError } from "../errors.ts";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { KubeObject } from "../kube-object.ts";
import { SEALED_SECRETS_CHECKSUM_ANNOTATION } from "../lib/secret-checksum.ts";
import { renderEnvironment } from "../render.ts";
import { renderRepository } from "../commands/pipeline.ts";
import { externalSecrets } from "../secrets.ts";
import { scratchRepository } from "../testing/fixtures.ts";
import { sealValue } from "./seal.ts";
import { formatSealedFile } from "./sealed-file.ts";
import { throwawaySealingKey } from "./test-support.ts";
import { openValue } from "./unseal.ts";
import type { IAppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import { parse } from "yaml";
import { minikube } from "../../clusters/minikube/cluster.ts";
import { objectPermitted } from "../testing/argocd-project.ts";

const root = scratchRepository();
after(() => rmSync(root, { recursive: true, force: true }));
const key = throwawaySealingKey();
const plaintext: Record<string, Record<string, string>> = {
  "todo-database-secret": { POSTGRES_USER: "todo", POSTGRES_PASSWORD: "a1b2c3d4e5f6a7b8", POSTGRES_DB: "todo" },
  "todo-backend-secret": { OPENAI_API_KEY: "sk-test-0123456789" },
  "todo-auth-secret": { BETTER_AUTH_SECRET: "better-auth-secret-value" },
};
const seal = (namespace: string) =>
  Object.fromEntries(
    Object.entries(plaintext).map(([name, values]) => [
      name,
      Object.fromEntries(Object.entries(values).map(([k, value]) => [k, sealValue({ certificatePem: key.certificatePem, namespace, name, value })])),
    ]),
  );
writeFileSync(join(root, "environments/staging.sealed.json"), formatSealedFile(seal("todo-staging"), "todo-staging"));

describe("an environment with sealed values", async () => {
  const first = await renderRepository({ root });
  const staging = first.objects.get("staging")!;
  const sealed = staging.filter((o) => o.kind === "SealedSecret") as ISealedSecret[];

  it("renders a SealedSecret under each name the workloads reference, and needs no hand-made Secret", async () => {
    assert.deepEqual(sealed.map((s) => s.metadata!.name).sort(), ["todo-auth-secret", "todo-backend-secret", "todo-database-secret"]);
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
    const second = await renderRepository({ root, environments: ["staging"] });
    for (const [path, content] of second.files) assert.equal(content, first.files.get(path), path);
  });

  it("its AppProject admits each SealedSecret it renders, better-auth's own included", () => {
    const project = parse(first.files.get("argocd/bootstrap/appproject-todo-staging.yaml")!) as IAppProject;
    for (const secret of sealed) {
      const object = { group: "bitnami.com", kind: "SealedSecret", name: secret.metadata!.name!, namespace: "todo-staging" };
      assert.ok(objectPermitted(project.spec!, minikube.server, object), `${object.name} refused`);
    }
  });

  it("puts SealedSecret in every environment's AppProject whitelist, sealed yet or not: sealing needs no bootstrap", () => {
    for (const env of ["dev", "staging", "prod"]) {
      const project = first.files.get(`argocd/bootstrap/appproject-todo-${env}.yaml`)!;
      assert.match(project, /group: bitnami\.com\n\s+kind: SealedSecret/, env);
    }
  });

  it("rolls exactly the pods that read a value when it is re-sealed; pods reading none carry no checksum", async () => {
    const settings = await loadEnvironment("staging", root);
    const checksums = (objects: KubeObject[]) =>
      Object.fromEntries(
        objects
          .filter((o): o is IDeployment & KubeObject => o.kind === "Deployment" || o.kind === "StatefulSet")
          .map((o) => [o.metadata!.name!, o.spec!.template.metadata!.annotations?.[SEALED_SECRETS_CHECKSUM_ANNOTATION]]),
      );
    const before = checksums(staging);
    assert.deepEqual(Object.keys(before).sort(), ["todo-backend", "todo-database", "todo-frontend"]);
    assert.match(before["todo-frontend"] ?? "", /^[0-9a-f]{64}$/, "the frontend reads the auth secret and the database's credentials");
    assert.match(before["todo-backend"] ?? "", /^[0-9a-f]{64}$/);
    assert.match(before["todo-database"] ?? "", /^[0-9a-f]{64}$/);
    const resealed = (name: string, key: string) => {
      const values = seal("todo-staging");
      return checksums(renderEnvironment({ ...settings, sealedSecrets: { ...settings.sealedSecrets, [name]: { ...settings.sealedSecrets[name]!, [key]: values[name]![key]! } } }));
    };
    const apiKey = resealed("todo-backend-secret", "OPENAI_API_KEY");
    assert.notEqual(apiKey["todo-backend"], before["todo-backend"], "the backend reads OPENAI_API_KEY");
    assert.equal(apiKey["todo-database"], before["todo-database"], "the database does not");
    assert.equal(apiKey["todo-frontend"], before["todo-frontend"], "nor does the frontend, though it reads another key of the same Secret");
    const authSecret = resealed("todo-auth-secret", "BETTER_AUTH_SECRET");
    assert.notEqual(authSecret["todo-frontend"], before["todo-frontend"], "the frontend signs with it");
    assert.notEqual(authSecret["todo-backend"], before["todo-backend"], "the backend verifies with it");
    assert.equal(authSecret["todo-database"], before["todo-database"], "the database does not read it");
    const password = resealed("todo-database-secret", "POSTGRES_PASSWORD");
    assert.notEqual(password["todo-database"], before["todo-database"]);
    assert.notEqual(password["todo-backend"], before["todo-backend"], "the backend composes DATABASE_URL from it");
    assert.notEqual(password["todo-frontend"], before["todo-frontend"], "so does the frontend");

    const redisSealed = (value: string) => ({
      ...settings,
      dapr: { ...settings.dapr, enabled: true },
      sealedSecrets: {
        ...settings.sealedSecrets,
        "todo-redis-secret": { REDIS_PASSWORD: sealValue({ certificatePem: key.certificatePem, namespace: "todo-staging", name: "todo-redis-secret", value }) },
      },
    });
    const [one, two] = [checksums(renderEnvironment(redisSealed("redis-one-0123"))), checksums(renderEnvironment(redisSealed("redis-two-0123")))];
    assert.notEqual(one["todo-redis"], two["todo-redis"]);
    assert.notEqual(one["todo-backend"], two["todo-backend"], "the backend's Dapr sidecar reads the Redis password at start");
    assert.equal(one["todo-database"], two["todo-database"]);
  });

  it("refuses better-auth's secret sealed where it used to be (todo-backend-secret), saying where it lives now and that it must be sealed again", async () => {
    const values = seal("todo-staging");
    const old = { ...values, "todo-backend-secret": { ...values["todo-backend-secret"]!, BETTER_AUTH_SECRET: values["todo-auth-secret"]!.BETTER_AUTH_SECRET! } };
    writeFileSync(join(root, "environments/staging.sealed.json"), formatSealedFile(old, "todo-staging"));
    await assert.rejects(
      renderRepository({ root }),
      (error: unknown) =>
        error instanceof SettingsError &&
        /staging: environments\/staging\.sealed\.json: todo-backend-secret\.encryptedData\.BETTER_AUTH_SECRET .*moved to todo-auth-secret.*npm run seal -- staging/.test(error.message),
    );
    writeFileSync(join(root, "environments/staging.sealed.json"), formatSealedFile(values, "todo-staging"));
  });

  it("refuses values sealed for another namespace (a sealed file copied from another environment, or a namespace changed since), naming both and the rule", async () => {
    const values = seal("todo-dev");
    writeFileSync(join(root, "environments/staging.sealed.json"), formatSealedFile(values, "todo-dev"));
    try {
      await assert.rejects(renderRepository({ root }), (error: unknown) => {
        assert.ok(error instanceof SettingsError);
        assert.match(
          error.message,
          /staging: environments\/staging\.sealed\.json: todo-auth-secret\.sealedFor\.namespace = "todo-dev": the values were sealed for namespace "todo-dev", but staging deploys to namespace "todo-staging": in the strict scope .*; re-seal with `npm run seal -- staging`/,
        );
        assert.equal(error.problems.filter((problem) => problem.path.endsWith(".sealedFor.namespace")).length, Object.keys(values).length, "one problem per Secret");
        return true;
      });
    } finally {
      writeFileSync(join(root, "environments/staging.sealed.json"), formatSealedFile(seal("todo-staging"), "todo-staging"));
    }
  });

  it("refuses a sealed file with a value the environment does not read, or a plaintext pasted in", async () => {
    const values = seal("todo-staging");
    writeFileSync(join(root, "environments/staging.sealed.json"), formatSealedFile({ ...values, "todo-backend-secret": { ...values["todo-backend-secret"]!, DATABASE_URL: values["todo-backend-secret"]!.OPENAI_API_KEY! } }, "todo-staging"));
    await assert.rejects(renderRepository({ root }), (error: unknown) => error instanceof SettingsError && /staging: environments\/staging\.sealed\.json: todo-backend-secret\.encryptedData\.DATABASE_URL/.test(error.message));
    writeFileSync(join(root, "environments/staging.sealed.json"), formatSealedFile({ ...values, "todo-backend-secret": { ...values["todo-backend-secret"]!, OPENAI_API_KEY: "sk-live-plaintext" } }, "todo-staging"));
    await assert.rejects(renderRepository({ root }), (error: unknown) => error instanceof SettingsError && /OPENAI_API_KEY/.test(error.message) && !error.message.includes("sk-live-plaintext"));
  });
});
