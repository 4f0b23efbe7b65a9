/**
 * The Argo CD install (argocd/install/) cannot be built offline: its base is
 * the release's install.yaml on GitHub. These tests check what can go wrong
 * on our side of it: the pin, the files the kustomization names, the
 * settings merged into argocd-cm and argocd-cmd-params-cm, and the Ingress
 * health check, run in a real Lua VM (fengari) against the Ingresses this
 * repository renders.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";
import { prepare, readPin, sha256, stage, verify } from "../../clusters/minikube/argocd-install.ts";
import { minikube } from "../../clusters/minikube/cluster.ts";
import { podSecurityLabels } from "../../generator/lib/pod-security.ts";
import { renderEnvironment } from "../../generator/render.ts";
import { find, renderedFixture, settingsOf } from "../../generator/testing/fixtures.ts";

const INSTALL_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = join(INSTALL_DIR, "..", "..");
/** The fixture's rendered files (dev, staging and prod as shipped), path → text. */
const fixtureFiles = (await renderedFixture()).files;
const HEALTH_KEY = "resource.customizations.health.networking.k8s.io_Ingress";

interface GeneratedConfigMap {
  name: string;
  behavior?: string;
  files?: string[];
  literals?: string[];
}

interface Kustomization {
  apiVersion: string;
  kind: string;
  namespace: string;
  resources: string[];
  generatorOptions?: { disableNameSuffixHash?: boolean };
  configMapGenerator?: GeneratedConfigMap[];
  patches?: unknown[];
}

const kustomization = parse(readFileSync(join(INSTALL_DIR, "kustomization.yaml"), "utf8")) as Kustomization;

const isRemote = (resource: string): boolean => /^(https?:\/\/|github\.com\/|git@)/.test(resource);

/** The ConfigMap's data as the kustomization merges it: literals and files, by key. */
function mergedData(name: string): Map<string, string> {
  const generator = kustomization.configMapGenerator?.find((g) => g.name === name);
  assert.ok(generator, `configMapGenerator has no entry for ${name}`);
  const data = new Map<string, string>();
  for (const literal of generator.literals ?? []) {
    const at = literal.indexOf("=");
    data.set(literal.slice(0, at), literal.slice(at + 1));
  }
  for (const file of generator.files ?? []) {
    const at = file.indexOf("=");
    const [key, path] = at === -1 ? [file, file] : [file.slice(0, at), file.slice(at + 1)];
    data.set(key, readFileSync(join(INSTALL_DIR, path), "utf8"));
  }
  return data;
}

/** Seconds in a Go duration such as `60s`, `2m` or `1m30s`. */
function durationSeconds(text: string): number {
  const parts = [...text.matchAll(/(\d+)(h|m|s)/g)];
  assert.equal(parts.map((p) => p[0]).join(""), text, `"${text}" is not a Go duration of h/m/s parts`);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * { h: 3600, m: 60, s: 1 }[unit as "h" | "m" | "s"], 0);
}

