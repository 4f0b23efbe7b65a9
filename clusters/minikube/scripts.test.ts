/**
 * The cluster scripts, run for real by bash, without a cluster: PATH holds
 * only node, the few tools the scripts use, and (where a test wants them)
 * stand-ins for minikube and kubectl that record every call and play a
 * cluster's part: a profile that exists or not, runs or not, an API server
 * that answers or not.
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { renderedFixture } from "../../generator/testing/fixtures.ts";
import { scratchRepository } from "../../generator/testing/scratch.ts";
import { CHECKSUM_FILE, INSTALL_DIR, sha256 } from "./argocd-install.ts";
import { minikube } from "./cluster.ts";
import { clusterFacts, isPlaceholderRepoURL } from "./facts.ts";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

// The scripts run from copies of the repository whose Argo CD pin names a
// stand-in manifest (TODO_ARGOCD_INSTALL_MANIFEST), so that cluster:up checks
// it with its real checksum code, offline.
const STAND_IN_DIR = mkdtempSync(join(tmpdir(), "cluster-scripts-argocd-"));
const STAND_IN_MANIFEST = join(STAND_IN_DIR, "stand-in-argocd-install.yaml");
writeFileSync(STAND_IN_MANIFEST, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stand-in-for-argocd-install\n");
const STAND_IN_SHA256 = sha256(readFileSync(STAND_IN_MANIFEST));

const sandboxes: string[] = [STAND_IN_DIR];
after(() => sandboxes.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const fixtureRender = await renderedFixture();

/**
 * A scratch copy of the repository (sources, the fixture's environments, and
 * argocd/ with the fixture's rendered Applications and AppProjects) whose
 * Argo CD pin is the stand-in's checksum: the scripts are tested against dev
 * → staging → prod as shipped, whatever a team changed in its own.
 */
function pinnedRepository(): string {
  const root = scratchRepository("cluster-scripts-repo-");
  sandboxes.push(root);
  cpSync(join(REPO_ROOT, "argocd"), join(root, "argocd"), { recursive: true });
  const { files } = fixtureRender;
  for (const dir of new Set([...files.keys()].filter((path) => path.startsWith("argocd/")).map((path) => dirname(path)))) rmSync(join(root, dir), { recursive: true, force: true });
  for (const [path, text] of files) {
    if (!path.startsWith("argocd/")) continue;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  writeFileSync(join(root, INSTALL_DIR, CHECKSUM_FILE), `${STAND_IN_SHA256}  install.yaml\n`);
  return root;
}

/** The repository as committed: it tracks the placeholder Git URL, which cluster:up refuses to bootstrap. */
const REPO = pinnedRepository();
/** Where cluster:up stages the checked install for `kubectl apply -k` (HOME is the sandbox). */
const stagedInstall = (box: { dir: string }) => join(box.dir, ".cache", "todo-gitops", "argocd-install", STAND_IN_SHA256);
// The scratch repository's facts (its environments are the tests' fixture), as the scripts run there see them.
const facts = await clusterFacts(REPO);
const fact = (name: string): string => {
  const value = facts[name];
  assert.ok(value !== undefined, `facts.ts prints no ${name}`);
  return value;
};

/** Finds a command on the test runner's own PATH. */
function which(command: string): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, command))) return join(dir, command);
  }
  throw new Error(`${command} is needed to run these tests`);
}
const BASH = which("bash");

// The stand-ins. FAKE_DIR holds the profile's state ("<host>/<apiserver>",
// absent: no such profile), the CNI it was created with (as minikube would
// deploy it: calico-node for calico, nothing for the default bridge), the call
// log and what `kubectl apply -f -` read.
const FAKE_MINIKUBE = `#!${BASH}
printf 'minikube %s\\n' "$*" >> "$FAKE_DIR/calls.log"
state="$FAKE_DIR/state"
args=("$@"); command=""
for ((i = 0; i < \${#args[@]}; i++)); do
  case \${args[i]} in -p) i=$((i + 1)) ;; -*) ;; *) command=\${args[i]}; break ;; esac
done
case $command in
  status)
    if [[ ! -f $state ]]; then echo "* Profile \\"todo\\" not found. Run \\"minikube profile list\\" to view all profiles."; exit 85; fi
    cat "$state"; [[ $(cat "$state") == Running/Running ]] || exit 7 ;;
  start)
    if [[ ! -f $state ]]; then
      cni=bridge
      for arg in "$@"; do [[ $arg != --cni=* ]] || cni=\${arg#--cni=}; done
      echo "$cni" > "$FAKE_DIR/cni"
    fi
    echo Running/Running > "$state" ;;
  unpause) echo Running/Running > "$state" ;;
  stop) echo Stopped/Stopped > "$state" ;;
  delete) rm -f "$state" "$FAKE_DIR/cni" ;;
  ip) echo 192.168.49.2 ;;
  profile)
    if [[ ! -f $state ]]; then echo '{"invalid":[],"valid":[]}'
    elif [[ -f $FAKE_DIR/profile.json ]]; then cat "$FAKE_DIR/profile.json"
    else echo '{"valid":[{"Name":"todo","Config":{"Driver":"docker","KubernetesConfig":{"ContainerRuntime":"docker"}}}]}'; fi ;;
  config)
    # minikube config get driver: what \`minikube config set driver\` stored, if anything.
    [[ -n \${FAKE_CONFIG_DRIVER:-} ]] || { echo "Error: specified key could not be found in config" >&2; exit 64; }
    echo "$FAKE_CONFIG_DRIVER" ;;
esac
`;

