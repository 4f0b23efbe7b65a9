import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { IAppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import { parse } from "yaml";
import { minikube } from "../../clusters/minikube/cluster.ts";
import { REPO_ROOT } from "../load/environments.ts";
import type { KubeObject } from "../kube-object.ts";
import { podSecurityLabels } from "../lib/pod-security.ts";
import { renderedFixture } from "../testing/fixtures.ts";
import { KINDS, kindKey } from "../validation/kinds.ts";

/** Reads what is committed, as Argo CD would: every YAML file under a directory, recursively. */
function objectsUnder(dir: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const entry of readdirSync(join(REPO_ROOT, dir))) {
    const path = join(dir, entry);
    if (statSync(join(REPO_ROOT, path)).isDirectory()) out.push(...objectsUnder(path));
    else if (entry.endsWith(".yaml")) out.push(parse(readFileSync(join(REPO_ROOT, path), "utf8")) as KubeObject);
  }
  return out;
}

const apps = objectsUnder("argocd/apps");
const bootstrap = objectsUnder("argocd/bootstrap");
const applications = [...apps, ...bootstrap].filter((o) => o.kind === "Application") as (IApplication & KubeObject)[];
const projects = new Map(([...apps, ...bootstrap].filter((o) => o.kind === "AppProject") as (IAppProject & KubeObject)[]).map((p) => [p.metadata!.name!, p]));

/**
 * The fixture's Applications (dev, staging and prod as shipped), from its
 * render's argocd/ files: for what the shipped environments choose (dev syncs
 * by itself, prod by hand, dev runs Dapr), which a team may change.
 */
const fixtureApplications = new Map(
  [...(await renderedFixture()).files]
    .filter(([path]) => /^argocd\/(apps|bootstrap)\/.*\.yaml$/.test(path))
    .map(([, text]) => parse(text) as KubeObject)
    .filter((o): o is IApplication & KubeObject => o.kind === "Application")
    .map((a) => [a.metadata!.name!, a]),
);

function glob(pattern: string, value: string): boolean {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(value);
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
}

describe("Argo CD Applications", () => {
  it("point at a directory that exists, in the repository and revision of the cluster settings", () => {
    assert.ok(applications.length >= 4);
    for (const app of applications) {
      const source = app.spec!.source!;
      assert.equal(app.spec!.destination!.server, minikube.server);
      // A control plane from its official chart: exactly the chart and version the cluster facts pin.
      if (app.metadata!.name === "dapr") {
        const { repoURL, name, version } = minikube.dapr.chart;
        assert.deepEqual([source.repoURL, source.chart, source.targetRevision], [repoURL, name, version]);
        continue;
      }
      if (app.metadata!.name === "cert-manager") {
        const { repoURL, name, version } = minikube.certManager.chart;
        assert.deepEqual([source.repoURL, source.chart, source.targetRevision], [repoURL, name, version]);
        continue;
      }
      if (app.metadata!.name === "sealed-secrets") {
        const { repoURL, path, targetRevision } = minikube.sealedSecrets.chart;
        assert.deepEqual([source.repoURL, source.path, source.targetRevision], [repoURL, path, targetRevision]);
        continue;
      }
      assert.equal(source.repoURL, minikube.git.repoURL, app.metadata!.name);
      assert.equal(source.targetRevision, minikube.git.targetRevision, app.metadata!.name);
      if (source.path) assert.ok(existsSync(join(REPO_ROOT, source.path)), `${app.metadata!.name}: ${source.path} does not exist`);
      assert.equal(app.spec!.destination!.server, minikube.server);
    }
  });

  it("one per environment, on manifests/<env>, recursing, kept unless deleted on purpose, with 10 revisions of history", () => {
    const environments = readdirSync(join(REPO_ROOT, "manifests")).sort();
    const perEnv = applications.filter((a) => a.spec!.source!.path?.startsWith("manifests/"));
    assert.deepEqual(perEnv.map((a) => a.spec!.source!.path).sort(), environments.map((e) => `manifests/${e}`));
    for (const app of perEnv) {
      assert.deepEqual(app.spec!.source!.directory, { recurse: true });
      assert.equal(app.metadata!.finalizers, undefined, "deleting the Application must not delete the environment");
      assert.equal(app.metadata!.annotations!["argocd.argoproj.io/sync-options"], "Prune=false,Delete=false");
      assert.equal(app.spec!.revisionHistoryLimit, 10);
      assert.ok(app.spec!.syncPolicy!.retry!.backoff, "retries back off");
      assert.ok(app.spec!.syncPolicy!.syncOptions!.includes("PruneLast=true"));
    }
  });

  it("dev syncs automatically with prune and self-heal; prod syncs by hand so the UI can roll back (the fixture)", () => {
    const byName = fixtureApplications;
    assert.deepEqual(byName.get("todo-dev")!.spec!.syncPolicy!.automated, { prune: true, selfHeal: true });
    assert.equal(byName.get("todo-prod")!.spec!.syncPolicy!.automated, undefined);
  });

  it("ignores the replica count of every Deployment an HPA scales, and only those", () => {
    for (const app of applications.filter((a) => a.spec!.source!.path?.startsWith("manifests/"))) {
      const objects = objectsUnder(app.spec!.source!.path!);
      const scaled = objects
        .filter((o) => o.kind === "HorizontalPodAutoscaler")
        .map((o) => (o as unknown as { spec: { scaleTargetRef: { name: string } } }).spec.scaleTargetRef.name)
        .sort();
      const ignored = (app.spec!.ignoreDifferences ?? [])
        .filter((d) => d.kind === "Deployment" && d.jsonPointers?.includes("/spec/replicas"))
        .map((d) => d.name!)
        .sort();
      assert.deepEqual(ignored, scaled, app.metadata!.name);
    }
  });
});

