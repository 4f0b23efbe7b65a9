import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { DaprComponent, DaprConfiguration } from "../dapr/models.ts";
import type { KubeObject } from "../kube-object.ts";
import { renderEnvironment } from "../render.ts";
import { externalSecrets } from "../secrets.ts";
import type { Settings } from "../settings.ts";
import { fixtureFiles } from "../testing/fixture-environments.ts";
import { environments, find, fixtureEnvironments, merge, problemsWith, renderedFixture, renderedRepository, settingsOf, withChange } from "../testing/fixtures.ts";
import { type Endpoint, isAllowed, podTemplates } from "../testing/network-policy.ts";
import { problemsOf } from "../validation/kinds.ts";
import { daprApplication, daprValues } from "./argocd.ts";
import { DAPR_CONFIGURATION, PUB_SUB, STATE_STORE, daprPodAnnotations } from "./dapr.ts";

// dev with Dapr on, staging and prod with it off: the fixture, as shipped (a team may turn Dapr off in dev).
const rendered = await fixtureEnvironments();
// The invariants hold for any environment with Dapr on: the fixture's, and the user's own where they differ from it.
const withDapr = [
  ...rendered.filter((e) => e.settings.dapr.enabled).map((e) => ({ ...e, title: e.settings.name })),
  ...(fixtureFiles().size === 0 ? [] : (await environments()).filter((e) => e.settings.dapr.enabled).map((e) => ({ ...e, title: `${e.settings.name} (committed)` }))),
];
const dev = await settingsOf("dev");
const staging = await settingsOf("staging");

const daprObjects = (objects: KubeObject[]) => objects.filter((o) => o.apiVersion.startsWith("dapr.io/"));
const components = (objects: KubeObject[]) => daprObjects(objects).filter((o): o is DaprComponent & KubeObject => o.kind === "Component");
const backendPod = (objects: KubeObject[]) => find<IDeployment>(objects, "Deployment", "todo-backend").spec!.template;

describe("Dapr switch", () => {
  it("is on in dev, where the Configuration, both Components, Redis and the sidecar render", () => {
    const objects = rendered.find((e) => e.settings.name === "dev")!.objects;
    assert.deepEqual(daprObjects(objects).map((o) => `${o.kind}/${o.metadata!.name}`).sort(), [
      `Component/${PUB_SUB}`,
      `Component/${STATE_STORE}`,
      `Configuration/${DAPR_CONFIGURATION}`,
    ]);
    assert.equal(backendPod(objects).metadata!.annotations!["dapr.io/enabled"], "true");
    assert.ok(objects.some((o) => o.kind === "Deployment" && o.metadata!.name === "todo-redis"));
  });

  it("off: no Dapr object, no Redis, no dapr.io annotation anywhere, in every environment that has it off and in dev turned off", () => {
    const devOff = merge(dev, { dapr: { enabled: false } });
    const off = [...rendered.filter((e) => !e.settings.dapr.enabled), { settings: devOff, objects: renderEnvironment(devOff) }];
    assert.ok(off.length >= 2, "staging and prod have Dapr off");
    for (const { settings, objects } of off) {
      assert.deepEqual(daprObjects(objects), [], settings.name);
      assert.ok(!objects.some((o) => o.metadata!.name === "todo-redis"), `${settings.name}: Redis renders`);
      const text = JSON.stringify(objects);
      assert.ok(!text.includes("dapr.io/"), `${settings.name}: a dapr.io annotation or kind remains`);
      assert.ok(!text.includes("dapr-system"), `${settings.name}: a policy still opens the Dapr control plane`);
      assert.ok(!externalSecrets(settings).some((s) => s.name === "todo-redis-secret"), `${settings.name}: Redis Secret still required`);
    }
  });

  it("turns on in any environment by the setting alone", () => {
    const objects = renderEnvironment(merge(staging, { dapr: { enabled: true } }));
    assert.equal(components(objects).length, 2);
    assert.equal(backendPod(objects).metadata!.annotations!["dapr.io/app-id"], "todo-backend");
  });
});

