import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import type { IRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { find, settingsOf, merge } from "../testing/fixtures.ts";
import { backend } from "./backend.ts";

const dev = await settingsOf("dev");
const prod = await settingsOf("prod");
const container = (objects: ReturnType<typeof backend>) =>
  find<IDeployment>(objects, "Deployment", "todo-backend").spec!.template.spec!.containers[0]!;

describe("backend", () => {
  it("uses the seeds' probe paths and timings", () => {
    const c = container(backend(dev));
    const timing = (p: typeof c.livenessProbe) => [p!.httpGet!.path, p!.periodSeconds, p!.timeoutSeconds, p!.failureThreshold];
    assert.deepEqual(timing(c.livenessProbe), ["/health/live", 10, 2, 3]);
    assert.deepEqual(timing(c.readinessProbe), ["/health/ready", 5, 5, 3]);
    assert.deepEqual(timing(c.startupProbe), ["/health/live", 5, 2, 6]);
    // ephemeral-storage: 50Mi of log plus the 256Mi /tmp emptyDir.
    assert.deepEqual(c.resources, {
      requests: { cpu: "200m", memory: "256Mi", "ephemeral-storage": "306Mi" },
      limits: { cpu: "1000m", memory: "1Gi", "ephemeral-storage": "306Mi" },
    });
    assert.deepEqual(c.ports, [{ name: "http", containerPort: 8000, protocol: "TCP" }]);
  });

  it("has the ConfigMap keys of the seeds, CORS allowing the environment's own origin", () => {
    const config = find<IConfigMap>(backend(dev), "ConfigMap", "todo-backend-config");
    assert.deepEqual(Object.keys(config.data!).sort(), ["CORS_ORIGINS", "ENVIRONMENT", "JWT_ALGORITHM", "JWT_EXPIRATION_DAYS", "LOG_LEVEL", "PYTHONUNBUFFERED"]);
    assert.equal(config.data!.CORS_ORIGINS, "http://todo.local");
    assert.equal(config.data!.LOG_LEVEL, "DEBUG");
  });

  it("reads DATABASE_URL only from todo-backend-secret with an external database", () => {
    const env = container(backend(prod)).env!;
    assert.deepEqual(
      env.map((e) => [e.name, e.valueFrom?.secretKeyRef?.name]),
      [
        ["DATABASE_URL", "todo-backend-secret"],
        ["BETTER_AUTH_SECRET", "todo-auth-secret"],
        ["OPENAI_API_KEY", "todo-backend-secret"],
      ],
    );
  });

  it("composes DATABASE_URL for the in-cluster database from its Secret and Service", () => {
    const env = container(backend(dev)).env!;
    const url = env.find((e) => e.name === "DATABASE_URL")!;
    assert.equal(url.value, "postgresql://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@todo-database.todo-dev.svc.cluster.local:5432/$(POSTGRES_DB)");
    // $(VAR) expands only from variables defined before it.
    const index = (name: string) => env.findIndex((e) => e.name === name);
    for (const name of ["POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"]) assert.ok(index(name) >= 0 && index(name) < index("DATABASE_URL"));
  });

  it("leaves replicas to the HPA when autoscaling is on", () => {
    const objects = backend(prod);
    assert.equal(find<IDeployment>(objects, "Deployment", "todo-backend").spec!.replicas, undefined);
    const hpa = find<IHorizontalPodAutoscaler>(objects, "HorizontalPodAutoscaler", "todo-backend");
    assert.deepEqual([hpa.spec!.minReplicas, hpa.spec!.maxReplicas], [2, 5]);
    assert.equal(hpa.spec!.metrics![0]!.resource!.target.averageUtilization, 70);
    assert.equal(find<IDeployment>(backend(dev), "Deployment", "todo-backend").spec!.replicas, 1);
  });

  it("mounts no token and has no Role, unless it declares API access", () => {
    assert.equal(find<IServiceAccount>(backend(dev), "ServiceAccount", "todo-backend").automountServiceAccountToken, false);
    assert.equal(backend(dev).some((o) => o.kind === "Role"), false);
    const withAccess = backend(merge(dev, { backend: { apiAccess: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }] } }));
    assert.deepEqual(find<IRole>(withAccess, "Role", "todo-backend").rules, [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }]);
    assert.ok(withAccess.some((o) => o.kind === "RoleBinding"));
    assert.equal(find<IDeployment>(withAccess, "Deployment", "todo-backend").spec!.template.spec!.automountServiceAccountToken, true);
  });

  it("rolls with maxSurge 1, maxUnavailable 0 and a 10 s grace period", () => {
    const spec = find<IDeployment>(backend(dev), "Deployment", "todo-backend").spec!;
    assert.deepEqual(spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    assert.equal(spec.template.spec!.terminationGracePeriodSeconds, 10);
  });
});
