/**
 * clusters/<name>/cluster.ts is checked against its declaration when it is
 * loaded, exactly as an environment file is: unknown keys, wrong types and
 * the rule of each fact, with the file, the path, the value and the rule.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as z from "zod";
import { minikube } from "../clusters/minikube/cluster.ts";
import { clusterFactsSchema } from "./cluster-facts.ts";
import { formatProblem } from "./errors.ts";
import { loadCluster } from "./load/environments.ts";
import { formatPath } from "./settings/problems.ts";
import { resolveCluster } from "./settings/resolve.ts";
import { merge } from "./testing/merge.ts";

const problemsWith = (change: unknown) => resolveCluster("minikube", merge(minikube, change)).problems;

describe("a cluster's facts", () => {
  it("the committed cluster's pass, loaded as the commands load them", async () => {
    assert.deepEqual(resolveCluster("minikube", minikube).problems, []);
    assert.deepEqual(await loadCluster("minikube"), JSON.parse(JSON.stringify(minikube)));
  });

  /** [title, change, path, value, rule] */
  const cases: [string, unknown, string, unknown, RegExp][] = [
    ["a misspelt fact", { cpuz: 4 }, "cpuz", 4, /^unknown fact; did you mean cpus\?$/],
    ["a misspelt fact inside another", { git: { repoUrl: "https://example.com/a.git" } }, "git.repoUrl", "https://example.com/a.git", /unknown fact; did you mean repoURL\?/],
    ["CPUs as a word", { cpus: "four" }, "cpus", "four", /^must be an integer from 2 to 256/],
    ["one CPU, below minikube's minimum", { cpus: 1 }, "cpus", 1, /minikube needs 2 at least/],
    ["memory as a fraction", { memoryMiB: 4096.5 }, "memoryMiB", 4096.5, /must be an integer from 1800/],
    ["a Kubernetes version without its v and patch", { kubernetesVersion: "1.35" }, "kubernetesVersion", "1.35", /^must be v<major>\.<minor>\.<patch>/],
    ["a Kubernetes version that moves", { kubernetesVersion: "stable" }, "kubernetesVersion", "stable", /pinned/],
    ["a repository URL that is none", { git: { repoURL: "not a url" } }, "git.repoURL", "not a url", /^must be a Git repository URL Argo CD can fetch/],
    ["a repository URL without a path", { git: { repoURL: "https://github.com" } }, "git.repoURL", "https://github.com", /Git repository URL/],
    ["a revision with a space", { git: { targetRevision: "my branch" } }, "git.targetRevision", "my branch", /branch, tag or commit SHA/],
    ["a profile name minikube refuses", { profile: "todo_local" }, "profile", "todo_local", /minikube profile name/],
    ["a CNI that ignores NetworkPolicy", { cni: { name: "kindnet" } }, "cni.name", "kindnet", /calico or cilium/],
    ["cri-o", { containerRuntime: "cri-o" }, "containerRuntime", "cri-o", /docker or containerd/],
    ["a pod CIDR with host bits", { podCIDR: "10.244.0.1/16" }, "podCIDR", "10.244.0.1/16", /network address/],
    ["a pull policy that does not exist", { allowedPullPolicies: ["Sometimes"] }, "allowedPullPolicies[0]", "Sometimes", /must be one of Always, IfNotPresent, Never/],
    ["no pull policy", { allowedPullPolicies: [] }, "allowedPullPolicies", [], /at least one/],
    ["an API server over http", { server: "http://kubernetes.default.svc" }, "server", "http://kubernetes.default.svc", /https:\/\//],
    ["a namespace in capitals", { argocdNamespace: "ArgoCD" }, "argocdNamespace", "ArgoCD", /DNS-1123 label/],
    ["a pod label value Kubernetes refuses", { dns: { podLabels: { "k8s-app": "kube dns" } } }, 'dns.podLabels.k8s-app', "kube dns", /pod label value/],
    ["a port out of range", { dapr: { controlPlane: { sentry: { port: 70000 } } } }, "dapr.controlPlane.sentry.port", 70000, /from 1 to 65535/],
    ["a chart version range", { certManager: { chart: { version: "^1.21" } } }, "certManager.chart.version", "^1.21", /chart version/],
    ["a duration without a unit", { dapr: { mtls: { workloadCertTTL: "24" } } }, "dapr.mtls.workloadCertTTL", "24", /duration/],
    ["a solver request that is not a quantity", { certManager: { http01Solver: { resources: { requests: { cpu: "a bit" } } } } }, "certManager.http01Solver.resources.requests.cpu", "a bit", /quantity/],
    ["an addon listed twice", { addons: ["ingress", "ingress"] }, "addons", ["ingress", "ingress"], /twice/],
    ["a name that is not its directory's", { name: "kind" }, "name", "kind", /^must be the name of its directory, clusters\/minikube\//],
  ];
  for (const [title, change, path, value, rule] of cases) {
    it(`refuses ${title}`, () => {
      const problems = problemsWith(change);
      const problem = problems.find((p) => p.path === path);
      assert.ok(problem, `no problem at ${path}: ${problems.map(formatProblem).join("; ")}`);
      assert.equal(problem.file, "clusters/minikube/cluster.ts");
      assert.deepEqual(problem.value, value);
      assert.match(problem.rule, rule);
      assert.ok(formatProblem(problem).startsWith(`cluster minikube: clusters/minikube/cluster.ts: ${path} = `), formatProblem(problem));
    });
  }

  it("accepts the other forms of a Git URL Argo CD takes", () => {
    for (const repoURL of ["git@github.com:me/todo-gitops.git", "ssh://git@gitlab.example.com/me/todo-gitops.git", "http://gitea.local:3000/me/todo-gitops"]) {
      assert.deepEqual(problemsWith({ git: { repoURL } }), [], repoURL);
    }
  });

  it("refuses a wrong type at every fact (true: no fact is a boolean), naming its path", () => {
    const declared = z.toJSONSchema(clusterFactsSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
    const leaves = (schema: Record<string, unknown>, path: string[] = []): string[][] => {
      const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
      if (schema.type === "object" && properties) return Object.entries(properties).flatMap(([key, child]) => leaves(child, [...path, key]));
      return [path];
    };
    const missed: string[] = [];
    const all = leaves(declared);
    assert.ok(all.length > 40, `only ${all.length} facts`);
    for (const path of all) {
      const problems = problemsWith(path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), true));
      if (!problems.some((p) => p.path === formatPath(path) && /^must /.test(p.rule))) missed.push(`${formatPath(path)}: ${problems.map(formatProblem).join("; ") || "accepted"}`);
    }
    assert.deepEqual(missed, []);
  });
});
