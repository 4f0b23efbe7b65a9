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
    assert.deepEqual(container.resources, { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } });
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
      assert.deepEqual(probe!.httpGet, { path: "/api/health", port: "http" });
    }
    assert.equal(deployment.spec!.template.spec!.securityContext!.runAsUser, 1001);
    assert.deepEqual(
      container.volumeMounts!.map((m) => m.mountPath),
      ["/tmp", "/app/.next/cache"],
    );
  });

  it("points API_BASE_URL at the backend's in-cluster Service", () => {
    const config = find<IConfigMap>(frontend(dev), "ConfigMap", "todo-frontend-config");
    assert.deepEqual(config.data, { API_BASE_URL: "http://todo-backend.todo-dev.svc.cluster.local:8000" });
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
