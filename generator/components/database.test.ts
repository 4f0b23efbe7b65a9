import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import type { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import type { IService } from "kubernetes-models/v1/Service";
import { find, settingsOf } from "../testing/fixtures.ts";
import { database } from "./database.ts";

const dev = await settingsOf("dev");
const prod = await settingsOf("prod");

describe("database", () => {
  it("renders nothing for an external database", () => {
    assert.deepEqual(database(prod), []);
  });

  it("claims 1Gi ReadWriteOnce on the cluster's storage class, kept when the app is deleted", () => {
    const pvc = find<IPersistentVolumeClaim>(database(dev), "PersistentVolumeClaim", "todo-database-pvc");
    assert.deepEqual(pvc.spec, { storageClassName: "standard", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } });
    assert.match(pvc.metadata!.annotations!["argocd.argoproj.io/sync-options"]!, /Delete=false/);
  });

  it("runs PostgreSQL as its image's user, with credentials from todo-database-secret and pg_isready probes", () => {
    const sts = find<IStatefulSet>(database(dev), "StatefulSet", "todo-database");
    const pod = sts.spec!.template.spec!;
    assert.equal(sts.spec!.serviceName, "todo-database");
    assert.equal(pod.securityContext!.runAsUser, 70);
    const container = pod.containers[0]!;
    const secretKeys = container.env!.filter((e) => e.valueFrom?.secretKeyRef?.name === "todo-database-secret").map((e) => e.name);
    assert.deepEqual(secretKeys, ["POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"]);
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
      assert.match(probe!.exec!.command!.join(" "), /pg_isready/);
    }
    assert.deepEqual(pod.volumes!.find((v) => v.name === "data")!.persistentVolumeClaim, { claimName: "todo-database-pvc" });
    assert.deepEqual(container.volumeMounts!.map((m) => m.mountPath).sort(), ["/tmp", "/var/lib/postgresql/data", "/var/run/postgresql"]);
  });

  it("is reached through a headless Service on 5432", () => {
    const service = find<IService>(database(dev), "Service", "todo-database");
    assert.equal(service.spec!.clusterIP, "None");
    assert.deepEqual(service.spec!.ports, [{ name: "postgres", port: 5432, targetPort: "postgres", protocol: "TCP" }]);
  });
});