describe("AppProjects", () => {
  it("admit every object each Application deploys: kind, cluster scope and namespace", () => {
    for (const app of applications) {
      const project = projects.get(app.spec!.project);
      assert.ok(project, `${app.metadata!.name}: no AppProject ${app.spec!.project}`);
      const spec = project.spec!;
      assert.ok(spec.sourceRepos!.includes(app.spec!.source!.repoURL), `${app.metadata!.name}: source repo refused`);
      const destinationOk = (namespace: string) =>
        spec.destinations!.some((d) => d.server === app.spec!.destination!.server && glob(d.namespace!, namespace));
      assert.ok(destinationOk(app.spec!.destination!.namespace!), `${app.metadata!.name}: destination refused`);
      // A chart's objects are not in this repository; its project lists what the chart's default values install.
      const path = app.spec!.source!.path;
      if (app.spec!.source!.repoURL !== minikube.git.repoURL || !path) continue;
      for (const object of objectsUnder(path)) {
        const what = `${app.metadata!.name}: ${object.kind} ${object.metadata?.name}`;
        const namespaced = KINDS.get(kindKey(object))?.namespaced ?? true;
        const list = namespaced ? spec.namespaceResourceWhitelist : spec.clusterResourceWhitelist;
        assert.ok(list?.some((gk) => gk.group === groupOf(object.apiVersion) && gk.kind === object.kind), `${what}: kind not admitted`);
        if (namespaced) assert.ok(destinationOk(object.metadata?.namespace ?? app.spec!.destination!.namespace!), `${what}: namespace refused`);
        else if (object.kind === "Namespace") assert.ok(destinationOk(object.metadata!.name!), `${what}: namespace refused`);
      }
    }
  });

  it("one per environment: this repository only, its own namespace in-cluster only, its own Namespace as the only cluster-scoped object", () => {
    for (const app of applications.filter((a) => a.spec!.source!.path?.startsWith("manifests/"))) {
      const environment = app.spec!.source!.path!.split("/")[1]!;
      const spec = projects.get(app.spec!.project)!.spec!;
      assert.equal(app.spec!.project, `todo-${environment}`);
      const namespace = app.spec!.destination!.namespace!;
      assert.deepEqual(spec.sourceRepos, [minikube.git.repoURL]);
      assert.deepEqual(spec.destinations, [{ server: minikube.server, namespace }]);
      assert.deepEqual(spec.clusterResourceWhitelist, [{ group: "", kind: "Namespace", name: namespace }]);
      assert.ok(!spec.namespaceResourceWhitelist!.some((gk) => gk.kind.includes("*") || gk.group.includes("*")));
    }
  });
});

