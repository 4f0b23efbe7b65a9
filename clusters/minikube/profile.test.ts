import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type HostFacts, hostsHint, needsTunnel, profileFacts, runtimeWarning, startDriver } from "./profile.ts";

const linux: HostFacts = { platform: "linux", wsl: false, dockerDesktop: false, rootless: false };
const hosts = ["todo.local", "staging.todo.local"];

describe("reaching the ingress, by driver and host (Minikube's NeedsPortForward rule)", () => {
  it("uses the node's address where it is reachable: a Linux Docker engine, or a VM driver anywhere", () => {
    assert.equal(needsTunnel("docker", linux), false);
    assert.equal(needsTunnel("kvm2", linux), false);
    assert.equal(needsTunnel("hyperkit", { ...linux, platform: "darwin" }), false);
    assert.equal(needsTunnel("virtualbox", { ...linux, platform: "win32" }), false);
    const hint = hostsHint({ profile: "todo", driver: "docker", host: linux, nodeIp: "192.168.49.2", hosts });
    assert.match(hint, /^  192\.168\.49\.2 todo\.local staging\.todo\.local$/m);
    assert.doesNotMatch(hint, /tunnel/);
  });

  it("uses minikube tunnel and 127.0.0.1 for the docker and podman drivers on macOS, Windows, WSL, Docker Desktop and rootless Docker", () => {
    const cases: [string, HostFacts][] = [
      ["docker", { ...linux, platform: "darwin" }],
      ["docker", { ...linux, platform: "win32" }],
      ["podman", { ...linux, platform: "darwin" }],
      ["docker", { ...linux, wsl: true }],
      ["docker", { ...linux, dockerDesktop: true }],
      ["docker", { ...linux, rootless: true }],
    ];
    for (const [driver, host] of cases) {
      assert.equal(needsTunnel(driver, host), true, `${driver} on ${JSON.stringify(host)}`);
      const hint = hostsHint({ profile: "todo", driver, host, nodeIp: "192.168.49.2", hosts });
      assert.match(hint, /^  minikube -p todo tunnel$/m);
      assert.match(hint, /^  127\.0\.0\.1 todo\.local staging\.todo\.local$/m);
      assert.doesNotMatch(hint, /192\.168\.49\.2/, "the node's address is unreachable there");
    }
  });

  it("says how to find the address when it could not be read", () => {
    assert.match(hostsHint({ profile: "todo", driver: undefined, host: linux, nodeIp: undefined, hosts }), /minikube -p todo ip/);
  });

  it("reads driver and runtime from minikube profile list -o json, and nothing from garbage", () => {
    const listing = JSON.stringify({ valid: [{ Name: "other" }, { Name: "todo", Config: { Driver: "docker", KubernetesConfig: { ContainerRuntime: "containerd" } } }] });
    assert.deepEqual(profileFacts(listing, "todo"), { driver: "docker", runtime: "containerd" });
    assert.deepEqual(profileFacts("not json", "todo"), {});
  });
});

describe("the container runtime", () => {
  it("accepts docker and containerd, whose ingress addon is an ordinary pod; warns for cri-o, whose addon runs on the host network", () => {
    assert.equal(runtimeWarning("todo", "docker", "docker"), undefined);
    assert.equal(runtimeWarning("todo", "containerd", "docker"), undefined);
    assert.equal(runtimeWarning("todo", undefined, "docker"), undefined, "unknown: no guess");
    assert.match(runtimeWarning("todo", "crio", "docker") ?? "", /host network[^]*npm run cluster:down -- --delete/);
  });
});

describe("the driver a start of the profile uses (minikube's selectDriver)", () => {
  const listing = (driver: string) => JSON.stringify({ invalid: [], valid: [{ Name: "todo", Config: { Driver: driver } }] });
  it("an existing profile keeps its own, whatever MINIKUBE_DRIVER or the config says", () => {
    assert.deepEqual(startDriver({ listing: listing("kvm2"), profile: "todo", environment: "docker", configured: "docker" }), {
      driver: "kvm2",
      from: "Minikube profile todo was created with it",
    });
  });
  it("a new one takes MINIKUBE_DRIVER, then `minikube config set driver`, else none: minikube detects one", () => {
    const none = JSON.stringify({ invalid: [], valid: [] });
    assert.equal(startDriver({ listing: none, profile: "todo", environment: "docker", configured: "kvm2" })?.driver, "docker");
    assert.equal(startDriver({ listing: none, profile: "todo", configured: "docker" })?.from, "`minikube config get driver` names it");
    assert.equal(startDriver({ listing: none, profile: "todo" }), undefined);
    assert.equal(startDriver({ listing: "", profile: "todo" }), undefined, "no minikube answer: no guess");
  });
});