// A Docker engine that answers, or (FAKE_DOCKER_DOWN) one that does not, as the docker CLI says it.
const FAKE_DOCKER = `#!${BASH}
printf 'docker %s\\n' "$*" >> "$FAKE_DIR/calls.log"
if [[ -n \${FAKE_DOCKER_DOWN:-} ]]; then
  echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1
fi
echo 27.5.1
`;

const FAKE_KUBECTL = `#!${BASH}
printf 'kubectl %s\\n' "$*" >> "$FAKE_DIR/calls.log"
# The profile's context exists once minikube has created the profile (FAKE_NO_CONTEXT: another KUBECONFIG).
if [[ "$*" == "config get-contexts todo -o name" ]]; then
  if [[ -f $FAKE_DIR/state && -z \${FAKE_NO_CONTEXT:-} ]]; then echo todo; exit 0; fi
  echo "error: context todo not found" >&2; exit 1
fi
case "$*" in
  *"get --raw /readyz"*)
    if [[ -n \${FAKE_UNREACHABLE:-} || $(cat "$FAKE_DIR/state" 2>/dev/null) != Running/Running ]]; then
      echo "The connection to the server 192.168.49.2:8443 was refused - did you specify the right host or port?" >&2; exit 1
    fi
    echo ok; exit 0 ;;
esac
# The cluster answered, then every other call fails (a diagnostics run in the middle of an outage).
[[ -z \${FAKE_KUBECTL_FAILS:-} ]] || { echo "error: connection refused" >&2; exit 1; }
case "$*" in
  *"apply -f -"*)
    # Keeps what every apply read, and names the objects as -o name does.
    [[ ! -s $FAKE_DIR/applied.yaml ]] || echo --- >> "$FAKE_DIR/applied.yaml"
    kind=""
    while IFS= read -r line; do
      printf '%s\n' "$line" >> "$FAKE_DIR/applied.yaml"
      case $line in
        "kind: "*) kind=\${line#kind: } ;;
        "  name: "*) [[ -z $kind ]] || printf '%s.argoproj.io/%s\n' "\${kind,,}" "\${line#  name: }"; kind="" ;;
      esac
    done ;;
  *" wait --for=jsonpath="*)
    [[ -z \${FAKE_NEVER_HEALTHY:-} ]] || { echo "error: timed out waiting for the condition on applications/dapr" >&2; exit 1; } ;;
  *" get daemonset "*)
    [[ -z \${FAKE_DAEMONSET_ERROR:-} ]] || { echo "$FAKE_DAEMONSET_ERROR" >&2; exit 1; }
    args=("$@")
    for ((i = 0; i < \${#args[@]}; i++)); do [[ \${args[i]} != daemonset ]] || name=\${args[i + 1]}; done
    case $(cat "$FAKE_DIR/cni" 2>/dev/null) in calico) deployed=calico-node ;; cilium) deployed=cilium ;; *) deployed="" ;; esac
    if [[ $name != "$deployed" ]]; then echo "Error from server (NotFound): daemonsets.apps \"$name\" not found" >&2; exit 1; fi
    echo "daemonset.apps/$name" ;;
  *"get deployments,statefulsets -o name"*) printf '%s\\n' deployment.apps/argocd-server statefulset.apps/argocd-application-controller ;;
  *"get crd applications.argoproj.io"*) [[ -z \${FAKE_NO_ARGOCD:-} ]] || { echo 'Error from server (NotFound)' >&2; exit 1; } ;;
  *"get pods -o name"*) echo pod/todo-smoke-test-7xk2p ;;
  *" logs "*) [[ -z \${FAKE_UNREACHABLE:-} ]] || exit 1 ;;
  *"get applications.argoproj.io"*) printf 'NAME       SYNC     HEALTH\\ntodo-dev   Synced   Healthy\\n' ;;
esac
`;

interface Sandbox {
  dir: string;
  /** The repository the scripts run from. */
  root: string;
  run(script: string, args?: string[], env?: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }>;
  calls(): string[];
  /** A profile in this state, created with this CNI (by default the one cluster.ts asks for). */
  setState(state: string, cni?: string): void;
}


/** The fork a user points git.repoURL at, in the walkthrough's first step. */
const FORK_URL = "https://github.com/example/todo-gitops.git";
let configured: string | undefined;

/**
 * A copy of the repository as a user has it after pointing cluster.ts at
 * their fork and rendering: the committed one tracks the placeholder, which
 * cluster:up refuses to bootstrap.
 */
function configuredRepository(): string {
  if (configured) return configured;
  const root = pinnedRepository();
  const files = [
    join(root, "clusters", "minikube", "cluster.ts"),
    ...["apps", "bootstrap"].flatMap((dir) => readdirSync(join(root, "argocd", dir)).map((file) => join(root, "argocd", dir, file))),
  ];
  for (const file of files) writeFileSync(file, readFileSync(file, "utf8").replaceAll(minikube.git.repoURL, FORK_URL));
  return (configured = root);
}