describe("control planes", () => {
  const byName = new Map(applications.map((a) => [a.metadata!.name!, a]));
  const semver = (v: string) => v.split(".").map(Number) as [number, number, number];
  const atLeast = (v: string, min: string) => {
    const [a, b] = [semver(v), semver(min)];
    return a[0] !== b[0] ? a[0] > b[0] : a[1] !== b[1] ? a[1] > b[1] : a[2] >= b[2];
  };

  it("Sealed Secrets: a release with both oracle fixes, its image stated, chart at the same tag", () => {
    const app = byName.get("sealed-secrets")!;
    const { version, image, chart } = minikube.sealedSecrets;
    // /v1/verify (bitnami/sealed-secrets#2019, v0.39.0) and /v1/rotate (#2049, v0.40.0).
    assert.ok(atLeast(version, "0.40.0"), `Sealed Secrets ${version} lacks the /v1/rotate oracle fix (v0.40.0)`);
    assert.equal(app.spec!.source!.repoURL, "https://github.com/bitnami/sealed-secrets.git");
    assert.equal(app.spec!.source!.targetRevision, `v${version}`);
    assert.equal(chart.targetRevision, `v${version}`);
    const values = app.spec!.source!.helm!.valuesObject as { image: Record<string, string> };
    assert.deepEqual(values.image, { registry: image.registry, repository: image.repository, tag: version });
  });

  it("Sealed Secrets: the service proxy is bound to named subjects, never to every identity, and the NetworkPolicy is on", () => {
    const values = byName.get("sealed-secrets")!.spec!.source!.helm!.valuesObject as {
      rbac: { serviceProxier: { subjects: { kind: string; name: string }[]; create?: boolean; bind?: boolean } };
      networkPolicy: { enabled: boolean };
    };
    const subjects = values.rbac.serviceProxier.subjects;
    assert.ok(Array.isArray(subjects) && subjects.length > 0, "an empty list would fall back to nothing; a string to the chart's template");
    for (const subject of subjects) {
      assert.ok(["Group", "User"].includes(subject.kind));
      assert.doesNotMatch(subject.name, /^system:(authenticated|unauthenticated|serviceaccounts)$|^\*$/, `${subject.name} admits everyone`);
    }
    assert.equal(values.networkPolicy.enabled, true);
  });

  it("Sealed Secrets, Dapr and cert-manager: their own namespaces, created with Pod Security `restricted` at the cluster's version", () => {
    for (const [name, namespace] of [
      ["sealed-secrets", minikube.sealedSecrets.namespace],
      ["dapr", minikube.dapr.namespace],
      ["cert-manager", minikube.certManager.namespace],
    ] as const) {
      // The fixture renders all three (dev runs Dapr, staging and prod serve TLS, as shipped); the committed ones too, where a team's settings keep them.
      assert.ok(fixtureApplications.get(name), `the fixture renders no ${name} Application`);
      for (const app of [fixtureApplications.get(name), byName.get(name)]) {
        if (!app) continue;
        assert.equal(app.spec!.destination!.namespace, namespace);
        assert.notEqual(namespace, "kube-system", `${name} shares kube-system with Minikube's privileged pods`);
        assert.ok(app.spec!.syncPolicy!.syncOptions!.includes("CreateNamespace=true"), `${name}: managedNamespaceMetadata needs CreateNamespace`);
        assert.deepEqual(app.spec!.syncPolicy!.managedNamespaceMetadata!.labels, podSecurityLabels("restricted", minikube.kubernetesVersion), name);
      }
    }
  });

  it("Dapr: an exact chart version, never a range Argo CD would resolve to whatever is newest", () => {
    assert.match(minikube.dapr.chart.version, /^\d+\.\d+\.\d+$/);
    // The fixture's (dev runs Dapr as shipped), and the committed one where an environment still runs Dapr.
    for (const app of [fixtureApplications.get("dapr"), byName.get("dapr")].filter(Boolean)) assert.equal(app!.spec!.source!.targetRevision, minikube.dapr.chart.version);
    assert.ok(fixtureApplications.has("dapr"), "the fixture renders no Dapr Application");
  });

  it("Dapr: the values that make its control plane pass `restricted` stay set", () => {
    for (const app of [fixtureApplications.get("dapr")!, byName.get("dapr")].filter(Boolean)) {
      const values = app!.spec!.source!.helm!.valuesObject as { global: { seccompProfile: string } };
      // Without it the chart's pods carry no seccomp profile, which `restricted` refuses.
      assert.equal(values.global.seccompProfile, "RuntimeDefault");
    }
  });
});

