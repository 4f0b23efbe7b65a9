/**
 * What the rendered AppProjects let each Application do, judged with a model
 * of Argo CD's own permission checks (testing/argocd-project.ts): the
 * environments are kept apart, the control planes stay in their namespaces,
 * and nothing outside the bootstrap can widen a project.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IAppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import { parse, stringify } from "yaml";
import { minikube } from "../../clusters/minikube/cluster.ts";
import type { KubeObject } from "../kube-object.ts";
import { renderEnvironment } from "../render.ts";
import type { Settings } from "../settings.ts";
import { kindPermitted, objectPermitted, sourcePermitted } from "../testing/argocd-project.ts";
import { environments, fixtureEnvironments, merge, renderedFixture, renderedRepository } from "../testing/fixtures.ts";
import { argocdApps, argocdProjects } from "./argocd.ts";
import { servesTls, usesAcme } from "./tls.ts";

const { files } = await renderedRepository();
const rendered = await environments();
/** The fixture (dev, staging and prod as shipped, staging and prod on the local CA), for what a team's settings may change. */
const fixture = await fixtureEnvironments();
const fixtureObjects = [...(await renderedFixture()).files].filter(([path]) => /^argocd\/(apps|bootstrap)\//.test(path)).map(([, yaml]) => parse(yaml) as KubeObject);
const fixtureProjects = projectsIn(fixtureObjects);
const fixtureApplications = fixtureObjects.filter((o) => o.kind === "Application") as (IApplication & KubeObject)[];

/**
 * The fixture with staging on Let's Encrypt, as a real cluster would
 * run it: staging then renders an ACME Issuer, which its project must admit
 * and no other project may. Its Argo CD objects come from the functions the
 * render uses, through YAML as Argo CD would read them.
 */
const acmeStaging: Settings = merge(fixture.find(({ settings }) => settings.name === "staging")!.settings, {
  ingress: { host: "staging.todo.example.com", tls: { issuer: "letsencrypt", acmeEmail: "ops@todo.example.com" } },
});
const acmeRendered = fixture.map((environment) =>
  environment.settings.name === "staging" ? { settings: acmeStaging, objects: renderEnvironment(acmeStaging) } : environment,
);
const throughYaml = (objects: KubeObject[]) => objects.map((object) => parse(stringify(object)) as KubeObject);

/** The rendered objects of one argocd/ directory, as Argo CD or kubectl would read them. */
function objectsIn(dir: string): KubeObject[] {
  return [...files].filter(([path]) => path.startsWith(`${dir}/`)).map(([, yaml]) => parse(yaml) as KubeObject);
}

const apps = objectsIn("argocd/apps");
const bootstrap = objectsIn("argocd/bootstrap");
const all = [...apps, ...bootstrap];
const applications = all.filter((o) => o.kind === "Application") as (IApplication & KubeObject)[];
const projects = projectsIn(all);

function projectsIn(objects: KubeObject[]): Map<string, IAppProject & KubeObject> {
  return new Map((objects.filter((o) => o.kind === "AppProject") as (IAppProject & KubeObject)[]).map((p) => [p.metadata!.name!, p]));
}

function projectOf(app: IApplication, among = projects): NonNullable<IAppProject["spec"]> {
  const project = among.get(app.spec!.project);
  assert.ok(project, `${app.metadata!.name}: no AppProject ${app.spec!.project} is rendered`);
  return project.spec!;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
}

const environmentNamespaces = rendered.map(({ settings }) => settings.namespace);
/** Namespaces an environment must never reach: the others', the control planes', the cluster's own, and new ones. */
const otherNamespaces = [
  ...environmentNamespaces,
  minikube.argocdNamespace,
  minikube.dapr.namespace,
  minikube.sealedSecrets.namespace,
  minikube.certManager.namespace,
  "kube-system",
  "default",
  "ingress-nginx",
  "todo-x",
  "x",
];

/** Cluster-scoped kinds worth having for anyone escaping a namespace. */
const CLUSTER_KINDS = [
  { group: "", kind: "Namespace" },
  { group: "", kind: "PersistentVolume" },
  { group: "", kind: "Node" },
  { group: "rbac.authorization.k8s.io", kind: "ClusterRole" },
  { group: "rbac.authorization.k8s.io", kind: "ClusterRoleBinding" },
  { group: "apiextensions.k8s.io", kind: "CustomResourceDefinition" },
  { group: "admissionregistration.k8s.io", kind: "MutatingWebhookConfiguration" },
  { group: "admissionregistration.k8s.io", kind: "ValidatingWebhookConfiguration" },
  { group: "admissionregistration.k8s.io", kind: "ValidatingAdmissionPolicy" },
  { group: "scheduling.k8s.io", kind: "PriorityClass" },
  { group: "storage.k8s.io", kind: "StorageClass" },
  { group: "networking.k8s.io", kind: "IngressClass" },
  { group: "node.k8s.io", kind: "RuntimeClass" },
  { group: "apiregistration.k8s.io", kind: "APIService" },
  // Signs certificates for every namespace: cert-manager's project only.
  { group: "cert-manager.io", kind: "ClusterIssuer" },
];

/** Every cluster-scoped object some project names: each belongs to exactly one project. */
const NAMED_CLUSTER_OBJECTS = [
  ...new Map(
    [...projects.values(), ...projectsIn(argocdProjects(acmeRendered)).values()]
      .flatMap((p) => p.spec!.clusterResourceWhitelist ?? [])
      .filter((entry) => entry.name)
      .map((entry) => [`${entry.group}/${entry.kind}/${entry.name}`, { group: entry.group, kind: entry.kind, name: entry.name! }] as const),
  ).values(),
];

/** Namespaced kinds: what the environments render (Let's Encrypt's Issuer included), and what an intruder would add. */
const NAMESPACED_KINDS = [
  ...new Map(
    [...rendered, ...acmeRendered]
      .flatMap(({ objects }) => objects)
      .filter((o) => o.kind !== "Namespace")
      .map((o) => [`${groupOf(o.apiVersion)}/${o.kind}`, { group: groupOf(o.apiVersion), kind: o.kind }] as const),
  ).values(),
  { group: "", kind: "Secret" },
  { group: "", kind: "Pod" },
  { group: "rbac.authorization.k8s.io", kind: "RoleBinding" },
  { group: "argoproj.io", kind: "Application" },
];

/** The per-environment boundaries, judged on one rendering of the repository. */
function environmentBoundaries(
  label: string,
  environmentsRendered: { settings: Settings; objects: KubeObject[] }[],
  applicationsRendered: IApplication[],
  projectsRendered: Map<string, IAppProject & KubeObject>,
) {
  for (const { settings, objects } of environmentsRendered) {
    const app = applicationsRendered.find((a) => a.spec?.source?.path === `manifests/${settings.name}`);
    const projectOfApp = () => projectOf(app!, projectsRendered);

    describe(`${label}${settings.name}'s Application`, () => {
      it("exists, and its project admits its source and its own namespace", () => {
        assert.ok(app, `no Application syncs manifests/${settings.name}`);
        const spec = projectOfApp();
        assert.ok(sourcePermitted(spec, app.spec!.source!.repoURL), "source repository refused");
        assert.equal(app.spec!.destination!.namespace, settings.namespace);
        assert.ok(objectPermitted(spec, minikube.server, { group: "", kind: "ConfigMap", name: "x", namespace: settings.namespace }));
      });

      it("its project admits every object it renders, TLS's included: a Certificate with TLS on, an Issuer only with ACME", () => {
        const spec = projectOfApp();
        const refused = objects
          .filter((o) => !objectPermitted(spec, minikube.server, { group: groupOf(o.apiVersion), kind: o.kind, name: o.metadata!.name!, namespace: o.kind === "Namespace" ? undefined : settings.namespace }))
          .map((o) => `${o.kind} ${o.metadata!.name}`);
        assert.deepEqual(refused, []);
        const admits = (kind: string) => objectPermitted(spec, minikube.server, { group: "cert-manager.io", kind, name: "x", namespace: settings.namespace });
        assert.equal(admits("Certificate"), servesTls(settings), "Certificate");
        assert.equal(admits("Issuer"), usesAcme(settings), "Issuer");
      });

      it("can place no object in another environment's or any other namespace", () => {
        const spec = projectOfApp();
        const escapes = otherNamespaces
          .filter((namespace) => namespace !== settings.namespace)
          .flatMap((namespace) =>
            NAMESPACED_KINDS.filter((gk) => objectPermitted(spec, minikube.server, { ...gk, name: "x", namespace })).map(
              (gk) => `${gk.group}/${gk.kind} in ${namespace}`,
            ),
          );
        assert.deepEqual(escapes, []);
      });

      it("can create or change no Namespace but its own, and no other cluster-scoped object (no ClusterIssuer, none of cert-manager's webhooks)", () => {
        const spec = projectOfApp();
        const names = [...new Set([...otherNamespaces, settings.namespace, "kube-system", "argocd", "x"])];
        const permitted = [
          ...CLUSTER_KINDS.flatMap((gk) =>
            names.filter((name) => objectPermitted(spec, minikube.server, { ...gk, name })).map((name) => `${gk.group}/${gk.kind} ${name}`),
          ),
          ...NAMED_CLUSTER_OBJECTS.filter((object) => objectPermitted(spec, minikube.server, object)).map((o) => `${o.group}/${o.kind} ${o.name}`),
        ];
        assert.deepEqual([...new Set(permitted)], [`/Namespace ${settings.namespace}`]);
      });

      it("deploys only from this repository, only to the in-cluster API server", () => {
        const spec = projectOfApp();
        assert.equal(sourcePermitted(spec, "https://github.com/someone-else/evil.git"), false);
        assert.equal(objectPermitted(spec, "https://other-cluster.example:6443", { group: "", kind: "ConfigMap", name: "x", namespace: settings.namespace }), false);
      });
    });
  }
}

environmentBoundaries("", rendered, applications, projects);
environmentBoundaries(
  "with staging on Let's Encrypt: ",
  acmeRendered,
  throughYaml(argocdApps(acmeRendered)).filter((o) => o.kind === "Application") as IApplication[],
  projectsIn(throughYaml(argocdProjects(acmeRendered))),
);

describe("Let's Encrypt widens only the environment that uses it", () => {
  it("staging's project gains the Issuer and nothing else; every other project stays as the fixture renders it", () => {
    const widened = projectsIn(throughYaml(argocdProjects(acmeRendered)));
    assert.deepEqual([...widened.keys()].sort(), [...fixtureProjects.keys()].filter((name) => name !== "platform").sort());
    for (const [name, project] of widened) {
      const committed = fixtureProjects.get(name)!.spec!;
      if (name !== "todo-staging") {
        assert.deepEqual(project.spec, committed, name);
        continue;
      }
      const kinds = (spec: typeof committed) => spec.namespaceResourceWhitelist!.map((gk) => `${gk.group}/${gk.kind}`);
      assert.deepEqual(kinds(project.spec!).filter((k) => !kinds(committed).includes(k)), ["cert-manager.io/Issuer"]);
      assert.deepEqual(kinds(committed).filter((k) => !kinds(project.spec!).includes(k)), []);
    }
  });
});

describe("the projects themselves", () => {
  it("the default project permits nothing: no source, no destination, no kind", () => {
    const spec = projects.get("default")!.spec!;
    assert.equal(sourcePermitted(spec, minikube.git.repoURL), false);
    assert.equal(sourcePermitted(spec, "https://github.com/someone-else/evil.git"), false);
    const permitted = [
      ...otherNamespaces.flatMap((namespace) =>
        NAMESPACED_KINDS.filter((gk) => objectPermitted(spec, minikube.server, { ...gk, name: "x", namespace })).map((gk) => `${gk.kind} in ${namespace}`),
      ),
      ...CLUSTER_KINDS.filter((gk) => kindPermitted(spec, { ...gk, name: "x", namespaced: false })).map((gk) => gk.kind),
    ];
    assert.deepEqual(permitted, []);
  });

  it("the default project states every list Argo CD fills in, empty, so that applying it clears them", () => {
    // Argo CD creates `default` with sourceRepos, destinations and clusterResourceWhitelist set to `*`;
    // kubectl apply leaves a field alone unless the manifest states it.
    const spec = projects.get("default")!.spec! as Record<string, unknown>;
    for (const field of ["sourceRepos", "sourceNamespaces", "destinations", "clusterResourceWhitelist", "namespaceResourceWhitelist"]) {
      assert.deepEqual(spec[field], [], `default.spec.${field}`);
    }
    assert.match(files.get("argocd/bootstrap/appproject-default.yaml")!, /^  clusterResourceWhitelist: \[\]$/m);
  });

  it("every Application names a project of its own: none lands in `default`", () => {
    for (const app of applications) assert.notEqual(app.spec!.project ?? "default", "default", app.metadata!.name);
  });

  it("projects come only from argocd/bootstrap/: the root Application may create Applications and nothing else", () => {
    assert.deepEqual(apps.filter((o) => o.kind !== "Application").map((o) => `${o.kind} ${o.metadata?.name}`), []);
    const root = applications.find((a) => a.spec?.source?.path === "argocd/apps");
    assert.ok(root, "no root Application syncs argocd/apps");
    assert.ok(bootstrap.includes(root), "the root Application is applied by the bootstrap");
    const spec = projectOf(root);
    const namespace = root.spec!.destination!.namespace!;
    assert.equal(objectPermitted(spec, minikube.server, { group: "argoproj.io", kind: "Application", name: "x", namespace }), true);
    const refused = [{ group: "argoproj.io", kind: "AppProject" }, { group: "argoproj.io", kind: "ApplicationSet" }, ...NAMESPACED_KINDS].filter(
      (gk) => gk.kind !== "Application" && objectPermitted(spec, minikube.server, { ...gk, name: "x", namespace }),
    );
    assert.deepEqual(refused, [], "the root's project admits more than Applications");
    assert.deepEqual(CLUSTER_KINDS.filter((gk) => kindPermitted(spec, { ...gk, name: "x", namespaced: false })), []);
  });
});

describe("control-plane Applications", () => {
  for (const plane of [
    { name: "sealed-secrets", namespace: minikube.sealedSecrets.namespace },
    { name: "dapr", namespace: minikube.dapr.namespace },
    { name: "cert-manager", namespace: minikube.certManager.namespace },
  ]) {
    const app = applications.find((a) => a.metadata!.name === plane.name);
    if (!app) continue; // Dapr: only while an environment uses it
    it(`${plane.name}: namespaced objects only in ${plane.namespace}`, () => {
      const spec = projectOf(app);
      const escapes = otherNamespaces
        .filter((namespace) => namespace !== plane.namespace)
        .filter((namespace) => NAMESPACED_KINDS.some((gk) => objectPermitted(spec, minikube.server, { ...gk, name: "x", namespace })));
      assert.deepEqual(escapes, []);
    });

    it(`${plane.name}: every cluster-scoped entry names its objects (no kind-wide grant)`, () => {
      const spec = projectOf(app);
      const unnamed = (spec.clusterResourceWhitelist ?? []).filter((entry) => !entry.name || /[*?[]/.test(entry.name));
      assert.deepEqual(unnamed, []);
      for (const name of environmentNamespaces) {
        assert.equal(kindPermitted(spec, { group: "", kind: "Namespace", name, namespaced: false }), false, `may create or change Namespace ${name}`);
      }
    });

    it(`${plane.name}: no other project's cluster-scoped objects`, () => {
      const own = new Set((projectOf(app).clusterResourceWhitelist ?? []).map((entry) => `${entry.group}/${entry.kind}/${entry.name}`));
      const others = NAMED_CLUSTER_OBJECTS.filter((o) => !own.has(`${o.group}/${o.kind}/${o.name}`));
      assert.deepEqual(others.filter((o) => kindPermitted(projectOf(app), { ...o, namespaced: false })), []);
    });
  }

  it("cert-manager: present while an environment serves TLS; its project admits the local CA it carries, by name, and no Issuer", () => {
    // The fixture's: staging and prod serve TLS as shipped (a team may turn it off, and then no cert-manager is rendered).
    const app = fixtureApplications.find((a) => a.metadata!.name === "cert-manager");
    assert.ok(app, "staging and prod serve TLS");
    const spec = projectOf(app, fixtureProjects);
    const extraObjects = ((app.spec!.source!.helm!.valuesObject as { extraObjects?: string[] }).extraObjects ?? []).map((text) => parse(text) as KubeObject);
    assert.ok(extraObjects.length > 0, "staging and prod use the local CA");
    for (const object of extraObjects) {
      const what = { group: groupOf(object.apiVersion), kind: object.kind, name: object.metadata!.name!, namespace: object.metadata!.namespace };
      assert.ok(objectPermitted(spec, minikube.server, what), `${object.kind} ${object.metadata!.name}`);
    }
    assert.equal(kindPermitted(spec, { group: "cert-manager.io", kind: "ClusterIssuer", name: "x", namespaced: false }), false, "only the local CA's ClusterIssuers, by name");
    assert.equal(objectPermitted(spec, minikube.server, { group: "cert-manager.io", kind: "Issuer", name: "x", namespace: minikube.certManager.namespace }), false);
  });
});
