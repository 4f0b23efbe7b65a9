import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import type { ILimitRange } from "kubernetes-models/v1/LimitRange";
import type { INamespace } from "kubernetes-models/v1/Namespace";
import { find, settingsOf, merge } from "../testing/fixtures.ts";
import { ingress } from "./ingress.ts";
import { namespace } from "./namespace.ts";

const dev = await settingsOf("dev");

describe("namespace", () => {
  it("enforces, audits and warns on the restricted Pod Security Standard", () => {
    const ns = find<INamespace>(namespace(dev), "Namespace", "todo-dev");
    for (const mode of ["enforce", "audit", "warn"]) {
      assert.equal(ns.metadata!.labels![`pod-security.kubernetes.io/${mode}`], "restricted");
      assert.equal(ns.metadata!.labels![`pod-security.kubernetes.io/${mode}-version`], "v1.35");
    }
    assert.equal(ns.metadata!.namespace, undefined);
  });

  it("has a quota and container limits", () => {
    const objects = namespace(dev);
    assert.ok(objects.some((o) => o.kind === "ResourceQuota"));
    const limits = find<ILimitRange>(objects, "LimitRange", "todo-limits");
    assert.equal(limits.spec!.limits[0]!.type, "Container");
  });
});

describe("ingress", () => {
  it("routes /api to the backend (but the frontend's /api/auth) and / to the frontend on the environment's host, class nginx, no TLS", () => {
    const object = find<IIngress>(ingress(dev), "Ingress", "todo-ingress");
    assert.equal(object.spec!.ingressClassName, "nginx");
    assert.equal(object.spec!.tls, undefined);
    const rule = object.spec!.rules![0]!;
    assert.equal(rule.host, "todo.local");
    assert.deepEqual(
      rule.http!.paths.map((p) => [p.path, p.pathType, p.backend.service!.name, p.backend.service!.port!.number]),
      [
        ["/api/auth", "Prefix", "todo-frontend", 3000],
        ["/api", "Prefix", "todo-backend", 8000],
        ["/", "Prefix", "todo-frontend", 3000],
      ],
    );
  });
});
