import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IService } from "kubernetes-models/v1/Service";
import { find, settingsOf, merge } from "../testing/fixtures.ts";
import { frontend } from "./frontend.ts";

const dev = await settingsOf("dev");
const prod = await settingsOf("prod");

describe("frontend", () => {
  it("runs todo-frontend on port 3000 named http, with the seeds' resources and probes on /api/health", () => {
    const deployment = find<IDeployment>(frontend(dev), "Deployment", "todo-frontend");
    const container = deployment.spec!.template.spec!.containers[0]!;
    assert.equal(container.image, `todo-frontend:${dev.frontend.image.tag}`);
    assert.deepEqual(container.ports, [{ name: "http", containerPort: 3000, protocol: "TCP" }]);
    // ephemeral-storage: 50Mi of log plus the two 256Mi emptyDirs (/tmp, /app/.next/cache), requested as much as limited.
    assert.deepEqual(container.resources, {
      requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "562Mi" },
      limits: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "562Mi" },
    });
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
      assert.deepEqual(probe!.httpGet, { path: "/api/health", port: "http" });
    }
    assert.equal(deployment.spec!.template.spec!.securityContext!.runAsUser, 1001);
    assert.deepEqual(
      container.volumeMounts!.map((m) => m.mountPath),
      ["/tmp", "/app/.next/cache"],
    );
  });

  it("points API_BASE_URL at the backend's in-cluster Service, and better-auth at the Ingress origin", () => {
    const config = find<IConfigMap>(frontend(dev), "ConfigMap", "todo-frontend-config");
    assert.deepEqual(config.data, { API_BASE_URL: "http://todo-backend.todo-dev.svc.cluster.local:8000", BETTER_AUTH_URL: "http://todo.local" });
  });

  it("runs better-auth (/api/auth): todo-auth-secret, which the backend verifies with, and the database for users and sessions", () => {
    const envOf = (settings: typeof dev) =>
      find<IDeployment>(frontend(settings), "Deployment", "todo-frontend").spec!.template.spec!.containers[0]!.env!.map(
        (e) => e.value ?? `${e.valueFrom!.secretKeyRef!.name}/${e.valueFrom!.secretKeyRef!.key}`,
      );
    assert.deepEqual(envOf(dev), [
      "todo-database-secret/POSTGRES_USER",
      "todo-database-secret/POSTGRES_PASSWORD",
      "todo-database-secret/POSTGRES_DB",
      "postgresql://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@todo-database.todo-dev.svc.cluster.local:5432/$(POSTGRES_DB)",
      "todo-auth-secret/BETTER_AUTH_SECRET",
    ]);
    // External database: the same URL the backend gets, from where the backend gets it.
    assert.deepEqual(envOf(prod), ["todo-backend-secret/DATABASE_URL", "todo-auth-secret/BETTER_AUTH_SECRET"]);
  });

  it("is a NodePort on 30080 in dev and a ClusterIP in prod", () => {
    const devService = find<IService>(frontend(dev), "Service", "todo-frontend");
    assert.equal(devService.spec!.type, "NodePort");
    assert.equal(devService.spec!.ports![0]!.nodePort, 30080);
    const prodService = find<IService>(frontend(prod), "Service", "todo-frontend");
    assert.equal(prodService.spec!.type, "ClusterIP");
    assert.equal(prodService.spec!.ports![0]!.nodePort, undefined);
  });

  it("rolls its pods when its configuration changes", () => {
    const checksum = (settings: typeof dev) =>
      find<IDeployment>(frontend(settings), "Deployment", "todo-frontend").spec!.template.metadata!.annotations!["checksum/config"];
    assert.equal(checksum(dev), checksum(dev));
    assert.notEqual(checksum(merge(dev, { frontend: { config: { NEXT_TELEMETRY_DISABLED: "1" } } })), checksum(dev));
  });

  it("has a PodDisruptionBudget only when more than one replica can run", () => {
    assert.equal(frontend(dev).some((o) => o.kind === "PodDisruptionBudget"), false);
    assert.equal(frontend(prod).some((o) => o.kind === "PodDisruptionBudget"), true);
  });
});
