import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SealedSecret } from "@kubernetes-models/sealed-secrets/bitnami.com/v1alpha1/SealedSecret";
import { SYNC_WAVE, SYNC_WAVE_ANNOTATION } from "../lib/sync-waves.ts";
import { sealValue } from "../secrets/seal.ts";
import type { SealedValues } from "../secrets/sealed-file.ts";
import { throwawaySealingKey } from "../secrets/test-support.ts";
import { openValue } from "../secrets/unseal.ts";
import { declaredSettings } from "../testing/fixtures.ts";
import { sealedSecrets } from "./sealed-secrets.ts";

const images = { frontend: { repository: "todo-frontend", tag: "1.0.0" }, backend: { repository: "todo-backend", tag: "1.4.2" } };
const settings = declaredSettings("staging", {}, images);
const key = throwawaySealingKey();
const plaintext: Record<string, Record<string, string>> = {
  "todo-database-secret": { POSTGRES_USER: "user-value", POSTGRES_PASSWORD: "password-value", POSTGRES_DB: "db-value" },
  "todo-backend-secret": { OPENAI_API_KEY: "openai-value" },
  "todo-auth-secret": { BETTER_AUTH_SECRET: "auth-value" },
};
const sealed: SealedValues = Object.fromEntries(
  Object.entries(plaintext).map(([name, values]) => [
    name,
    Object.fromEntries(Object.entries(values).map(([k, value]) => [k, sealValue({ certificatePem: key.certificatePem, namespace: settings.namespace, name, value })])),
  ]),
);

describe("sealedSecrets", () => {
  it("renders none for an environment without sealed values", () => {
    assert.deepEqual(sealedSecrets({ ...settings, sealedSecrets: {} }), []);
  });

  it("renders one SealedSecret per Secret, under the name the workloads reference, in the environment's namespace", () => {
    const objects = sealedSecrets({ ...settings, sealedSecrets: sealed });
    assert.deepEqual(
      objects.map((o) => [o.metadata?.name, o.metadata?.namespace, o.spec.template?.metadata?.name, o.spec.template?.metadata?.namespace]),
      [
        ["todo-auth-secret", "todo-staging", "todo-auth-secret", "todo-staging"],
        ["todo-backend-secret", "todo-staging", "todo-backend-secret", "todo-staging"],
        ["todo-database-secret", "todo-staging", "todo-database-secret", "todo-staging"],
      ],
    );
    // better-auth's secret belongs to the frontend, where better-auth signs with it (the backend only verifies).
    assert.equal(objects[0]!.metadata?.labels?.["app.kubernetes.io/component"], "frontend");
    assert.equal(objects[0]!.metadata?.labels?.["app.kubernetes.io/version"], "1.0.0");
    const backend = objects[1]!;
    assert.deepEqual(backend.metadata?.labels, {
      "app.kubernetes.io/name": "todo-backend",
      "app.kubernetes.io/instance": "todo-staging",
      "app.kubernetes.io/version": "1.4.2",
      "app.kubernetes.io/component": "backend",
      "app.kubernetes.io/part-of": "todo-chatbot",
      "app.kubernetes.io/managed-by": "todo-gitops-generator",
    });
    assert.deepEqual(backend.spec.template?.metadata?.labels, backend.metadata?.labels, "the Secret carries the same labels");
    assert.equal(backend.metadata?.annotations?.[SYNC_WAVE_ANNOTATION], String(SYNC_WAVE.config));
    assert.equal(objects[2]!.metadata?.labels?.["app.kubernetes.io/component"], "database");
    for (const object of objects) {
      assert.equal(object.spec.template?.type, "Opaque");
      assert.deepEqual(Object.keys(object.metadata?.annotations ?? {}), [SYNC_WAVE_ANNOTATION], "strict scope: no scope annotation");
      assert.equal(object.spec.template?.metadata?.annotations, undefined);
    }
  });

  it("copies the sealed values (sorted by key), so a re-render is identical, and each opens in the cluster", () => {
    const first = sealedSecrets({ ...settings, sealedSecrets: sealed });
    assert.deepEqual(sealedSecrets({ ...settings, sealedSecrets: structuredClone(sealed) }), first);
    for (const object of first) {
      const name = object.metadata!.name!;
      assert.deepEqual(Object.keys(object.spec.encryptedData), Object.keys(plaintext[name]!).sort());
      for (const [k, value] of Object.entries(object.spec.encryptedData)) {
        assert.equal(value, sealed[name]![k]);
        // What the controller does: the label comes from the SealedSecret's own namespace and name.
        assert.equal(openValue({ privateKeyPem: key.privateKeyPem, namespace: object.metadata!.namespace!, name, sealed: value as string }), plaintext[name]![k]);
      }
    }
  });

  it("passes the Sealed Secrets model's schema validation", () => {
    for (const object of sealedSecrets({ ...settings, sealedSecrets: sealed })) assert.doesNotThrow(() => new SealedSecret(object).validate());
    const [object] = sealedSecrets({ ...settings, sealedSecrets: sealed });
    assert.throws(() => new SealedSecret({ ...object!, spec: { ...object!.spec, encryptedData: { K: 1 as never } } }).validate(), /must be string/);
  });

  it("refuses a Secret no component owns", () => {
    assert.throws(() => sealedSecrets({ ...settings, sealedSecrets: { "todo-other-secret": {} } }), /no component owns the Secret "todo-other-secret"/);
  });
});
