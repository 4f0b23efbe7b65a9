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

  it("one per environment, on manifests/<env>, recursing, with the resources finalizer and 10 revisions of history", () => {
    const environments = readdirSync(join(REPO_ROOT, "manifests")).sort();
    const perEnv = applications.filter((a) => a.spec!.project === "todo");
    assert.deepEqual(perEnv.map((a) => a.spec!.source!.path).sort(), environments.map((e) => `manifests/${e}`));
    for (const app of perEnv) {
      assert.deepEqual(app.spec!.source!.directory, { recurse: true });
      assert.ok(app.metadata!.finalizers!.includes("resources-finalizer.argocd.argoproj.io"));
      assert.equal(app.spec!.revisionHistoryLimit, 10);
      assert.ok(app.spec!.syncPolicy!.retry!.backoff, "retries back off");
      assert.ok(app.spec!.syncPolicy!.syncOptions!.includes("PruneLast=true"));
    }
  });

  it("dev syncs automatically with prune and self-heal; prod syncs by hand so the UI can roll back", () => {
    const byName = new Map(applications.map((a) => [a.metadata!.name!, a]));
    assert.deepEqual(byName.get("todo-dev")!.spec!.syncPolicy!.automated, { prune: true, selfHeal: true });
    assert.equal(byName.get("todo-prod")!.spec!.syncPolicy!.automated, undefined);
  });

  it("ignores the replica count of every Deployment an HPA scales, and only those", () => {
    for (const app of applications.filter((a) => a.spec!.project === "todo")) {
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

  it("todo: this repository only, todo-* namespaces in-cluster only, Namespace as the only cluster-scoped kind", () => {
    const spec = projects.get("todo")!.spec!;
    assert.deepEqual(spec.sourceRepos, [minikube.git.repoURL]);
    assert.deepEqual(spec.destinations, [{ server: minikube.server, namespace: "todo-*" }]);
    assert.deepEqual(spec.clusterResourceWhitelist, [{ group: "", kind: "Namespace" }]);
    assert.ok(!spec.namespaceResourceWhitelist!.some((gk) => gk.kind === "*" || gk.group === "*"));
  });
});