function sandbox(options: { minikube?: boolean; kubectl?: boolean; docker?: boolean; configured?: boolean } = {}): Sandbox {
  const root = options.configured ? configuredRepository() : REPO;
  const dir = mkdtempSync(join(tmpdir(), "cluster-scripts-"));
  sandboxes.push(dir);
  const bin = join(dir, "bin");
  mkdirSync(bin);
  // Only what the scripts really need from the system: no minikube or kubectl sneaks in.
  symlinkSync(process.execPath, join(bin, "node"));
  for (const tool of ["cat", "dirname", "rm"]) symlinkSync(which(tool), join(bin, tool));
  const fake = (name: string, script: string) => {
    writeFileSync(join(bin, name), script);
    chmodSync(join(bin, name), 0o755);
  };
  if (options.minikube ?? true) fake("minikube", FAKE_MINIKUBE);
  if (options.kubectl ?? true) fake("kubectl", FAKE_KUBECTL);
  if (options.docker ?? true) fake("docker", FAKE_DOCKER);
  const log = join(dir, "calls.log");
  return {
    dir,
    root,
    run: (script, args = [], env = {}) =>
      new Promise((resolve) => {
        execFile(
          BASH,
          [join(root, "clusters", "minikube", script), ...args],
          { env: { PATH: bin, HOME: dir, FAKE_DIR: dir, TODO_ARGOCD_INSTALL_MANIFEST: STAND_IN_MANIFEST, ...env }, cwd: dir },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        );
      }),
    calls: () => (existsSync(log) ? readFileSync(log, "utf8").trimEnd().split("\n") : []),
    setState: (state, cni = minikube.cni.name) => {
      writeFileSync(join(dir, "state"), `${state}\n`);
      writeFileSync(join(dir, "cni"), `${cni}\n`);
    },
  };
}

/** Asserts that `expected` occur in `calls` in this order (other calls may come between). */
function assertInOrder(calls: string[], expected: string[]): void {
  let at = 0;
  for (const call of expected) {
    const found = calls.indexOf(call, at);
    assert.ok(found !== -1, `expected, after call ${at}: ${call}\ncalls were:\n  ${calls.join("\n  ")}`);
    at = found + 1;
  }
}

const profile = minikube.profile;
const kube = `kubectl --context ${profile}`;
const argocd = fact("ARGOCD_NAMESPACE");
const cni = minikube.cni.daemonSet;