describe("cert-manager control plane", async () => {
  const { problemsOf } = await import("../validation/kinds.ts");
  // The fixture's render: staging and prod serve TLS as shipped, which a team may turn off everywhere (then no cert-manager is rendered).
  const fixtureObjects = [...(await renderedFixture()).files].filter(([path]) => /^argocd\/(apps|bootstrap)\/.*\.yaml$/.test(path)).map(([, text]) => parse(text) as KubeObject);
  const applications = fixtureObjects.filter((o) => o.kind === "Application") as (IApplication & KubeObject)[];
  const projects = new Map((fixtureObjects.filter((o) => o.kind === "AppProject") as (IAppProject & KubeObject)[]).map((p) => [p.metadata!.name!, p]));
  const byName = new Map(applications.map((a) => [a.metadata!.name!, a]));
  const application = byName.get("cert-manager")!;
  const values = application?.spec!.source!.helm!.valuesObject as Record<string, any>;
  const extraObjects = ((values?.extraObjects ?? []) as string[]).map((text) => parse(text) as KubeObject & { spec: any });
  const wave = (object: KubeObject | undefined) => Number(object?.metadata?.annotations?.["argocd.argoproj.io/sync-wave"] ?? "0");
  const environmentApps = applications.filter((a) => a.spec!.source!.path?.startsWith("manifests/"));

  it("is installed while an environment serves TLS, in the control planes' wave, before every environment", () => {
    assert.ok(application, "no cert-manager Application although staging and prod serve TLS");
    assert.equal(application.spec!.destination!.namespace, minikube.certManager.namespace);
    assert.ok(environmentApps.length >= 3);
    for (const env of environmentApps) assert.ok(wave(application) < wave(env), env.metadata!.name);
    assert.equal(wave(application), wave(byName.get("dapr")));
  });

  it("installs the chart's CRDs, keeps them when the Application goes, and takes no resources finalizer", () => {
    assert.deepEqual(values.crds, { enabled: true, keep: true });
    assert.equal(application.metadata!.finalizers, undefined);
    assert.ok(application.spec!.syncPolicy!.syncOptions!.includes("ServerSideApply=true"), "the CRDs are too large for client-side apply");
    assert.ok(application.spec!.syncPolicy!.syncOptions!.includes("CreateNamespace=true"));
  });

  it("keeps its leader-election Leases in its own namespace, the project's only destination", () => {
    assert.equal(values.global.leaderElection.namespace, minikube.certManager.namespace);
    assert.deepEqual(projects.get("cert-manager")!.spec!.destinations, [{ server: minikube.server, namespace: minikube.certManager.namespace }]);
  });

  it("carries the local CA as the chart's extraObjects: self-signed issuer, then CA certificate, then CA issuer, one wave each", () => {
    assert.deepEqual(
      extraObjects.map((o) => `${o.kind}/${o.metadata!.name}`),
      ["ClusterIssuer/todo-selfsigned", "Certificate/todo-local-ca", "ClusterIssuer/todo-local-ca"],
    );
    const [selfSigned, ca, caIssuer] = extraObjects;
    assert.deepEqual(selfSigned!.spec, { selfSigned: {} });
    assert.equal(ca!.spec.isCA, true);
    assert.equal(ca!.metadata!.namespace, minikube.certManager.namespace, "a ClusterIssuer reads its CA Secret from cert-manager's namespace");
    assert.deepEqual(ca!.spec.issuerRef, { group: "cert-manager.io", kind: "ClusterIssuer", name: "todo-selfsigned" });
    assert.deepEqual(caIssuer!.spec, { ca: { secretName: ca!.spec.secretName } });
    // After the chart's own objects (wave 0: CRDs, webhook), each link Ready before the next.
    assert.deepEqual(extraObjects.map(wave), [1, 2, 3]);
  });

  it("its extraObjects are valid cert-manager objects (types, required and unknown fields)", async () => {
    for (const object of extraObjects) assert.deepEqual(await problemsOf(object), [], `${object.kind} ${object.metadata!.name}`);
  });

  it("every environment's certificate comes from an issuer that exists: the local CA, or an Issuer in its own namespace", () => {
    assert.ok(environmentApps.length >= 3);
    for (const app of environmentApps) {
      const objects = objectsUnder(app.spec!.source!.path!) as (KubeObject & { spec: any })[];
      for (const certificate of objects.filter((o) => o.kind === "Certificate")) {
        const ref = certificate.spec.issuerRef;
        const issuers = ref.kind === "ClusterIssuer" ? extraObjects : objects;
        assert.ok(
          issuers.some((o) => o.kind === ref.kind && o.metadata!.name === ref.name),
          `${app.metadata!.name}: Certificate ${certificate.metadata!.name} names ${ref.kind} ${ref.name}, which nothing renders`,
        );
      }
    }
  });

  it("its project names the local CA's ClusterIssuers (none other) and admits its Certificate, and nothing of the environments'", () => {
    const spec = projects.get("cert-manager")!.spec!;
    const clusterIssuers = spec.clusterResourceWhitelist!.filter((gk) => gk.group === "cert-manager.io" && gk.kind === "ClusterIssuer").map((gk) => gk.name);
    const rendered = extraObjects.filter((o) => o.kind === "ClusterIssuer").map((o) => o.metadata!.name);
    assert.deepEqual(clusterIssuers.sort(), rendered.sort());
    assert.ok(spec.namespaceResourceWhitelist!.some((gk) => gk.group === "cert-manager.io" && gk.kind === "Certificate"));
    assert.ok(!spec.namespaceResourceWhitelist!.some((gk) => gk.kind === "Issuer"), "an Issuer belongs to an environment's project");
    assert.deepEqual(spec.sourceRepos, [minikube.certManager.chart.repoURL]);
    assert.ok(![...spec.clusterResourceWhitelist!, ...spec.namespaceResourceWhitelist!].some((gk) => gk.kind === "*" || gk.group === "*"));
  });
});