for (const { settings, objects, title } of withDapr) {
  describe(`${title}: Dapr invariants`, () => {
    it("every Component is scoped, never empty, to app-ids that a backend pod carries", () => {
      const appIds = new Set(
        podTemplates(objects)
          .map((t) => (t.owner as IDeployment).spec?.template.metadata?.annotations ?? {})
          .filter((a) => a["dapr.io/enabled"] === "true")
          .map((a) => a["dapr.io/app-id"]),
      );
      assert.deepEqual([...appIds], [settings.dapr.appId]);
      for (const component of components(objects)) {
        assert.ok(component.scopes.length > 0, `${component.metadata.name}: no scopes`);
        for (const scope of component.scopes) assert.ok(appIds.has(scope), `${component.metadata.name}: scope ${scope} is no pod's app-id`);
      }
    });

    it("every Component is a v1 Redis store in the environment's namespace, its credential a secretKeyRef to a declared Secret", () => {
      const declared = new Map(externalSecrets(settings).map((s) => [s.name, new Set(s.keys)]));
      assert.deepEqual(components(objects).map((c) => c.spec.type).sort(), ["pubsub.redis", "state.redis"]);
      for (const component of components(objects)) {
        assert.equal(component.metadata.namespace, settings.namespace);
        assert.equal(component.spec.version, "v1");
        assert.equal(component.auth?.secretStore, "kubernetes");
        const byName = new Map(component.spec.metadata.map((m) => [m.name, m]));
        assert.equal((byName.get("redisHost") as { value: string }).value, `todo-redis.${settings.namespace}.svc.cluster.local:6379`);
        for (const item of component.spec.metadata) {
          if ("secretKeyRef" in item) {
            const { name, key } = item.secretKeyRef;
            assert.ok(declared.get(name)?.has(key), `${component.metadata.name}: ${name}/${key} is not a declared Secret key`);
          } else {
            assert.ok(!/password|secret|token|key/i.test(item.name), `${component.metadata.name}: ${item.name} is written in plain text`);
          }
        }
        assert.ok("secretKeyRef" in byName.get("redisPassword")!, "the Redis password is a secretKeyRef");
      }
    });

    it("Redis reads its password from the same declared Secret, and the Service the Components name selects it", () => {
      const redis = find<IDeployment>(objects, "Deployment", "todo-redis").spec!.template.spec!;
      const refs = redis.containers.flatMap((c) => c.env ?? []).map((e) => e.valueFrom?.secretKeyRef).filter(Boolean);
      assert.deepEqual(refs.map((r) => `${r!.name}/${r!.key}`), ["todo-redis-secret/REDIS_PASSWORD"]);
      const mounted = redis.volumes!.flatMap((v) => (v.secret ? (v.secret.items ?? []).map((i) => `${v.secret!.secretName}/${i.key}`) : []));
      assert.deepEqual(mounted, ["todo-redis-secret/REDIS_PASSWORD"], "the server reads the same key from a file");
      assert.ok(!JSON.stringify(objects).includes("requirepass"), "no password on a command line");
    });

    it("mTLS is switched on where Dapr reads it, the control plane's chart values; the app's Configuration has no mtls block", () => {
      const configuration = find<DaprConfiguration>(objects, "Configuration", DAPR_CONFIGURATION);
      assert.equal(backendPod(objects).metadata!.annotations!["dapr.io/config"], DAPR_CONFIGURATION);
      // Dapr reads mTLS only from dapr-system's daprsystem Configuration; here it would do nothing.
      assert.equal("mtls" in configuration.spec, false, "an mtls block in an app namespace's Configuration is ignored by Dapr");
      const values = daprValues(settings.cluster) as { global: { mtls: Record<string, unknown> } };
      assert.deepEqual(values.global.mtls, { enabled: true, workloadCertTTL: "24h", allowedClockSkew: "15m", controlPlaneTrustDomain: "cluster.local" });
    });

    it("the Dapr objects sync after RBAC and before the NetworkPolicies, and tolerate missing CRDs at dry run", () => {
      const wave = (o: KubeObject) => Number(o.metadata!.annotations!["argocd.argoproj.io/sync-wave"]);
      const max = (kinds: string[]) => Math.max(...objects.filter((o) => kinds.includes(o.kind) && !o.apiVersion.startsWith("dapr.io")).map(wave), -Infinity);
      const min = (kinds: string[]) => Math.min(...objects.filter((o) => kinds.includes(o.kind)).map(wave));
      const configuration = wave(find(objects, "Configuration", DAPR_CONFIGURATION));
      const componentWaves = new Set(components(objects).map(wave));
      assert.equal(componentWaves.size, 1);
      assert.ok(max(["ServiceAccount", "Role", "RoleBinding", "ConfigMap"]) < configuration);
      assert.ok(configuration < [...componentWaves][0]!);
      assert.ok([...componentWaves][0]! < min(["NetworkPolicy"]));
      for (const object of daprObjects(objects)) {
        assert.equal(object.metadata!.annotations!["argocd.argoproj.io/sync-options"], "SkipDryRunOnMissingResource=true");
      }
    });

    it("the sidecar reaches Redis and the control plane on their ports; nothing reaches the sidecar; no one else reaches either", () => {
      const { controlPlane, namespace } = settings.cluster.dapr;
      const pods = podTemplates(objects).map(
        (t, i): Endpoint => ({ name: t.labels["app.kubernetes.io/name"]!, namespace: settings.namespace, labels: t.labels, ip: `10.244.0.${i + 10}` }),
      );
      const pod = (name: string) => pods.find((p) => p.name === name)!;
      const control = Object.entries(controlPlane).map(([name, service], i) => ({
        endpoint: { name, namespace, labels: { ...service.podLabels }, ip: `10.244.3.${i + 2}` } as Endpoint,
        port: service.port,
      }));
      const backend = pod("todo-backend");
      for (const { endpoint, port } of control) {
        assert.ok(isAllowed(objects, backend, endpoint, port), `backend -> ${endpoint.name}:${port}`);
        assert.ok(!isAllowed(objects, backend, endpoint, port + 1), `backend -> ${endpoint.name}:${port + 1} is open`);
        for (const other of pods.filter((p) => p !== backend)) {
          assert.ok(!isAllowed(objects, other, endpoint, port), `${other.name} -> ${endpoint.name}:${port} is open`);
        }
      }
      assert.ok(isAllowed(objects, backend, pod("todo-redis"), 6379));
      for (const other of pods.filter((p) => p.name !== "todo-backend")) assert.ok(!isAllowed(objects, other, pod("todo-redis"), 6379), `${other.name} -> redis`);
      // The sidecar's HTTP and gRPC APIs, internal gRPC, health and metrics ports: opened to no one.
      const sources = [...control.map((c) => c.endpoint), ...pods, { name: "another-dapr-app", namespace: "default", labels: { app: "x" }, ip: "10.244.4.2" }];
      for (const port of [3500, 3501, 50001, 50002, 9090]) {
        for (const source of sources.filter((s) => s !== backend)) {
          assert.ok(!isAllowed(objects, source, backend, port), `${source.name} -> sidecar:${port} is open`);
        }
      }
    });

    it("the injected sidecar is admitted by the restricted Pod Security Standard and fits the LimitRange", () => {
      // What Dapr 1.16's injector puts on daprd, rebuilt from what we control: the chart's values
      // (sidecarRunAsNonRoot, sidecarReadOnlyRootFilesystem, sidecarDropALLCapabilities) and the pod's
      // annotations (seccomp profile, resources). allowPrivilegeEscalation: false the injector always sets;
      // it is stated here for completeness, not checked.
      const injector = (daprValues(settings.cluster) as { dapr_sidecar_injector: Record<string, boolean> }).dapr_sidecar_injector;
      const pod = backendPod(objects);
      const annotations = pod.metadata!.annotations!;
      const sidecar: IContainer = {
        name: "daprd",
        securityContext: {
          allowPrivilegeEscalation: false,
          runAsNonRoot: injector.sidecarRunAsNonRoot,
          readOnlyRootFilesystem: injector.sidecarReadOnlyRootFilesystem,
          ...(injector.sidecarDropALLCapabilities ? { capabilities: { drop: ["ALL"] } } : {}),
          ...(annotations["dapr.io/sidecar-seccomp-profile-type"] ? { seccompProfile: { type: annotations["dapr.io/sidecar-seccomp-profile-type"] as "RuntimeDefault" } } : {}),
        },
        resources: {
          requests: { cpu: annotations["dapr.io/sidecar-cpu-request"]!, memory: annotations["dapr.io/sidecar-memory-request"]! },
          limits: { cpu: annotations["dapr.io/sidecar-cpu-limit"]!, memory: annotations["dapr.io/sidecar-memory-limit"]! },
        },
      };
      const sc = sidecar.securityContext!;
      const podSc = pod.spec!.securityContext!;
      assert.deepEqual(sc.capabilities?.drop, ["ALL"], "sidecarDropALLCapabilities");
      assert.equal(sc.runAsNonRoot ?? podSc.runAsNonRoot, true);
      assert.ok((sc.runAsUser ?? podSc.runAsUser ?? 0) > 0, "the sidecar inherits a non-root UID from the pod");
      assert.equal(sc.seccompProfile?.type ?? podSc.seccompProfile?.type, "RuntimeDefault");
      assert.equal(sc.readOnlyRootFilesystem, true);
      assert.deepEqual(sidecar.resources, settings.dapr.sidecar.resources);
      // No API token is mounted, so the sidecar must not start its built-in Kubernetes secret store.
      assert.equal(pod.spec!.automountServiceAccountToken, false);
      assert.equal(annotations["dapr.io/disable-builtin-k8s-secret-store"], "true");
      assert.equal(annotations["dapr.io/app-port"], String(pod.spec!.containers[0]!.ports![0]!.containerPort));
    });
  });
}

