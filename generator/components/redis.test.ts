import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IService } from "kubernetes-models/v1/Service";
import { find, settingsOf, merge } from "../testing/fixtures.ts";
import { REDIS_ALIVE, REDIS_PING, REDIS_SECRET_DIR, REDIS_START, maxMemoryBytes, redis, redisHost } from "./redis.ts";

const dev = await settingsOf("dev");
const objects = redis(dev);
const pod = find<IDeployment>(objects, "Deployment", "todo-redis").spec!.template.spec!;
const container = pod.containers[0]!;

describe("redis", () => {
  it("renders only with Dapr on: ServiceAccount, Service, Deployment", () => {
    assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata!.name}`), ["ServiceAccount/todo-redis", "Service/todo-redis", "Deployment/todo-redis"]);
    assert.deepEqual(redis(merge(dev, { dapr: { enabled: false } })), []);
  });

  it("is explicitly ephemeral: an emptyDir for /data, no PVC, no snapshots", () => {
    assert.ok(!objects.some((o) => o.kind === "PersistentVolumeClaim"));
    assert.deepEqual(pod.volumes!.filter((v) => v.emptyDir), [
      { name: "data", emptyDir: { sizeLimit: "256Mi" } },
      // The generated ACL line, in memory only.
      { name: "auth", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
    ]);
    assert.deepEqual(container.volumeMounts!.find((m) => m.name === "data"), { name: "data", mountPath: "/data" });
    const args = container.args!;
    assert.equal(args[args.indexOf("--save") + 1], "");
    assert.ok(!args.includes("--appendonly"), "append-only stays at Redis' default (off)");
  });

  it("runs as the image's redis user (999:1000), read-only, with nothing but the password from the Secret", () => {
    assert.deepEqual([pod.securityContext!.runAsUser, pod.securityContext!.runAsGroup], [999, 1000]);
    assert.equal(container.securityContext!.readOnlyRootFilesystem, true);
    assert.equal(pod.automountServiceAccountToken, false);
    assert.deepEqual(container.command, ["sh", "-c", REDIS_START, "redis-server"]);
  });

  it("reads its password from the mounted Secret file, never from its command line", () => {
    // generator/pod-commands/redis-commands.test.ts runs this command with the real redis-server.
    const args = [...container.command!, ...container.args!].join(" ");
    assert.ok(!args.includes("--requirepass") && !/\$\([A-Z_]+\)/.test(args), args);
    const volume = pod.volumes!.find((v) => v.name === "password");
    assert.deepEqual(volume?.secret, { secretName: "todo-redis-secret", items: [{ key: "REDIS_PASSWORD", path: "REDIS_PASSWORD" }], defaultMode: 0o440 });
    assert.deepEqual(container.volumeMounts!.find((m) => m.name === "password"), { name: "password", mountPath: REDIS_SECRET_DIR, readOnly: true });
    assert.match(REDIS_START, new RegExp(`${REDIS_SECRET_DIR}/REDIS_PASSWORD`));
    // Only the probes' redis-cli gets the password in its environment.
    assert.deepEqual(container.env!.map((e) => e.name), ["REDISCLI_AUTH"]);
  });

  it("probes with redis-cli, authenticated by REDISCLI_AUTH rather than on the command line", () => {
    assert.deepEqual(container.readinessProbe!.exec!.command, ["sh", "-c", REDIS_PING]);
    for (const probe of [container.startupProbe, container.livenessProbe]) {
      assert.deepEqual(probe!.exec!.command, ["sh", "-c", REDIS_ALIVE]);
    }
    assert.ok(!REDIS_PING.includes("-a ") && !REDIS_ALIVE.includes("-a "));
    assert.equal(container.env!.find((e) => e.name === "REDISCLI_AUTH")?.valueFrom?.secretKeyRef?.key, "REDIS_PASSWORD");
  });

  it("refuses writes before the memory limit instead of being killed at it", () => {
    const args = container.args!;
    assert.equal(args[args.indexOf("--maxmemory") + 1], String(maxMemoryBytes("256Mi")));
    assert.equal(maxMemoryBytes("256Mi"), 201326592);
    assert.equal(args[args.indexOf("--maxmemory-policy") + 1], "noeviction");
  });

  it("is reached at its Service, the address the Components use", () => {
    const service = find<IService>(objects, "Service", "todo-redis");
    assert.deepEqual(service.spec!.ports, [{ name: "redis", port: 6379, targetPort: "redis", protocol: "TCP" }]);
    assert.equal(redisHost(dev), "todo-redis.todo-dev.svc.cluster.local:6379");
  });
});