describe("argocd/install kustomization", () => {
  it("is a Kustomization for cluster.ts's Argo CD namespace", () => {
    assert.equal(kustomization.apiVersion, "kustomize.config.k8s.io/v1beta1");
    assert.equal(kustomization.kind, "Kustomization");
    assert.equal(kustomization.namespace, minikube.argocdNamespace);
  });

  it("installs Argo CD from exactly one remote base: a released v3's install.yaml by commit, with its SHA-256", () => {
    const remote = kustomization.resources.filter(isRemote);
    assert.equal(remote.length, 1, `expected one remote resource, found: ${remote.join(", ") || "none"}`);
    // A commit, not a tag or branch: those can be moved to other code.
    const pin = readPin(INSTALL_DIR);
    assert.equal(pin.url, remote[0]);
    assert.match(pin.commit, /^[0-9a-f]{40}$/);
    assert.match(pin.sha256, /^[0-9a-f]{64}$/);
    // The release it is, stated beside it: a released v3 tag (no pre-release).
    const text = readFileSync(join(INSTALL_DIR, "kustomization.yaml"), "utf8");
    const release = /install manifest \(CRDs, RBAC, controllers\)\n\s*# of (v\d+\.\d+\.\d+):/.exec(text)?.[1];
    assert.ok(release, "the comment above the URL must name the release (`of vX.Y.Z:`)");
    assert.match(release, /^v3\.\d+\.\d+$/);
    assert.ok(readFileSync(join(REPO_ROOT, "README.md"), "utf8").includes(`(${release})`), `the README must name ${release}`);
  });

  it("stages a checked copy: the kustomization then reads install.yaml, never the URL, and a manifest with another checksum is refused", async () => {
    const pin = readPin(INSTALL_DIR);
    const home = mkdtempSync(join(tmpdir(), "argocd-install-"));
    try {
      const content = new TextEncoder().encode("kind: ConfigMap\n");
      const fakePin = { ...pin, sha256: sha256(content) };
      const staged = stage(INSTALL_DIR, content, fakePin, join(home, "staged"));
      const stagedKustomization = readFileSync(join(staged, "kustomization.yaml"), "utf8");
      assert.ok(!stagedKustomization.includes(pin.url) && !/https?:\/\//.test(stagedKustomization.replace(/#.*$/gm, "")), "the staged kustomization still downloads");
      assert.equal((parse(stagedKustomization) as Kustomization).resources.at(-1), "install.yaml");
      assert.equal(readFileSync(join(staged, "install.yaml"), "utf8"), "kind: ConfigMap\n");
      for (const file of readdirSync(INSTALL_DIR).filter((f) => !f.endsWith(".test.ts"))) assert.ok(existsSync(join(staged, file)), `${file} is not staged`);
      assert.throws(() => verify(new TextEncoder().encode("kind: Secret\n"), pin, "the download"), /the download is not the pinned Argo CD manifest: its SHA-256 is [0-9a-f]{64}, argocd\/install\/install\.yaml\.sha256 says [0-9a-f]{64}\. Nothing was applied\./);
      // prepare(): downloads once, then reuses the checked copy; refuses a download that does not match.
      let downloads = 0;
      const wrong = () => {
        downloads++;
        return Promise.resolve(new TextEncoder().encode("tampered"));
      };
      await assert.rejects(prepare({ root: REPO_ROOT, env: { HOME: home }, fetchManifest: wrong }), /is not the pinned Argo CD manifest/);
      assert.equal(downloads, 1);
      // A repository whose pin is this content: the first run downloads, the next one reuses the checked copy.
      const root = join(home, "repo");
      cpSync(INSTALL_DIR, join(root, "argocd", "install"), { recursive: true });
      writeFileSync(join(root, "argocd", "install", "install.yaml.sha256"), `${sha256(content)}  install.yaml\n`);
      const right = () => {
        downloads++;
        return Promise.resolve(content);
      };
      const first = await prepare({ root, env: { HOME: home }, fetchManifest: right });
      const second = await prepare({ root, env: { HOME: home }, fetchManifest: right });
      assert.equal(first, join(home, ".cache", "todo-gitops", "argocd-install", sha256(content)));
      assert.equal(second, first);
      assert.equal(downloads, 2, "the second run reuses the checked copy");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("names only local files that exist, and creates the namespace it installs into", () => {
    for (const resource of kustomization.resources.filter((r) => !isRemote(r))) {
      assert.ok(existsSync(join(INSTALL_DIR, resource)), `resource ${resource} does not exist`);
    }
    const namespace = parse(readFileSync(join(INSTALL_DIR, "namespace.yaml"), "utf8")) as { kind: string; metadata: { name: string; labels?: Record<string, string> } };
    assert.ok(kustomization.resources.includes("namespace.yaml"));
    assert.equal(namespace.kind, "Namespace");
    assert.equal(namespace.metadata.name, kustomization.namespace);
    // Argo CD's pods all pass `restricted` (see the comment in namespace.yaml), checked against the cluster's own version.
    assert.deepEqual(namespace.metadata.labels, podSecurityLabels("restricted", minikube.kubernetesVersion));
  });

  it("merges into the release's ConfigMaps under their own names", () => {
    // Merge, not create or replace: the release's other keys must survive.
    for (const generator of kustomization.configMapGenerator ?? []) {
      assert.equal(generator.behavior, "merge", `${generator.name} must be merged into the release's ConfigMap`);
      for (const file of generator.files ?? []) {
        const path = file.includes("=") ? file.slice(file.indexOf("=") + 1) : file;
        assert.ok(existsSync(join(INSTALL_DIR, path)), `${generator.name} names ${path}, which does not exist`);
      }
    }
    // A hash suffix would rename argocd-cm, and the controllers read it by name.
    assert.equal(kustomization.generatorOptions?.disableNameSuffixHash, true);
  });

  it("configures argocd-cm: Ingress health, annotation tracking, a short reconciliation loop", () => {
    const data = mergedData("argocd-cm");
    assert.ok(data.get(HEALTH_KEY)?.includes("ingressClassName"), `${HEALTH_KEY} is missing or not the Ingress check`);
    assert.equal(data.get("application.resourceTrackingMethod"), "annotation");
    const timeout = data.get("timeout.reconciliation");
    assert.ok(timeout, "timeout.reconciliation is not set");
    const seconds = durationSeconds(timeout);
    assert.ok(seconds >= 30 && seconds < 120, `timeout.reconciliation ${timeout} should be shorter than the default 120s but not hammer Git`);
    const jitter = data.get("timeout.reconciliation.jitter");
    if (jitter !== undefined) assert.ok(durationSeconds(jitter) < seconds, `jitter ${jitter} should be less than the timeout`);
    // Setting this key would replace, not extend, the release's default exclusions.
    assert.equal(data.has("resource.exclusions"), false, "resource.exclusions would drop the release's defaults");
  });

  it("serves the UI over plain HTTP only for port-forwarding", () => {
    assert.equal(mergedData("argocd-cmd-params-cm").get("server.insecure"), "true");
    // Plain HTTP is acceptable only while argocd-server is not exposed by us.
    const exposing = readdirSync(INSTALL_DIR)
      .filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
      .flatMap((f) => parseAllDocuments(readFileSync(join(INSTALL_DIR, f), "utf8")).map((d) => d.toJS() as { kind?: string }))
      .filter((o) => o?.kind === "Ingress" || o?.kind === "Service");
    assert.deepEqual(exposing, []);
  });
});

// ---- The Ingress health check, in a Lua VM sandboxed like Argo CD's ----

/** The part of fengari's C-like API used here (the package ships no types). */
type LuaState = object;
type LuaFunction = (L: LuaState) => number;
interface Fengari {
  lua: {
    LUA_OK: number;
    lua_pop(L: LuaState, n: number): void;
    lua_pcall(L: LuaState, args: number, results: number, handler: number): number;
    lua_istable(L: LuaState, index: number): boolean;
    lua_isstring(L: LuaState, index: number): boolean;
    lua_tostring(L: LuaState, index: number): Uint8Array;
    lua_getfield(L: LuaState, index: number, key: Uint8Array): number;
  };
  lauxlib: {
    luaL_newstate(): LuaState;
    luaL_requiref(L: LuaState, name: Uint8Array, open: LuaFunction, global: number): void;
    luaL_loadstring(L: LuaState, chunk: Uint8Array): number;
  };
  lualib: { luaopen_base: LuaFunction; luaopen_table: LuaFunction };
  to_luastring(text: string): Uint8Array;
  to_jsstring(bytes: Uint8Array): string;
}
const fengari = createRequire(import.meta.url)("fengari") as Fengari;

/** A Lua table constructor for a JSON-like value (strings escaped byte by byte). */
function luaLiteral(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "boolean" || typeof value === "number") return String(value);
  if (typeof value === "string") {
    const bytes = [...Buffer.from(value, "utf8")];
    return `"${bytes.map((b) => (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${b}`)).join("")}"`;
  }
  if (Array.isArray(value)) return `{${value.map(luaLiteral).join(", ")}}`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([key, v]) => `[${luaLiteral(key)}] = ${luaLiteral(v)}`)
    .join(", ")}}`;
}

const HEALTH_SCRIPT = readFileSync(join(INSTALL_DIR, "ingress-health.lua"), "utf8");

/**
 * Runs a health script with `obj` set. Argo CD (util/lua) opens only the
 * base, table and package libraries and a reduced os; the string library
 * is withheld unless `useOpenLibs` is set. Base and table are enough here.
 */
function runHealthScript(script: string, obj: unknown): { status: string; message: string } {
  const { lua, lauxlib, lualib, to_luastring, to_jsstring } = fengari;
  const L = lauxlib.luaL_newstate();
  for (const [name, open] of [["_G", lualib.luaopen_base], ["table", lualib.luaopen_table]] as const) {
    lauxlib.luaL_requiref(L, to_luastring(name), open, 1);
    lua.lua_pop(L, 1);
  }
  const run = (chunk: string, results: number): void => {
    if (lauxlib.luaL_loadstring(L, to_luastring(chunk)) !== lua.LUA_OK || lua.lua_pcall(L, 0, results, 0) !== lua.LUA_OK) {
      throw new Error(`Lua error: ${to_jsstring(lua.lua_tostring(L, -1))}`);
    }
  };
  run(`obj = ${luaLiteral(obj)}`, 0);
  run(script, 1);
  assert.ok(lua.lua_istable(L, -1), "the health script must return a table");
  const field = (name: string): string => {
    lua.lua_getfield(L, -1, to_luastring(name));
    const text = lua.lua_isstring(L, -1) ? to_jsstring(lua.lua_tostring(L, -1)) : "";
    lua.lua_pop(L, 1);
    return text;
  };
  return { status: field("status"), message: field("message") };
}

const ingressHealth = (obj: unknown) => runHealthScript(HEALTH_SCRIPT, obj);

const ingress = (spec: object, status?: object, annotations?: Record<string, string>) => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "Ingress",
  metadata: { name: "todo-ingress", namespace: "todo-dev", ...(annotations ? { annotations } : {}) },
  spec,
  ...(status ? { status } : {}),
});
const rules = [{ host: "todo.local", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "todo-frontend", port: { name: "http" } } } }] } }];

describe("Ingress health check (argocd/install/ingress-health.lua)", () => {
  it("is Healthy with a load-balancer address, IP or hostname, as the built-in check is", () => {
    const byIp = ingressHealth(ingress({ ingressClassName: "nginx", rules }, { loadBalancer: { ingress: [{ ip: "192.168.49.2" }] } }));
    assert.deepEqual(byIp, { status: "Healthy", message: "Reachable at 192.168.49.2" });
    const byHostname = ingressHealth(ingress({ rules }, { loadBalancer: { ingress: [{ hostname: "lb.example" }] } }));
    assert.equal(byHostname.status, "Healthy");
    assert.match(byHostname.message, /lb\.example/);
  });

  it("is Healthy without an address once an ingress class serves it (Minikube's addon)", () => {
    const health = ingressHealth(ingress({ ingressClassName: "nginx", rules }, { loadBalancer: {} }));
    assert.equal(health.status, "Healthy");
    assert.match(health.message, /ingress class nginx/);
    const legacy = ingressHealth(ingress({ rules }, undefined, { "kubernetes.io/ingress.class": "nginx" }));
    assert.equal(legacy.status, "Healthy");
  });

  it("stays Progressing while nothing has claimed the Ingress", () => {
    assert.equal(ingressHealth(ingress({ rules })).status, "Progressing");
    assert.equal(ingressHealth(ingress({ rules }, { loadBalancer: { ingress: [{ ip: "" }] } })).status, "Progressing");
    assert.equal(ingressHealth(ingress({ ingressClassName: "", rules }, { loadBalancer: { ingress: [{}] } })).status, "Progressing");
  });

  it("runs in a sandbox that, like Argo CD's, withholds the string and io libraries", () => {
    // So the checks above also prove the script needs none of them.
    for (const script of ['return { status = string.upper("x") }', 'return { status = ("x"):upper() }', "return { status = io.read() }"]) {
      assert.throws(() => runHealthScript(script, {}), /Lua error/, script);
    }
    assert.deepEqual(runHealthScript('local t = {} table.insert(t, "Healthy") return { status = t[1] }', {}), { status: "Healthy", message: "" });
  });

  it("marks every Ingress this repository renders Healthy before any address is published", () => {
    const rendered = readdirSync(join(REPO_ROOT, "manifests"), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((env) =>
        readdirSync(join(REPO_ROOT, "manifests", env.name))
          .filter((file) => file.startsWith("ingress-") && file.endsWith(".yaml"))
          .map((file) => join(REPO_ROOT, "manifests", env.name, file)),
      );
    assert.ok(rendered.length > 0, "no rendered Ingress found under manifests/");
    for (const path of rendered) {
      const health = ingressHealth(parse(readFileSync(path, "utf8")));
      assert.equal(health.status, "Healthy", `${path}: ${health.message}`);
    }
  });
});

// ---- The Dapr health check, on the Components and Configuration the generator renders ----

describe("Dapr health check (argocd/install/dapr-health.lua)", async () => {
  const { loadEnvironment } = await import("../../generator/load/environments.ts");
  const { daprComponents, daprConfiguration } = await import("../../generator/components/dapr.ts");
  const script = readFileSync(join(INSTALL_DIR, "dapr-health.lua"), "utf8");
  const daprHealth = (obj: unknown) => runHealthScript(script, obj);
  // The objects as dev renders them (the builders render them whatever dapr.enabled says).
  const settings = await loadEnvironment("dev");

  it("is what argocd-cm runs for both Dapr kinds", () => {
    const data = mergedData("argocd-cm");
    for (const kind of ["Component", "Configuration"]) assert.equal(data.get(`resource.customizations.health.dapr.io_${kind}`), script, kind);
  });

  it("marks the rendered Components Healthy, naming type, version and scopes", () => {
    for (const component of daprComponents(settings)) {
      const health = daprHealth(component);
      assert.equal(health.status, "Healthy", health.message);
      assert.equal(health.message, `${component.spec.type} v1, scoped to ${settings.dapr.appId}`);
    }
  });

  it("marks a Component without scopes, type or version Degraded", () => {
    const [component] = daprComponents(settings);
    assert.equal(daprHealth({ ...component, scopes: [] }).status, "Degraded");
    assert.equal(daprHealth({ ...component, scopes: undefined }).status, "Degraded");
    assert.equal(daprHealth({ ...component, spec: { ...component!.spec, version: "" } }).status, "Degraded");
    assert.equal(daprHealth({ ...component, spec: { metadata: [] } }).status, "Degraded");
  });

  it("marks the rendered Configuration Healthy, and never judges it by an mtls block, which an app namespace's Configuration cannot set", () => {
    const configuration = daprConfiguration(settings);
    assert.equal(daprHealth(configuration).status, "Healthy");
    assert.doesNotMatch(daprHealth(configuration).message, /mTLS (on|off)/);
    // Dapr ignores mtls here (only the control plane's daprsystem Configuration counts): no health either way.
    for (const enabled of [true, false]) {
      assert.equal(daprHealth({ ...configuration, spec: { ...configuration.spec, mtls: { enabled } } }).status, "Healthy");
    }
    assert.equal(daprHealth({ ...configuration, spec: {} }).status, "Healthy");
  });
});

// ---- The Application health check, which makes the root Application's sync waves wait ----

describe("Application health check (argocd/install/application-health.lua)", () => {
  const script = readFileSync(join(INSTALL_DIR, "application-health.lua"), "utf8");
  const applicationHealth = (status?: object) =>
    runHealthScript(script, { apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "dapr" }, ...(status ? { status } : {}) });

  it("is what argocd-cm runs for Applications", () => {
    assert.equal(mergedData("argocd-cm").get("resource.customizations.health.argoproj.io_Application"), script);
  });

  it("is Progressing until Argo CD has assessed the child, and while a sync runs", () => {
    assert.equal(applicationHealth().status, "Progressing");
    assert.equal(applicationHealth({ sync: { status: "Unknown" } }).status, "Progressing");
    const running = applicationHealth({ health: { status: "Healthy" }, operationState: { phase: "Running" } });
    assert.deepEqual(running, { status: "Progressing", message: "Sync operation Running" });
  });

  it("is the child's own health once assessed: Degraded holds the next wave back, OutOfSync alone does not", () => {
    assert.deepEqual(applicationHealth({ health: { status: "Healthy" }, operationState: { phase: "Succeeded" } }), { status: "Healthy", message: "" });
    const degraded = applicationHealth({ health: { status: "Degraded", message: "Deployment dapr-operator: 0/1 available" } });
    assert.deepEqual(degraded, { status: "Degraded", message: "Deployment dapr-operator: 0/1 available" });
    assert.equal(applicationHealth({ health: { status: "Healthy" }, sync: { status: "OutOfSync" } }).status, "Healthy");
  });

  it("is needed: a child Application syncs in a later wave than the control planes whose CRDs it uses", () => {
    // The fixture's render (staging and prod serve TLS as shipped; a team may turn it off, and then no cert-manager Application is rendered).
    const wave = (file: string) => {
      const text = fixtureFiles.get(`argocd/apps/${file}`);
      assert.ok(text, `the fixture renders no argocd/apps/${file}`);
      return Number((parse(text) as { metadata: { annotations: Record<string, string> } }).metadata.annotations["argocd.argoproj.io/sync-wave"]);
    };
    assert.ok(wave("application-sealed-secrets.yaml") < wave("application-todo-dev.yaml"));
    // staging's and prod's Certificates need cert-manager's CRDs and the local CA's ClusterIssuer.
    assert.ok(wave("application-cert-manager.yaml") < wave("application-todo-staging.yaml"));
  });
});

// ---- The HPA health check, which keeps a new HPA from failing the sync ----

/** prod's HPA as rendered from the tests' fixture (prod as shipped: a user's prod may have none), as plain data. */
const prodHpa = JSON.parse(JSON.stringify(find(renderEnvironment(await settingsOf("prod")), "HorizontalPodAutoscaler", "todo-backend"))) as object;

describe("HPA health check (argocd/install/hpa-health.lua)", () => {
  const script = readFileSync(join(INSTALL_DIR, "hpa-health.lua"), "utf8");
  const condition = (type: string, status: string, reason: string, message = `${type} ${reason}`) => ({ type, status, reason, message });
  const hpa = (conditions?: object[]) => ({
    ...prodHpa,
    ...(conditions ? { status: { conditions } } : {}),
  });
  const hpaHealth = (conditions?: object[]) => runHealthScript(script, hpa(conditions));
  const ableToScale = condition("AbleToScale", "True", "SucceededGetScale", "the HPA controller was able to get the target's current scale");
  // What the HPA says while metrics-server has not scraped the new pods yet (kube-controller-manager's wording).
  const noMetrics = condition(
    "ScalingActive",
    "False",
    "FailedGetResourceMetric",
    "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API",
  );

  it("is what argocd-cm runs for HorizontalPodAutoscalers", () => {
    assert.equal(mergedData("argocd-cm").get("resource.customizations.health.autoscaling_HorizontalPodAutoscaler"), script);
  });

  it("keeps a new HPA without metrics Progressing (the built-in check says Degraded, which fails the sync)", () => {
    assert.equal(hpaHealth().status, "Progressing", "prod's HPA as rendered, before the controller has looked at it");
    const waiting = hpaHealth([ableToScale, noMetrics]);
    assert.equal(waiting.status, "Progressing");
    assert.match(waiting.message, /^Waiting for metrics: .*no metrics returned/);
    for (const reason of ["FailedGetPodsMetric", "FailedComputeMetricsReplicas"]) {
      assert.equal(hpaHealth([ableToScale, condition("ScalingActive", "False", reason)]).status, "Progressing", reason);
    }
  });

  it("is Healthy once it computes a replica count, as the built-in check is", () => {
    const scaling = [ableToScale, condition("ScalingActive", "True", "ValidMetricFound"), condition("ScalingLimited", "False", "DesiredWithinRange")];
    assert.deepEqual(hpaHealth(scaling), { status: "Healthy", message: ableToScale.message });
  });

  it("stays Degraded for what metrics arriving cannot fix", () => {
    for (const broken of [
      condition("AbleToScale", "False", "FailedGetScale", 'deployments/scale.apps "todo-backend" not found'),
      condition("AbleToScale", "False", "FailedUpdateScale"),
      condition("ScalingActive", "False", "InvalidSelector"),
      condition("ScalingActive", "False", "FailedGetExternalMetric"),
    ]) {
      assert.deepEqual(hpaHealth([broken, noMetrics]), { status: "Degraded", message: broken.message }, broken.reason);
    }
  });
});