describe("Dapr objects validate strictly", async () => {
  const devObjects = (await renderedFixture()).objects.get("dev")!;
  const component = find(devObjects, "Component", STATE_STORE);
  const configuration = find(devObjects, "Configuration", DAPR_CONFIGURATION);

  it("as rendered", async () => {
    for (const object of daprObjects(devObjects)) assert.deepEqual(await problemsOf(object), [], `${object.kind} ${object.metadata!.name}`);
  });

  it("rejects an unknown field, naming its path", async () => {
    const typo = withChange(component, (c) => (c.spec.metadata[1].secretKeyRef.keyy = "x"));
    assert.deepEqual(await problemsOf(typo), ["spec.metadata[1].secretKeyRef.keyy: unknown field (not in the dapr.io/v1alpha1/Component schema)"]);
    const misplaced = withChange(configuration, (c) => (c.spec.metric.enable = true));
    assert.deepEqual(await problemsOf(misplaced), ["spec.metric.enable: unknown field (not in the dapr.io/v1alpha1/Configuration schema)"]);
    // mTLS set in an app namespace would be silently ignored by Dapr: refused like a typo.
    const ignored = withChange(configuration, (c) => (c.spec.mtls = { enabled: true }));
    assert.deepEqual(await problemsOf(ignored), ["spec.mtls: unknown field (not in the dapr.io/v1alpha1/Configuration schema)"]);
  });

  it("rejects a missing required field, a wrong type and empty scopes", async () => {
    const cases: [KubeObject, RegExp][] = [
      [withChange(component, (c) => delete c.spec.version), /spec\.version: required field is missing/],
      [withChange(component, (c) => delete c.spec.metadata[0].name), /spec\.metadata\[0\]\.name: required field is missing/],
      [withChange(component, (c) => delete c.spec.metadata[1].secretKeyRef.key), /spec\.metadata\[1\]\.secretKeyRef\.key: required field is missing/],
      [withChange(component, (c) => (c.scopes = [])), /scopes: must hold at least 1 item/],
      [withChange(component, (c) => delete c.scopes), /scopes: required field is missing/],
      [withChange(component, (c) => (c.auth = {})), /auth\.secretStore: required field is missing/],
      [withChange(configuration, (c) => delete c.spec.metric.enabled), /spec\.metric\.enabled: required field is missing/],
      [withChange(configuration, (c) => (c.spec.metric.enabled = "true")), /spec\.metric\.enabled: must be a boolean/],
      [withChange(configuration, (c) => (c.spec.tracing = { stdout: true })), /spec\.tracing\.samplingRate: required field is missing/],
    ];
    for (const [object, expected] of cases) {
      const problems = await problemsOf(object);
      assert.equal(problems.length, 1, `${expected}: ${problems.join("; ")}`);
      assert.match(problems[0]!, /^schema: dapr\.io\/v1alpha1\/(Component|Configuration) is invalid: /);
      assert.match(problems[0]!, expected);
    }
  });
});

