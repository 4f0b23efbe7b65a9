import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ImageFacts } from "../images.ts";
import { declaredSettings } from "../testing/fixtures.ts";
import { CONTAINER_LOG_MI, hardenedPodSpec } from "./security.ts";

const settings = declaredSettings("qa");
/** An image that writes /data and /tmp (two 256Mi emptyDirs). */
const image = { uid: 1000, gid: 1000, writablePaths: ["/data", "/tmp"] } as unknown as ImageFacts;
const resources = { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } };

describe("hardenedPodSpec: what every pod shares, written once", () => {
  const pod = hardenedPodSpec({
    settings,
    serviceAccountName: "todo-x",
    image,
    initContainers: [{ name: "wait", image: "busybox:1", resources }],
    containers: [
      {
        name: "main",
        image: "app:1",
        resources,
        volumeMounts: [
          { name: "password", mountPath: "/etc/secret", readOnly: true },
          { name: "auth", mountPath: "/run/auth" },
        ],
      },
    ],
    volumes: [
      { name: "password", secret: { secretName: "todo-x-secret" } },
      { name: "auth", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
    ],
  });
  const [init] = pod.initContainers!;
  const [main] = pod.containers;

  it("requests and limits each container's ephemeral storage: its log and the disk-backed emptyDirs it mounts", () => {
    const storage = `${CONTAINER_LOG_MI + 256 + 256}Mi`;
    assert.deepEqual(main!.resources, {
      requests: { ...resources.requests, "ephemeral-storage": storage },
      limits: { ...resources.limits, "ephemeral-storage": storage },
    });
    // A memory-backed emptyDir counts against the memory limit, a Secret volume against nothing.
    assert.equal(init!.resources!.requests!["ephemeral-storage"], `${CONTAINER_LOG_MI}Mi`, "an init container mounts no writable directory: its log only");
  });

  it("keeps the resources where the component put them among the container's fields, and hardens every container", () => {
    assert.deepEqual(Object.keys(main!), ["name", "image", "resources", "securityContext", "volumeMounts"]);
    for (const container of [init!, main!]) {
      assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
      assert.deepEqual(container.securityContext?.capabilities, { drop: ["ALL"] });
    }
    assert.equal(init!.volumeMounts, undefined);
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.enableServiceLinks, false);
  });

  it("puts the image's writable directories after the pod's own volumes, or before them when asked", () => {
    assert.deepEqual(pod.volumes!.map((volume) => volume.name), ["password", "auth", "data", "tmp"]);
    assert.deepEqual(main!.volumeMounts!.map((mount) => mount.name), ["password", "auth", "data", "tmp"]);
    const first = hardenedPodSpec({ settings, serviceAccountName: "todo-x", image, containers: [{ name: "main", resources, volumeMounts: [{ name: "auth", mountPath: "/run/auth" }] }], volumes: [{ name: "auth", emptyDir: { medium: "Memory" } }], writableDirectoriesFirst: true });
    assert.deepEqual(first.volumes!.map((volume) => volume.name), ["data", "tmp", "auth"]);
    assert.deepEqual(first.containers[0]!.volumeMounts!.map((mount) => mount.name), ["data", "tmp", "auth"]);
  });

  it("adds a spread across nodes only where the component asks for one", () => {
    assert.equal(pod.topologySpreadConstraints, undefined);
    assert.equal(pod.affinity, undefined);
    const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway" as const }] };
    const spreadPod = hardenedPodSpec({ settings, serviceAccountName: "todo-x", image, containers: [{ name: "main", resources }], spread });
    assert.deepEqual(spreadPod.topologySpreadConstraints, spread.topologySpreadConstraints);
    assert.deepEqual(Object.keys(spreadPod).slice(0, 3), ["serviceAccountName", "topologySpreadConstraints", "automountServiceAccountToken"]);
  });
});
