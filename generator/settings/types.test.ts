/**
 * An environment file's type is the declaration's input type: `npm run
 * typecheck` (tsc, part of `npm test`) refuses what the render refuses,
 * in an editor as you type. Each @ts-expect-error below fails the typecheck
 * if the mistake after it ever becomes acceptable to the type.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineEnvironment } from "../settings.ts";

describe("an environment file's type", () => {
  it("comes from the declaration: defaults optional, unknown keys and wrong types refused", () => {
    const fine = defineEnvironment({ delivery: { cluster: "minikube" }, backend: { replicas: 2, config: { EXTRA: "1" } } });
    assert.deepEqual(fine.backend?.replicas, 2);

    // @ts-expect-error every environment names its cluster
    defineEnvironment({});
    defineEnvironment({
      delivery: { cluster: "minikube" },
      // @ts-expect-error a string is not a boolean
      backend: { autoscaling: { enabled: "false" } },
    });
    // @ts-expect-error the Dapr settings are an object
    defineEnvironment({ delivery: { cluster: "minikube" }, dapr: true });
    // @ts-expect-error resources are requests and limits
    defineEnvironment({ delivery: { cluster: "minikube" }, backend: { resources: "small" } });
    // @ts-expect-error a misspelt setting
    defineEnvironment({ delivery: { cluster: "minikube" }, backend: { replicsa: 2 } });
    // @ts-expect-error released images belong in the images file
    defineEnvironment({ delivery: { cluster: "minikube" }, frontend: { image: { tag: "1.0.0" } } });
    // @ts-expect-error a sync mode Argo CD does not have
    defineEnvironment({ delivery: { cluster: "minikube", sync: "auto" } });
    // @ts-expect-error ConfigMap values are strings
    defineEnvironment({ delivery: { cluster: "minikube" }, backend: { config: { WORKERS: 4 } } });
    // @ts-expect-error TLS is an object of settings
    defineEnvironment({ delivery: { cluster: "minikube" }, ingress: { tls: true } });
    // @ts-expect-error an issuer the generator does not render
    defineEnvironment({ delivery: { cluster: "minikube" }, ingress: { tls: { issuer: "vault" } } });
    // @ts-expect-error the setting TLS replaced
    defineEnvironment({ delivery: { cluster: "minikube" }, ingress: { tlsSecretName: "todo-tls" } });
    // @ts-expect-error the external database's ranges are a list
    defineEnvironment({ delivery: { cluster: "minikube" }, database: { mode: "external", externalCidrs: "192.0.2.0/24" } });
  });
});