describe("Dapr settings rules", () => {
  const problem = async (change: unknown) => (await problemsWith("dev", { settings: change })).map((p) => `${p.path} = ${JSON.stringify(p.value)}: ${p.rule}`);

  it("refuse a bad app-id, sidecar requests above limits, an unpinned Redis and a bad sampling rate", async () => {
    assert.match((await problem({ dapr: { appId: "Todo.Backend" } })).join("\n"), /^dapr\.appId = "Todo\.Backend": must be a DNS-1123 label/m);
    assert.match((await problem({ dapr: { sidecar: { resources: { requests: { memory: "1Gi" } } } } })).join("\n"), /dapr\.sidecar\.resources\.requests\.memory = "1Gi": must not exceed the limit \(512Mi\)/);
    assert.match((await problem({ dapr: { redis: { image: { tag: "latest" } } } })).join("\n"), /dapr\.redis\.image\.tag = "latest": .*pinned/);
    assert.match((await problem({ dapr: { tracing: { enabled: true, samplingRate: "2" } } })).join("\n"), /dapr\.tracing\.samplingRate = "2": must be a decimal from 0 to 1/);
    assert.match((await problem({ dapr: { sidecar: { resources: { limits: { cpu: "4" } } } } })).join("\n"), /dapr\.sidecar\.resources\.limits\.cpu = "4": must not exceed the LimitRange maximum/);
    assert.deepEqual(await problem({ dapr: { tracing: { enabled: true, samplingRate: "0.25" } } }), []);
  });

  it("count the sidecar in every backend pod, and Redis, against the quota", async () => {
    // A quota too small for anything reports what the workloads need: Dapr adds two sidecars
    // (the backend and its surge pod, 100m each) and Redis with its surge pod (50m each).
    const needs = async (dapr: boolean) => {
      const [message] = await problem({ dapr: { enabled: dapr }, namespaceSettings: { quota: { "requests.cpu": "1m" } } });
      return Number(/they need ([\d.]+) cores/.exec(message ?? "")?.[1]);
    };
    const extra = (await needs(true)) - (await needs(false));
    assert.ok(Math.abs(extra - 0.3) < 1e-9, `Dapr adds ${extra} cores of requests, expected 0.3`);
    const pods = async (dapr: boolean) => Number(/up to (\d+) pods/.exec((await problem({ dapr: { enabled: dapr }, namespaceSettings: { quota: { pods: "1" } } }))[0] ?? "")?.[1]);
    assert.equal((await pods(true)) - (await pods(false)), 2, "Redis and its surge pod; the sidecars are not pods");
  });
});

