import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse, parseAllDocuments } from "yaml";
import { minikube } from "./cluster.ts";
import { run as bootstrap } from "./bootstrap.ts";
import { clusterFacts, ingressHosts, shellAssignments } from "./facts.ts";
import { scratchRepository } from "../../generator/testing/scratch.ts";
import { fixtureRenderDirectory } from "../../generator/testing/fixtures.ts";
import { NODE_ARGS } from "../../generator/testing/node.ts";
import { spawnSync } from "node:child_process";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** What bash sees after `eval "$assignments"`. */
function evalInBash(assignments: string, name: string): string {
  return execFileSync("bash", ["-c", `eval "$1"; printf '%s' "\${${name}}"`, "bash", assignments], { encoding: "utf8" });
}

describe("facts.ts", () => {
  const temp = mkdtempSync(join(tmpdir(), "facts-"));
  after(() => rmSync(temp, { recursive: true, force: true }));

  it("prints cluster.ts's facts, unchanged, for the scripts", async () => {
    const assignments = shellAssignments(await clusterFacts());
    assert.equal(evalInBash(assignments, "CLUSTER_PROFILE"), minikube.profile);
    assert.equal(evalInBash(assignments, "CLUSTER_KUBERNETES_VERSION"), minikube.kubernetesVersion);
    assert.equal(evalInBash(assignments, "CLUSTER_CPUS"), String(minikube.cpus));
    assert.equal(evalInBash(assignments, "CLUSTER_MEMORY_MIB"), String(minikube.memoryMiB));
    assert.equal(evalInBash(assignments, "CLUSTER_ADDONS"), minikube.addons.join(" "));
    assert.equal(evalInBash(assignments, "CLUSTER_CNI"), minikube.cni.name);
    assert.equal(evalInBash(assignments, "CLUSTER_CNI_NAMESPACE"), minikube.cni.daemonSet.namespace);
    assert.equal(evalInBash(assignments, "CLUSTER_CNI_DAEMONSET"), minikube.cni.daemonSet.name);
    assert.equal(evalInBash(assignments, "GIT_REPO_URL"), minikube.git.repoURL);
    assert.equal(evalInBash(assignments, "GIT_REVISION"), minikube.git.targetRevision);
    assert.equal(evalInBash(assignments, "ARGOCD_NAMESPACE"), minikube.argocdNamespace);
  });

  it("quotes every value so that eval expands nothing", () => {
    const nasty = `it's $(touch ${temp}/pwned) \`id\` $HOME "q" \\ *\nline two`;
    assert.equal(evalInBash(shellAssignments({ VALUE: nasty }), "VALUE"), nasty);
    assert.throws(() => shellAssignments({ "BAD-NAME": "x" }), /not a shell variable name: BAD-NAME/);
    assert.throws(() => shellAssignments({ "X;rm": "x" }), /not a shell variable name/);
  });

  it("lists each environment's Ingress host once, leaving out environments without an Ingress", async () => {
    const root = join(temp, "repo");
    mkdirSync(join(root, "environments"), { recursive: true });
    mkdirSync(join(root, "clusters/minikube"), { recursive: true });
    copyFileSync(join(REPO_ROOT, "clusters/minikube/cluster.ts"), join(root, "clusters/minikube/cluster.ts"));
    const settings = pathToFileURL(join(REPO_ROOT, "generator", "settings.ts")).href;
    const environments: Record<string, string> = {
      alpha: `ingress: { host: "alpha.example" }`,
      beta: `ingress: { enabled: false, host: "beta.example" }`,
      gamma: `ingress: { host: "alpha.example" }`,
      delta: `ingress: { host: "delta.example" }`,
    };
    for (const [name, override] of Object.entries(environments)) {
      writeFileSync(join(root, "environments", `${name}.ts`), `import { defineEnvironment } from ${JSON.stringify(settings)};\nexport default defineEnvironment({ delivery: { cluster: "minikube" }, ${override} });\n`);
      copyFileSync(join(REPO_ROOT, "environments", "dev.images.json"), join(root, "environments", `${name}.images.json`));
    }
    assert.deepEqual(await ingressHosts(root), ["alpha.example", "delta.example"]);
  });
});