describe("cluster scripts: arguments", { concurrency: true }, () => {
  for (const script of ["up.sh", "down.sh", "status.sh"]) {
    const name = `cluster:${script.replace(".sh", "")}`;

    it(`${script} --help prints its usage and exits 0, even without minikube or kubectl`, async () => {
      const box = sandbox({ minikube: false, kubectl: false });
      const result = await box.run(script, ["--help"]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^Usage: npm run ${name}`));
      assert.deepEqual(box.calls(), []);
    });

    it(`${script} rejects an unknown flag with exit 2, naming it`, async () => {
      const box = sandbox();
      const result = await box.run(script, ["--frobnicate"]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, new RegExp(`^${name}: unknown argument: --frobnicate\\n`));
      assert.match(result.stderr, /Usage:/);
      assert.deepEqual(box.calls(), [], "nothing may run after a bad argument");
    });
  }

  it("up.sh documents each of its options", async () => {
    const { stdout } = await sandbox().run("up.sh", ["-h"]);
    for (const option of ["--git-repo-url URL", "--git-revision REV", "--no-bootstrap", "--help"]) assert.ok(stdout.includes(option), option);
  });

  it("up.sh refuses --git-revision and --git-repo-url without a value", async () => {
    for (const args of [["--git-revision"], ["--git-repo-url", "--no-bootstrap"], ["--git-revision", ""]]) {
      const result = await sandbox().run("up.sh", args);
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, new RegExp(`${args[0]} needs a value`));
    }
  });
});

describe("cluster scripts: prerequisites", { concurrency: true }, () => {
  it("up.sh refuses the placeholder repository URL first, before it looks for minikube, kubectl or Docker", async () => {
    const box = sandbox({ minikube: false, kubectl: false, docker: false });
    const result = await box.run("up.sh");
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^cluster:up: Argo CD would track .*, a placeholder/);
    assert.doesNotMatch(result.stderr, /not on PATH/);
    assert.deepEqual(box.calls(), []);
  });

  it("up.sh with an environment file that does not load points to the settings error above it, not to facts.ts", () => {
    const root = scratchRepository("cluster-scripts-bad-env-");
    try {
      writeFileSync(join(root, "environments/dev.ts"), readFileSync(join(root, "environments/dev.ts"), "utf8").replace('LOG_LEVEL: "DEBUG"', 'LOG_LEVEL: "VERBOSE"'));
      let stderr = "";
      try {
        execFileSync("bash", [join(root, "clusters/minikube/up.sh")], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        assert.fail("up.sh did not fail");
      } catch (error) {
        stderr = String((error as { stderr?: string }).stderr ?? "");
      }
      assert.match(stderr, /environments\/dev\.ts: backend\.config\.LOG_LEVEL = "VERBOSE"/);
      assert.match(stderr, /cluster:up: stopped before changing anything: the settings it reads \(clusters\/minikube\/cluster\.ts and every environments\/<env>\.ts\) do not load; the problem is printed above/);
      assert.doesNotMatch(stderr, /facts\.ts failed/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("up.sh names both minikube and kubectl when neither is on PATH, and runs nothing", async () => {
    const result = await sandbox({ minikube: false, kubectl: false, configured: true }).run("up.sh");
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cluster:up: minikube is not on PATH: install it: https:\/\/minikube\.sigs\.k8s\.io/);
    assert.match(result.stderr, /cluster:up: kubectl is not on PATH: install it: https:\/\/kubernetes\.io/);
  });

  it("up.sh names kubectl alone when only kubectl is missing", async () => {
    const box = sandbox({ kubectl: false, configured: true });
    const result = await box.run("up.sh");
    assert.equal(result.code, 1);
    assert.match(result.stderr, /kubectl is not on PATH/);
    assert.doesNotMatch(result.stderr, /minikube is not on PATH/);
    assert.deepEqual(box.calls(), []);
  });

  it("down.sh needs minikube only; status.sh needs kubectl only", async () => {
    const down = await sandbox({ minikube: false }).run("down.sh");
    assert.equal(down.code, 1);
    assert.match(down.stderr, /^cluster:down: minikube is not on PATH/);
    assert.doesNotMatch(down.stderr, /kubectl/);
    const status = await sandbox({ kubectl: false }).run("status.sh");
    assert.equal(status.code, 1);
    assert.match(status.stderr, /^cluster:status: kubectl is not on PATH/);
    assert.doesNotMatch(status.stderr, /minikube/);
  });

  it("up.sh stops before installing anything when the started cluster does not answer", async () => {
    const box = sandbox({ configured: true });
    box.setState("Running/Running");
    const result = await box.run("up.sh", [], { FAKE_UNREACHABLE: "1" });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`cannot reach the cluster through kubectl context '${profile}': The connection to the server .* was refused`));
    assert.ok(!box.calls().some((call) => call.includes(" apply ")), "nothing may be applied to an unreachable cluster");
  });

  it("status.sh fails naming the context when the cluster is not running, and how to ask minikube", async () => {
    const box = sandbox();
    box.setState("Stopped/Stopped");
    const result = await box.run("status.sh");
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^cluster:status: cannot reach the cluster through kubectl context '${profile}': The connection to the server`));
    assert.match(result.stderr, new RegExp(`'minikube -p ${profile} status' tells; 'npm run cluster:up' starts it`));
  });

  it("status.sh says kubectl has no context for the cluster, once, when it was never started here", async () => {
    const box = sandbox();
    const result = await box.run("status.sh");
    assert.equal(result.code, 1);
    assert.equal(result.stderr.split("\n").filter(Boolean).length, 2, result.stderr);
    assert.match(result.stderr, new RegExp(`^cluster:status: kubectl has no context '${profile}': the cluster was never started on this machine, or KUBECONFIG names another file`));
    assert.ok(!box.calls().some((call) => call.includes("/readyz")), "no request through a context that does not exist");
  });

  it("status.sh without minikube on PATH does not suggest a minikube command: it says to install it", async () => {
    const box = sandbox({ minikube: false });
    const result = await box.run("status.sh");
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.stderr, /'minikube -p/);
    assert.match(result.stderr, /minikube is not on PATH here \(install it: https:\/\/minikube\.sigs\.k8s\.io\/docs\/start\/\); then 'npm run cluster:up' creates and starts the cluster/);
  });

  it("up.sh checks that Docker answers before starting a profile that uses the docker driver, naming why it is the driver", async () => {
    const box = sandbox({ configured: true });
    box.setState("Stopped/Stopped");
    const down = await box.run("up.sh", [], { FAKE_DOCKER_DOWN: "1" });
    assert.equal(down.code, 1);
    assert.match(
      down.stderr,
      new RegExp(`^cluster:up: the docker driver is used \\(Minikube profile ${profile} was created with it\\), but Docker does not answer: Cannot connect to the Docker daemon at unix:///var/run/docker\\.sock\\. Is the docker daemon running\\?\n  Start Docker`, "m"),
    );
    assert.ok(!box.calls().some((call) => /^minikube (start|addons)/.test(call)), box.calls().join("\n"));
    // A new profile: the driver MINIKUBE_DRIVER or minikube's config names.
    const fresh = sandbox({ configured: true, docker: false });
    const noDocker = await fresh.run("up.sh", [], { MINIKUBE_DRIVER: "docker" });
    assert.equal(noDocker.code, 1);
    assert.match(noDocker.stderr, /^cluster:up: the docker driver is used \(MINIKUBE_DRIVER names it\), but docker is not on PATH: install it: https:\/\/docs\.docker\.com/m);
    const configured = await fresh.run("up.sh", [], { FAKE_CONFIG_DRIVER: "docker" });
    assert.match(configured.stderr, /the docker driver is used \(`minikube config get driver` names it\), but docker is not on PATH/);
    // Another driver, or none chosen yet (minikube picks one and says why): Docker is not asked.
    const kvm = sandbox({ configured: true, docker: false });
    kvm.setState("Running/Running");
    writeFileSync(join(kvm.dir, "profile.json"), JSON.stringify({ valid: [{ Name: profile, Config: { Driver: "kvm2", KubernetesConfig: { ContainerRuntime: "docker" } } }] }));
    assert.equal((await kvm.run("up.sh")).code, 0);
    assert.equal((await sandbox({ configured: true, docker: false }).run("up.sh", ["--no-bootstrap"])).code, 0);
  });

  it("status.sh says so when Argo CD is not installed", async () => {
    const box = sandbox();
    box.setState("Running/Running");
    const result = await box.run("status.sh", [], { FAKE_NO_ARGOCD: "1" });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Argo CD is not installed .*npm run cluster:up/);
  });
});