describe("the Dapr control-plane Application", () => {
  it("pins the official chart to 1.16.x in dapr-system, creates the namespace, applies server-side", () => {
    const app: IApplication = daprApplication(dev.cluster, dev.partOf);
    const source = app.spec!.source!;
    assert.equal(source.repoURL, "https://dapr.github.io/helm-charts/");
    assert.equal(source.chart, "dapr");
    assert.match(source.targetRevision!, /^1\.16\.\d+$/);
    assert.equal(app.spec!.destination!.namespace, "dapr-system");
    assert.ok(app.spec!.syncPolicy!.syncOptions!.includes("CreateNamespace=true"));
    assert.ok(app.spec!.syncPolicy!.syncOptions!.includes("ServerSideApply=true"));
    assert.equal(app.metadata!.finalizers, undefined, "deleting the Application must not delete the CRDs");
  });

  it("lets the operator own the Subscription CRD's conversion webhook: its namespace and CA bundle, with self-heal respecting that", () => {
    const app: IApplication = daprApplication(dev.cluster, dev.partOf);
    const crd = app.spec!.ignoreDifferences!.find((d) => d.kind === "CustomResourceDefinition" && d.name === "subscriptions.dapr.io");
    // The chart ships `namespace: replaceme`, which the operator patches to dapr-system at start.
    assert.deepEqual(crd?.jsonPointers?.sort(), ["/spec/conversion/webhook/clientConfig/caBundle", "/spec/conversion/webhook/clientConfig/service/namespace"]);
    assert.equal(crd?.group, "apiextensions.k8s.io");
    assert.ok(app.spec!.syncPolicy!.syncOptions!.includes("RespectIgnoreDifferences=true"), "self-heal would otherwise write the ignored fields back");
  });

  it("renders only while an environment uses Dapr, before that environment's Application", async () => {
    const { files } = await renderedFixture();
    const wave = (path: string) => Number(/sync-wave: "(-?\d+)"/.exec(files.get(path) ?? "")?.[1] ?? 0);
    assert.ok(files.has("argocd/apps/application-dapr.yaml"), "no Dapr control-plane Application");
    assert.ok(files.has("argocd/bootstrap/appproject-dapr.yaml"), "no Dapr AppProject");
    assert.ok(
      wave("argocd/bootstrap/appproject-dapr.yaml") < wave("argocd/apps/application-dapr.yaml"),
      "the dapr project must exist before its Application",
    );
    assert.ok(
      wave("argocd/apps/application-dapr.yaml") < wave("argocd/apps/application-todo-dev.yaml"),
      "the control plane (and its CRDs) must sync before dev's Components",
    );
    assert.ok(
      files.get("argocd/bootstrap/appproject-dapr.yaml")!.includes("- https://dapr.github.io/helm-charts/"),
      "the dapr project must admit the official chart repository",
    );
    assert.ok(
      !files.get("argocd/bootstrap/appproject-todo-dev.yaml")!.includes("dapr-system"),
      "dev's project must not reach into dapr-system",
    );
    // An environment's project admits the Dapr kinds only while it renders them.
    const project = files.get("argocd/bootstrap/appproject-todo-dev.yaml")!;
    assert.match(project, /group: dapr\.io\n\s+kind: Component/);
    assert.match(project, /group: dapr\.io\n\s+kind: Configuration/);
    assert.doesNotMatch(files.get("argocd/bootstrap/appproject-todo-prod.yaml")!, /dapr\.io/, "prod renders no Dapr object");
  });

  it("in the committed render, exists exactly while some environment has Dapr on (whatever the user's environments say)", async () => {
    const { files } = await renderedRepository();
    const anyDapr = (await environments()).some((e) => e.settings.dapr.enabled);
    assert.equal(files.has("argocd/apps/application-dapr.yaml"), anyDapr);
    assert.equal(files.has("argocd/bootstrap/appproject-dapr.yaml"), anyDapr);
  });

  it("asks the injector for restricted-PSS sidecars", () => {
    assert.deepEqual((daprValues(dev.cluster) as Record<string, unknown>).dapr_sidecar_injector, {
      sidecarRunAsNonRoot: true,
      sidecarReadOnlyRootFilesystem: true,
      sidecarDropALLCapabilities: true,
    });
    assert.equal(daprPodAnnotations(dev)["dapr.io/sidecar-seccomp-profile-type"], "RuntimeDefault");
  });
});