describe("bootstrap.ts arguments", () => {
  const runBootstrap = async (args: string[], root?: string) => {
    let out = "";
    let err = "";
    const code = await bootstrap(args, (t) => (out += t), (t) => (err += t), root);
    return { code, out, err };
  };
  // The fixture's render (dev with Dapr, as shipped), for what the shipped environments decide: the waves Dapr adds.
  let fixtureRoot: string | undefined;
  after(() => fixtureRoot && rmSync(fixtureRoot, { recursive: true, force: true }));

  it("refuses to run without an override, or with a malformed one, naming the flag and the rule", async () => {
    assert.match((await runBootstrap([])).err, /nothing to override/);
    const bad = await runBootstrap(["--repo-url", "ftp://example/x", "--revision", "two words"]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--repo-url "ftp:\/\/example\/x" must be an https:\/\/, ssh:\/\/ or git@ Git URL/);
    assert.match(bad.err, /--revision "two words" must be a branch, tag or commit SHA without spaces/);
    assert.equal(bad.out, "");
  });

  it("lists the sync waves in order, and prints one wave's objects at a time, together all of them (the fixture's render)", async () => {
    fixtureRoot ??= await fixtureRenderDirectory();
    type Printed = { kind: string; metadata: { name: string; annotations?: Record<string, string> } };
    const parse = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as Printed);
    const all = parse((await runBootstrap(["--revision", "v1"], fixtureRoot)).out);
    const waveOf = (o: Printed) => Number(o.metadata.annotations?.["argocd.argoproj.io/sync-wave"] ?? "0");
    const listed = await runBootstrap(["--revision", "v1", "--list-waves"], fixtureRoot);
    assert.equal(listed.code, 0, listed.err);
    const waves = listed.out.trimEnd().split("\n").map(Number);
    assert.deepEqual(waves, [...new Set(all.map(waveOf))].sort((a, b) => a - b));
    assert.ok(waves.length >= 2, `the control planes and the environments are in different waves: ${waves.join(", ")}`);
    const byWave: Printed[][] = [];
    for (const wave of waves) {
      const printed = parse((await runBootstrap(["--revision", "v1", "--wave", String(wave)], fixtureRoot)).out);
      assert.ok(printed.every((o) => waveOf(o) === wave), `--wave ${wave} printed another wave's object`);
      byWave.push(printed);
    }
    const key = (o: Printed) => `${o.kind}/${o.metadata.name}`;
    assert.deepEqual(byWave.flat().map(key).sort(), all.map(key).sort(), "every object is in exactly one wave");
    // Each environment comes after Dapr, whose sidecar injector its pods need.
    const waveOfApplication = (name: string) => waveOf(all.find((o) => o.kind === "Application" && o.metadata.name === name)!);
    assert.ok(waveOfApplication("dapr") < waveOfApplication("todo-dev"), "dapr is applied before todo-dev");
  });

  it("refuses a --wave that is not a number or holds nothing, naming the waves there are", async () => {
    assert.match((await runBootstrap(["--revision", "v1", "--wave", "first"])).err, /--wave "first" must be a whole number/);
    const empty = await runBootstrap(["--revision", "v1", "--wave", "99"]);
    assert.equal(empty.code, 1);
    assert.match(empty.err, /no object is in sync wave 99; the waves are -?\d+(, -?\d+)+/);
    assert.equal(empty.out, "");
  });

  it("moves only the revision when only --revision is given", async () => {
    const result = await runBootstrap(["--revision", "v1.2.3"]);
    assert.equal(result.code, 0, result.err);
    const printed = parseAllDocuments(result.out).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: any });
    const roots = readdirSync(join(REPO_ROOT, "argocd", "bootstrap"))
      .map((file) => parse(readFileSync(join(REPO_ROOT, "argocd", "bootstrap", file), "utf8")) as { kind: string; metadata: { name: string } })
      .filter((o) => o.kind === "Application")
      .map((o) => o.metadata.name);
    assert.ok(roots.length > 0);
    const applications = printed.filter((o) => o.kind === "Application");
    assert.ok(applications.length > 0);
    const ours = applications.filter((a) => a.spec.source.repoURL === minikube.git.repoURL);
    assert.ok(ours.length > 0, "no Application syncs this repository");
    for (const application of applications) {
      assert.ok(!roots.includes(application.metadata.name), `the root Application ${application.metadata.name} is left out`);
    }
    for (const application of ours) assert.equal(application.spec.source.targetRevision, "v1.2.3", application.metadata.name);
    // A control plane's chart has its own pinned version; moving it to our revision would break it.
    for (const application of applications.filter((a) => !ours.includes(a))) {
      const committed = parse(readFileSync(join(REPO_ROOT, "argocd", "apps", `application-${application.metadata.name}.yaml`), "utf8"));
      assert.deepEqual(application.spec.source, committed.spec.source, `${application.metadata.name}: chart source changed`);
    }
  });
});

describe("a cluster.ts with a mistake, as the cluster scripts read it", () => {
  const scratch = scratchRepository("todo-cluster-facts-");
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const file = join(scratch, "clusters/minikube/cluster.ts");
  writeFileSync(file, readFileSync(file, "utf8").replace("  cpus: 4,", '  cpus: "four",\n  cpuz: 4,'));
  const problems =
    "invalid settings (2 problems):\n" +
    '  - cluster minikube: clusters/minikube/cluster.ts: cpus = "four": must be an integer from 2 to 256 (minikube start --cpus; minikube needs 2 at least)\n' +
    "  - cluster minikube: clusters/minikube/cluster.ts: cpuz = 4: unknown fact; did you mean cpus?\n";
  const script = (path: string, ...args: string[]) => spawnSync(process.execPath, [...NODE_ARGS, join(scratch, path), ...args], { cwd: scratch, encoding: "utf8" });

  for (const [path, args] of [
    ["clusters/minikube/facts.ts", []],
    ["clusters/minikube/bootstrap.ts", ["--revision", "v1"]],
    ["clusters/minikube/profile.ts", ["hints", "todo", "todo.local"]],
    ["clusters/minikube/wait-for-sync.ts", ["todo-dev", "--timeout", "1s"]],
    ["generator/secrets/seal-cli.ts", ["dev", "--cert", "cert.pem"]],
  ] as const) {
    it(`${path} prints every problem with the file, the path, the value and the rule, no stack trace, and exits 1`, () => {
      const result = script(path, ...args);
      assert.equal(result.status, 1, result.stderr);
      assert.equal(result.stdout, "");
      assert.ok(result.stderr.startsWith(problems), result.stderr);
      assert.doesNotMatch(result.stderr, /^\s+at /m, "a stack trace");
    });
  }
});