describe("cluster:up", () => {
  const box = sandbox({ configured: true });

  it("refuses, before starting anything, to bootstrap Argo CD onto the placeholder repository URL, saying where to set the real one", async () => {
    assert.ok(isPlaceholderRepoURL(minikube.git.repoURL), "the committed cluster.ts holds the placeholder");
    const committed = sandbox();
    const result = await committed.run("up.sh");
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`cluster:up: Argo CD would track ${minikube.git.repoURL.replaceAll(".", "\\.")}, a placeholder`));
    assert.match(result.stderr, /Set git\.repoURL in clusters\/minikube\/cluster\.ts to your fork/);
    assert.match(result.stderr, /--git-repo-url <url>/);
    assert.ok(!committed.calls().some((call) => /^minikube (start|addons)|apply/.test(call)), committed.calls().join("\n"));
    // A revision alone still tracks the placeholder; --no-bootstrap applies no Application and goes ahead.
    assert.equal((await committed.run("up.sh", ["--git-revision", "0123abc"])).code, 1);
    assert.equal((await committed.run("up.sh", ["--no-bootstrap"])).code, 0);
  });

  it("creates the profile with cluster.ts's facts and CNI, waits for the CNI, enables the addons, installs and waits for Argo CD, then applies the root", async () => {
    const result = await box.run("up.sh");
    assert.equal(result.code, 0, result.stderr);
    assertInOrder(box.calls(), [
      `minikube -p ${profile} status --format {{.Host}}/{{.APIServer}}`,
      `minikube start -p ${profile} --kubernetes-version=${minikube.kubernetesVersion} --cpus=${minikube.cpus} --memory=${minikube.memoryMiB}m --cni=${minikube.cni.name} --container-runtime=${minikube.containerRuntime}`,
      `${kube} get --raw /readyz --request-timeout=10s`,
      `${kube} -n ${cni.namespace} get daemonset ${cni.name} -o name`,
      `${kube} -n ${cni.namespace} rollout status daemonset/${cni.name} --timeout=5m`,
      ...minikube.addons.map((addon) => `minikube -p ${profile} addons enable ${addon}`),
      `${kube} apply --server-side --force-conflicts -k ${stagedInstall(box)}`,
      `${kube} wait --for=condition=Established --timeout=2m crd/applications.argoproj.io crd/appprojects.argoproj.io`,
      `${kube} -n ${argocd} rollout status deployment.apps/argocd-server --timeout=10m`,
      `${kube} -n ${argocd} rollout status statefulset.apps/argocd-application-controller --timeout=10m`,
      `${kube} apply -f ${box.root}/argocd/bootstrap/`,
      `minikube -p ${profile} ip`,
    ]);
    // The hints: UI, password, /etc/hosts with every environment's host.
    assert.ok(result.stdout.includes(`${kube} -n ${argocd} port-forward svc/argocd-server 8080:80`));
    assert.ok(result.stdout.includes("http://localhost:8080"));
    assert.ok(
      result.stdout.includes(`${kube} -n ${argocd} get secret argocd-initial-admin-secret -o jsonpath='{.data.password}' | base64 -d`),
    );
    assert.ok(fact("INGRESS_HOSTS").split(" ").length >= 3, "every environment should have a host");
    assert.ok(result.stdout.includes(`  192.168.49.2 ${fact("INGRESS_HOSTS")}\n`), result.stdout);
    assert.doesNotMatch(result.stderr, /warning/, "a profile created here runs the CNI it asked for");
  });

  it("run again, does not start or recreate the cluster, and re-applies the same", async () => {
    const before = box.calls().length;
    const result = await box.run("up.sh");
    assert.equal(result.code, 0, result.stderr);
    const second = box.calls().slice(before);
    assert.ok(!second.some((call) => /^minikube (start|delete)/.test(call)), second.join("\n"));
    assert.match(result.stdout, /Already running: not restarted/);
    assertInOrder(second, [
      `${kube} apply --server-side --force-conflicts -k ${stagedInstall(box)}`,
      `${kube} apply -f ${box.root}/argocd/bootstrap/`,
    ]);
  });

  it("refuses an Argo CD manifest that is not the pinned one, naming both checksums, and applies nothing", async () => {
    const tampered = sandbox({ configured: true });
    const manifest = join(tampered.dir, "install.yaml");
    writeFileSync(manifest, `${readFileSync(STAND_IN_MANIFEST, "utf8")}# one more line\n`);
    const result = await tampered.run("up.sh", [], { TODO_ARGOCD_INSTALL_MANIFEST: manifest });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`is not the pinned Argo CD manifest: its SHA-256 is ${sha256(readFileSync(manifest))}, argocd/install/install.yaml.sha256 says ${STAND_IN_SHA256}\\. Nothing was applied\\.`));
    assert.match(result.stderr, /cluster:up: Argo CD was not installed/);
    assert.deepEqual(tampered.calls().filter((call) => call.includes(" apply ")), []);
  });

  it("restarts a stopped profile instead of failing", async () => {
    const stopped = sandbox();
    stopped.setState("Stopped/Stopped");
    const result = await stopped.run("up.sh", ["--no-bootstrap"]);
    assert.equal(result.code, 0, result.stderr);
    const start = stopped.calls().find((call) => call.startsWith(`minikube start -p ${profile} `));
    assert.ok(start, "the stopped profile is started");
    assert.doesNotMatch(start, /--cni/, "a restart keeps the profile's own CNI: --cni would layer a second one onto it");
    assert.ok(!stopped.calls().some((call) => call.includes("apply -f")), "--no-bootstrap applies no Application");
    assert.ok(stopped.calls().includes(`${kube} -n ${cni.namespace} rollout status daemonset/${cni.name} --timeout=5m`));
  });

  for (const [state, described] of [["Running/Running", "running"], ["Stopped/Stopped", "stopped"]] as const) {
    it(`warns, deleting nothing, when an existing ${described} profile was created with another CNI`, async () => {
      const other = sandbox({ configured: true });
      other.setState(state, "bridge");
      const result = await other.run("up.sh");
      assert.equal(result.code, 0, result.stderr);
      const warning = new RegExp(
        `cluster:up: warning: Minikube profile ${profile} does not run ${minikube.cni.name} \\(no DaemonSet ${cni.namespace}/${cni.name}\\):` +
          `[^]*?NetworkPolicy of any environment is enforced[^]*?\n    npm run cluster:down -- --delete\n    npm run cluster:up\n`,
        "g",
      );
      // Once where it was found, once more at the end, below the long hints.
      assert.equal(result.stderr.match(warning)?.length, 2, result.stderr);
      assert.ok(!other.calls().some((call) => /^minikube (delete|stop)/.test(call)), "nothing is deleted automatically");
      assert.ok(!other.calls().some((call) => call.includes("--cni")), "the profile's CNI is left as it is");
      assert.ok(!other.calls().some((call) => call.includes("rollout status daemonset/")), "no wait for a plugin that is not there");
      assert.ok(other.calls().includes(`${kube} apply -f ${other.root}/argocd/bootstrap/`), "the rest of cluster:up still runs");
    });
  }

  it("warns, deleting nothing, when the profile runs cri-o, whose ingress controller the NetworkPolicies cannot admit", async () => {
    const crio = sandbox({ configured: true });
    crio.setState("Running/Running");
    writeFileSync(join(crio.dir, "profile.json"), JSON.stringify({ valid: [{ Name: profile, Config: { Driver: "docker", KubernetesConfig: { ContainerRuntime: "crio" } } }] }));
    const result = await crio.run("up.sh");
    assert.equal(result.code, 0, result.stderr);
    const warning = /cluster:up: warning: Minikube profile todo runs the crio container runtime; supported are docker and containerd[^]*?host network[^]*?npm run cluster:down -- --delete/g;
    assert.equal(result.stderr.match(warning)?.length, 1, result.stderr);
    assert.ok(!crio.calls().some((call) => /^minikube (delete|stop)/.test(call)), "nothing is deleted automatically");
  });

  it("stops when it cannot tell which CNI runs, naming the DaemonSet and kubectl's error", async () => {
    const box = sandbox({ configured: true });
    box.setState("Running/Running");
    const result = await box.run("up.sh", [], { FAKE_DAEMONSET_ERROR: "error: You must be logged in to the server (Unauthorized)" });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^cluster:up: could not look for DaemonSet ${cni.namespace}/${cni.name}: error: You must be logged in`, "m"));
    assert.ok(!box.calls().some((call) => call.includes(" apply ")), "nothing is applied");
  });
});

describe("cluster:up --git-repo-url/--git-revision", () => {
  const fork = "https://github.com/example/todo-gitops-fork.git";
  type Rendered = { kind: string; metadata: { name: string; annotations?: Record<string, string> } };
  // The scratch repository's Applications, which the scripts apply (the work tree may hold a user's own environments' too).
  const committed = readdirSync(join(REPO, "argocd", "apps")).map(
    (file) => parseAllDocuments(readFileSync(join(REPO, "argocd", "apps", file), "utf8"))[0]!.toJS() as Rendered,
  );
  const waveOf = (object: Rendered) => Number(object.metadata.annotations?.["argocd.argoproj.io/sync-wave"] ?? "0");
  const applicationsIn = (wave: number) =>
    committed.filter((o) => o.kind === "Application" && waveOf(o) === wave).map((o) => `application.argoproj.io/${o.metadata.name}`).sort();
  const waitFor = (applications: string[]) =>
    `${kube} -n ${argocd} wait --for=jsonpath={.status.health.status}=Healthy --timeout=15m ${applications.join(" ")}`;
  const isApply = (call: string) => call === `${kube} apply -f - -o name`;

  it("applies the control planes' wave, waits until its Applications are Healthy, and only then the environments'", async () => {
    const box = sandbox({ configured: true });
    const result = await box.run("up.sh", ["--git-revision", "0123abc"]);
    assert.equal(result.code, 0, result.stderr);
    const controlPlanes = applicationsIn(0);
    const environments = applicationsIn(1);
    assert.ok(controlPlanes.includes("application.argoproj.io/dapr"), `Dapr is a control plane of wave 0: ${controlPlanes.join(", ")}`);
    assert.ok(environments.length > 0 && environments.every((a) => a.startsWith("application.argoproj.io/todo-")), environments.join(", "));
    const calls = box.calls().filter((call) => isApply(call) || call.includes(" wait --for=jsonpath="));
    // The AppProjects (wave -1), the control planes (0), the wait for them, the environments (1), no wait after the last.
    assert.deepEqual(calls, [`${kube} apply -f - -o name`, `${kube} apply -f - -o name`, waitFor(controlPlanes), `${kube} apply -f - -o name`]);
    assert.match(result.stdout, /Waiting for sync wave 0 to be Healthy before wave 1: /);
    const appliedApplications = (result.stdout.match(/^application\.argoproj\.io\/.+$/gm) ?? []).sort();
    assert.deepEqual(appliedApplications, [...controlPlanes, ...environments].sort(), "each Application is applied exactly once");
    assert.match(readFileSync(join(box.dir, "applied.yaml"), "utf8"), /^  name: todo-dev$/m);
  });

  it("applies no environment when the control planes never become Healthy, and says what to look at", async () => {
    const box = sandbox({ configured: true });
    const result = await box.run("up.sh", ["--git-revision", "0123abc"], { FAKE_NEVER_HEALTHY: "1" });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cluster:up: sync wave 0 did not become Healthy within 15m, so the later waves were not applied\./);
    assert.match(result.stderr, new RegExp(`kubectl --context ${profile} -n ${argocd} get applications\\.argoproj\\.io`));
    assert.equal(box.calls().filter(isApply).length, 2, "the environments' wave is not applied");
    const applied = parseAllDocuments(readFileSync(join(box.dir, "applied.yaml"), "utf8")).map((doc) => doc.toJS() as { kind: string; metadata: { name: string } });
    assert.deepEqual(applied.filter((o) => o.kind === "Application" && o.metadata.name.startsWith("todo-")), [], "no environment's Application is applied");
  });

  it("applies the AppProjects and Applications moved to the override, without the root Application", async () => {
    const box = sandbox();
    const result = await box.run("up.sh", ["--git-repo-url", fork, "--git-revision=0123abc"]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(box.calls().some(isApply));
    assert.ok(!box.calls().some((call) => call.includes("argocd/bootstrap")), "the root Application would undo the override");
    const objects = parseAllDocuments(readFileSync(join(box.dir, "applied.yaml"), "utf8")).map(
      (doc) => doc.toJS() as { kind: string; metadata: { name: string }; spec: Record<string, any> },
    );
    // Every environment's Application follows the fork; a control plane keeps its pinned chart.
    const environmentApps = objects.filter((o) => o.kind === "Application" && o.metadata.name.startsWith("todo-"));
    assert.deepEqual(
      environmentApps.map((a) => a.metadata.name).sort(),
      fact("ENVIRONMENTS").split(" ").map((env) => `todo-${env}`).sort(),
    );
    for (const application of environmentApps) {
      assert.equal(application.spec.source.repoURL, fork);
      assert.equal(application.spec.source.targetRevision, "0123abc");
    }
    for (const application of objects.filter((o) => o.kind === "Application" && !environmentApps.includes(o))) {
      assert.notEqual(application.spec.source.repoURL, fork, `${application.metadata.name} must keep its chart`);
    }
    const projects = objects.filter((o) => o.kind === "AppProject");
    for (const env of fact("ENVIRONMENTS").split(" ")) {
      assert.ok(projects.some((p) => p.metadata.name === `todo-${env}`), `the todo-${env} AppProject is applied`);
    }
    for (const project of projects.filter((p) => p.spec.sourceRepos.includes(fact("GIT_REPO_URL")))) {
      assert.ok(project.spec.sourceRepos.includes(fork), `AppProject ${project.metadata.name} must admit the fork`);
    }
    assert.match(result.stdout, new RegExp(`tracking ${fork} at 0123abc`));
  });
});

describe("cluster:down", { concurrency: true }, () => {
  it("stops a running profile and deletes nothing", async () => {
    const box = sandbox();
    box.setState("Running/Running");
    const result = await box.run("down.sh");
    assert.equal(result.code, 0, result.stderr);
    assert.ok(box.calls().includes(`minikube stop -p ${profile}`));
    assert.ok(!box.calls().some((call) => call.startsWith("minikube delete")));
  });

  it("leaves a stopped or missing profile alone", async () => {
    const stopped = sandbox();
    stopped.setState("Stopped/Stopped");
    assert.match((await stopped.run("down.sh")).stdout, /already stopped/);
    const missing = sandbox();
    assert.match((await missing.run("down.sh")).stdout, /does not exist: nothing to stop/);
    for (const box of [stopped, missing]) assert.ok(!box.calls().some((call) => /^minikube (stop|delete)/.test(call)));
  });

  it("--delete deletes the profile and warns that the sealing key goes with it", async () => {
    const box = sandbox();
    box.setState("Running/Running");
    const result = await box.run("down.sh", ["--delete"]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(box.calls().includes(`minikube delete -p ${profile}`));
    assert.match(result.stderr, /Sealed Secrets key are lost/);
  });
});

describe("cluster:status", () => {
  it("lists every Application's sync status and health from Argo CD's namespace", async () => {
    const box = sandbox();
    box.setState("Running/Running");
    const result = await box.run("status.sh");
    assert.equal(result.code, 0, result.stderr);
    const listing = box.calls().find((call) => call.includes("get applications.argoproj.io"));
    assert.ok(listing, "status.sh did not list the Applications");
    assert.ok(listing.startsWith(`${kube} -n ${argocd} get applications.argoproj.io -o custom-columns=`), listing);
    assert.ok(listing.includes("SYNC:.status.sync.status") && listing.includes("HEALTH:.status.health.status"), listing);
    assert.match(result.stdout, /todo-dev +Synced +Healthy/);
  });
});

describe("diagnostics.sh", { concurrency: true }, () => {
  it("dumps Argo CD and every environment's namespace, pod logs included", async () => {
    const box = sandbox();
    box.setState("Running/Running");
    const result = await box.run("diagnostics.sh");
    assert.equal(result.code, 0, result.stderr);
    assert.ok(box.calls().includes(`${kube} -n ${argocd} get applications.argoproj.io -o yaml`));
    assert.ok(box.calls().includes(`${kube} -n ${argocd} logs statefulset/argocd-application-controller --tail=300`));
    assert.ok(box.calls().includes(`${kube} -n ${cni.namespace} get daemonset ${cni.name} -o wide`), "the network plugin's state is shown");
    for (const namespace of fact("NAMESPACES").split(" ")) {
      assertInOrder(box.calls(), [
        `${kube} -n ${namespace} get events --sort-by=.lastTimestamp`,
        `${kube} -n ${namespace} describe pods`,
        `${kube} -n ${namespace} logs pod/todo-smoke-test-7xk2p --all-containers --prefix --tail=200`,
      ]);
    }
    assert.ok(box.calls().includes(`minikube -p ${profile} image ls`), "images are listed for 'image not found' failures");
  });

  it("limits itself to the namespaces named, and exits 0 even when every kubectl call after the first fails", async () => {
    const box = sandbox();
    box.setState("Running/Running");
    const result = await box.run("diagnostics.sh", ["todo-dev"], { FAKE_KUBECTL_FAILS: "1" });
    assert.equal(result.code, 0);
    assert.ok(box.calls().includes(`${kube} -n todo-dev describe pods`));
    assert.ok(!box.calls().some((call) => call.includes("-n todo-prod")));
  });

  it("says once what is missing, and exits 1, when there is no context or the cluster does not answer", async () => {
    const noContext = sandbox();
    const missing = await noContext.run("diagnostics.sh");
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.match(/context/g)?.length, 1, missing.stderr);
    assert.match(missing.stderr, new RegExp(`^diagnostics: kubectl has no context '${profile}'`));
    assert.ok(!noContext.calls().some((call) => call.startsWith(kube)), "no kubectl call through the missing context");
    const stopped = sandbox();
    stopped.setState("Stopped/Stopped");
    const unreachable = await stopped.run("diagnostics.sh");
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, new RegExp(`^diagnostics: cannot reach the cluster through kubectl context '${profile}'`));
    assert.ok(stopped.calls().includes(`minikube -p ${profile} status`), "minikube's own view of the profile");
    assert.deepEqual(stopped.calls().filter((call) => call.startsWith(kube) && !call.includes("/readyz")), []);
    const noKubectl = await sandbox({ kubectl: false }).run("diagnostics.sh");
    assert.equal(noKubectl.code, 1);
    assert.match(noKubectl.stderr, /^diagnostics: kubectl is not on PATH: install it/);
  });
});

describe("shell scripts", () => {
  const shellcheck = (process.env.PATH ?? "").split(delimiter).some((dir) => dir && existsSync(join(dir, "shellcheck")));
  const missing = "shellcheck is not installed (Debian: apt-get install -y shellcheck)";

  it("every shell script in the repository (*.sh, or a shell shebang such as .ci/run) is shellcheck-clean", { skip: !shellcheck && !process.env.CI ? `${missing}; CI runs this` : false }, async () => {
    // In CI a missing shellcheck is a failure, not a skip: .ci/run installs it.
    assert.ok(shellcheck, `${missing}, and CI must run this check`);
    // The repository's own files as Git sees them (tracked, or new and not ignored): not
    // what tools generate into ignored places, such as husky's .husky/_/ or .cache/.
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: REPO_ROOT, encoding: "utf8" })
      .split("\0")
      .filter((file) => file && !file.split("/").includes("node_modules") && existsSync(join(REPO_ROOT, file)));
    const scripts = files
      .filter((file) => {
        const name = file.slice(file.lastIndexOf("/") + 1);
        if (name.endsWith(".sh")) return true;
        return !name.includes(".") && /^#!\S*(\/env )?\s*(ba|da)?sh\b/.test(readFileSync(join(REPO_ROOT, file), "utf8").slice(0, 80));
      })
      .map((file) => join(REPO_ROOT, file));
    assert.ok(scripts.some((s) => s.endsWith("clusters/minikube/up.sh")), "the walk found no cluster scripts");
    assert.ok(scripts.some((s) => s.endsWith(".ci/run")), "the walk missed .ci/run");
    const result = await new Promise<{ code: number; output: string }>((resolve) =>
      execFile(which("shellcheck"), ["--external-sources", ...scripts.sort()], (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr }),
      ),
    );
    assert.equal(result.code, 0, result.output);
  });
});
