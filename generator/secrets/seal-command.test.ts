import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { after, describe, it } from "node:test";
import { REPO_ROOT, loadEnvironment } from "../load/environments.ts";
import { type SealedValues, formatSealedFile, sealedValuesOf } from "./sealed-file.ts";
import { run, sealEnvironment } from "./seal-command.ts";
import { Captured, sealCli } from "../testing/cli.ts";
import { throwawaySealingKey } from "./test-support.ts";
import { openValue } from "./unseal.ts";
import { NODE_ARGS } from "../testing/node.ts";

const key = throwawaySealingKey();
const temporaryDirs: string[] = [];
after(() => {
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

/** A repository with two environments on the Minikube cluster: `dev` (in-cluster database) and `prod` (external), and the certificate in cert.pem. */
function tempRepo(): string {
  const root = mkdtempSync(join(tmpdir(), "seal-"));
  temporaryDirs.push(root);
  mkdirSync(join(root, "environments"));
  mkdirSync(join(root, "clusters/minikube"), { recursive: true });
  copyFileSync(join(REPO_ROOT, "clusters/minikube/cluster.ts"), join(root, "clusters/minikube/cluster.ts"));
  writeFileSync(join(root, "environments", "dev.ts"), 'export default { delivery: { cluster: "minikube" } };\n');
  writeFileSync(join(root, "environments", "prod.ts"), 'export default { delivery: { cluster: "minikube" }, database: { mode: "external", externalCidrs: ["192.0.2.0/24"] } };\n');
  for (const env of ["dev", "prod"]) copyFileSync(join(REPO_ROOT, "environments", "dev.images.json"), join(root, "environments", `${env}.images.json`));
  writeFileSync(join(root, "cert.pem"), key.certificatePem);
  return root;
}

const devValues = {
  "todo-database-secret.POSTGRES_USER": "todo_app_user",
  "todo-database-secret.POSTGRES_PASSWORD": "correct-horse-battery-staple",
  "todo-database-secret.POSTGRES_DB": "todo_app_db",
  "todo-auth-secret.BETTER_AUTH_SECRET": "auth-0123456789abcdef",
  "todo-backend-secret.OPENAI_API_KEY": "sk-test-0123456789",
};

function envFile(values: Record<string, string>): string {
  return `# test values\n${Object.entries(values).map(([name, value]) => `${name}=${value}`).join("\n")}\n`;
}

/** The sealed values the file holds, Secret → key → value. */
function readSealed(root: string, env = "dev"): SealedValues {
  return sealedValuesOf(JSON.parse(readFileSync(join(root, "environments", `${env}.sealed.json`), "utf8")));
}

function open(namespace: string, name: string, sealed: string): string {
  return openValue({ privateKeyPem: key.privateKeyPem, namespace, name, sealed });
}

/** Runs `npm run seal -- <args>` in-process (its run(): output and exit code as parameters), with a stand-in kubectl first on PATH. */
async function runSeal(root: string, args: string[], kubectl?: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const path = process.env.PATH;
  // The command finds kubectl on PATH, as the real one is found.
  if (kubectl) process.env.PATH = `${dirname(kubectl)}:${path}`;
  try {
    const { status, stdout, stderr } = await sealCli(root, ...args);
    return { exitCode: status ?? -1, stdout, stderr };
  } finally {
    process.env.PATH = path;
  }
}

describe("npm run seal", () => {
  it("seals an env file with --cert into environments/<env>.sealed.json, in stable order, each value bound to its Secret", async () => {
    const root = tempRepo();
    writeFileSync(join(root, "values.env"), envFile(devValues));
    const run = await runSeal(root, ["dev", "--cert", join(root, "cert.pem"), "--from-env-file", join(root, "values.env")]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /environments\/dev\.sealed\.json: 5 sealed, 0 unchanged/);

    const text = readFileSync(join(root, "environments", "dev.sealed.json"), "utf8");
    const file = JSON.parse(text) as Record<string, { sealedFor: unknown }>;
    const sealed = sealedValuesOf(file);
    assert.deepEqual(Object.keys(sealed), ["todo-auth-secret", "todo-backend-secret", "todo-database-secret"]);
    for (const secret of Object.keys(file)) assert.deepEqual(file[secret]!.sealedFor, { name: secret, namespace: "todo-dev", scope: "strict" }, "what each Secret was sealed for is recorded");
    assert.deepEqual(Object.keys(sealed["todo-auth-secret"]!), ["BETTER_AUTH_SECRET"]);
    assert.deepEqual(Object.keys(sealed["todo-backend-secret"]!), ["OPENAI_API_KEY"]);
    assert.deepEqual(Object.keys(sealed["todo-database-secret"]!), ["POSTGRES_DB", "POSTGRES_PASSWORD", "POSTGRES_USER"]);
    for (const [name, value] of Object.entries(devValues)) {
      const [secret, entryKey] = name.split(".") as [string, string];
      assert.equal(open("todo-dev", secret, sealed[secret]![entryKey]!), value, name);
      assert.ok(!text.includes(value), `${name} must not appear in plaintext`);
    }
    assert.throws(() => open("todo-dev", "todo-database-secret", sealed["todo-backend-secret"]!.OPENAI_API_KEY!));
  });

  it("reads as `npm run seal` (its usage), exits 2 on a usage error, and prints only through its output parameters", async () => {
    const root = tempRepo();
    const help = await runSeal(root, ["--help"]);
    assert.equal(help.exitCode, 0);
    assert.match(help.stdout, /^Usage: npm run seal \[options\] <environment>$/m);
    const missing = await runSeal(root, []);
    assert.equal(missing.exitCode, 2);
    assert.match(missing.stderr, /error: missing required argument 'environment'/);
    assert.match(missing.stderr, /Usage: npm run seal \[options\] <environment>/);
    const unknown = await runSeal(root, ["dev", "--cret", "cert.pem"]);
    assert.equal(unknown.exitCode, 2);
    assert.match(unknown.stderr, /unknown option '--cret'/);
    assert.equal(process.exitCode, undefined, "the process's exit code is not the command's channel");
  });

  it("warns on stderr, and still succeeds, when what was sealed cannot be recorded", async () => {
    const root = tempRepo();
    writeFileSync(join(root, "values.env"), envFile(devValues));
    // A directory (not empty) where the record goes: the rename over it fails.
    mkdirSync(join(root, ".secrets", "dev.seal-state.json", "in-the-way"), { recursive: true });
    const run = await runSeal(root, ["dev", "--cert", join(root, "cert.pem"), "--from-env-file", join(root, "values.env")]);
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout, /dev\.sealed\.json: 5 sealed/);
    assert.match(run.stderr, /^warning: could not record what was sealed in \.secrets\/ \(/m);
  });

  it("reads .secrets/<env>.env by default and keeps unchanged values byte for byte", async () => {
    const root = tempRepo();
    mkdirSync(join(root, ".secrets"));
    writeFileSync(join(root, ".secrets", "dev.env"), envFile(devValues));
    const first = await sealEnvironment({ environment: "dev", root, certFile: join(root, "cert.pem") });
    assert.equal(first.sealed.length, 5);
    const before = readFileSync(join(root, "environments", "dev.sealed.json"), "utf8");

    const again = await sealEnvironment({ environment: "dev", root, certFile: join(root, "cert.pem") });
    assert.deepEqual([again.sealed, again.kept.length, again.written], [[], 5, false]);
    assert.equal(readFileSync(join(root, "environments", "dev.sealed.json"), "utf8"), before);

    writeFileSync(join(root, ".secrets", "dev.env"), envFile({ ...devValues, "todo-backend-secret.OPENAI_API_KEY": "sk-rotated-9876543210" }));
    const changed = await sealEnvironment({ environment: "dev", root, certFile: join(root, "cert.pem") });
    assert.deepEqual(changed.sealed, ["todo-backend-secret.OPENAI_API_KEY"]);
    const after = readSealed(root);
    const previous = sealedValuesOf(JSON.parse(before));
    assert.equal(after["todo-database-secret"]!.POSTGRES_PASSWORD, previous["todo-database-secret"]!.POSTGRES_PASSWORD);
    assert.equal(open("todo-dev", "todo-backend-secret", after["todo-backend-secret"]!.OPENAI_API_KEY!), "sk-rotated-9876543210");

    const forced = await sealEnvironment({ environment: "dev", root, certFile: join(root, "cert.pem"), force: true });
    assert.equal(forced.sealed.length, 5);
    assert.notEqual(readSealed(root)["todo-database-secret"]!.POSTGRES_PASSWORD, after["todo-database-secret"]!.POSTGRES_PASSWORD);
  });

  it("seals everything again for a new controller key, and when the committed ciphertext is not the one it wrote", async () => {
    const root = tempRepo();
    mkdirSync(join(root, ".secrets"));
    writeFileSync(join(root, ".secrets", "dev.env"), envFile(devValues));
    await sealEnvironment({ environment: "dev", root, certFile: join(root, "cert.pem") });

    const rotated = throwawaySealingKey();
    writeFileSync(join(root, "new-cert.pem"), rotated.certificatePem);
    const afterRotation = await sealEnvironment({ environment: "dev", root, certFile: join(root, "new-cert.pem") });
    assert.equal(afterRotation.sealed.length, 5);
    const sealed = readSealed(root);
    assert.equal(
      openValue({ privateKeyPem: rotated.privateKeyPem, namespace: "todo-dev", name: "todo-backend-secret", sealed: sealed["todo-backend-secret"]!.OPENAI_API_KEY! }),
      devValues["todo-backend-secret.OPENAI_API_KEY"],
    );

    // A teammate re-sealed one value: the committed ciphertext is not the recorded one.
    const theirs = JSON.parse(JSON.stringify(sealed)) as Record<string, Record<string, string>>;
    theirs["todo-backend-secret"]!.OPENAI_API_KEY = sealed["todo-auth-secret"]!.BETTER_AUTH_SECRET!;
    writeFileSync(join(root, "environments", "dev.sealed.json"), formatSealedFile(theirs, "todo-dev"));
    const resealed = await sealEnvironment({ environment: "dev", root, certFile: join(root, "new-cert.pem") });
    assert.deepEqual(resealed.sealed, ["todo-backend-secret.OPENAI_API_KEY"]);
  });

  it("migrates a file written before sealedFor was recorded: the unchanged ciphertexts are kept, the record is added, and it renders", async () => {
    const root = tempRepo();
    mkdirSync(join(root, ".secrets"));
    writeFileSync(join(root, ".secrets", "dev.env"), envFile(devValues));
    await sealEnvironment({ environment: "dev", root, certFile: join(root, "cert.pem") });
    const values = readSealed(root);
    // The earlier format: Secret → key → sealed value.
    writeFileSync(join(root, "environments", "dev.sealed.json"), `${JSON.stringify(values, null, 2)}\n`);
    await assert.rejects(loadEnvironment("dev", root), /todo-auth-secret = "\(sealed: BETTER_AUTH_SECRET\)": written without the namespace its values were sealed for .*npm run seal -- dev/);

    const migrated = await sealEnvironment({ environment: "dev", root, certFile: join(root, "cert.pem") });
    assert.deepEqual([migrated.sealed, migrated.kept.length, migrated.written], [[], 5, true]);
    assert.equal(readFileSync(join(root, "environments", "dev.sealed.json"), "utf8"), formatSealedFile(values, "todo-dev"));
    assert.deepEqual((await loadEnvironment("dev", root)).sealedSecrets, values);
  });

  it("keeps the fingerprints out of Git's reach and free of plaintext", async () => {
    const root = tempRepo();
    mkdirSync(join(root, ".secrets"));
    writeFileSync(join(root, ".secrets", "dev.env"), envFile(devValues));
    await sealEnvironment({ environment: "dev", root, certFile: join(root, "cert.pem") });
    const state = readFileSync(join(root, ".secrets", "dev.seal-state.json"), "utf8");
    for (const value of Object.values(devValues)) assert.ok(!state.includes(value));
    assert.equal(statSync(join(root, ".secrets", "fingerprint.key")).mode & 0o077, 0, "the key is private to its owner");
    const sealedText = readFileSync(join(root, "environments", "dev.sealed.json"), "utf8");
    for (const fingerprint of Object.values(JSON.parse(state) as Record<string, { fingerprint: string }>)) {
      assert.ok(!sealedText.includes(fingerprint.fingerprint), "no fingerprint in the committed file");
    }
  });

  it("prompts for each key the environment reads when there is no file", async () => {
    const root = tempRepo();
    const questions: string[] = [];
    const answers = ["postgres://user:pw@db.example:5432/todo", "sk-prompted-value", "auth-secret-value"];
    const result = await sealEnvironment({
      environment: "prod",
      root,
      certFile: join(root, "cert.pem"),
      ask: async (question) => {
        questions.push(question);
        return answers[questions.length - 1]!;
      },
    });
    assert.deepEqual(
      questions.map((q) => q.split(" ")[1]),
      ["todo-backend-secret.DATABASE_URL", "todo-backend-secret.OPENAI_API_KEY", "todo-auth-secret.BETTER_AUTH_SECRET"],
    );
    assert.equal(result.sealed.length, 3);
    assert.equal(open("todo-prod", "todo-backend-secret", readSealed(root, "prod")["todo-backend-secret"]!.DATABASE_URL!), answers[0]);
  });

  it("prompts on a terminal from the command line: the questions on stderr, the answers unseen", async () => {
    const root = tempRepo();
    const terminal = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => terminal });
    const answers = ["postgres://user:pw@db.example:5432/todo", "sk-typed-value", "auth-typed-value"];
    const stdout = new Captured();
    const stderr = {
      text: "",
      write(text: string) {
        this.text += text;
        // A question ends with ": "; the user types the answer and Enter.
        if (text.endsWith(": ")) setImmediate(() => terminal.write(`${answers.shift()}\r`));
        return true;
      },
    };
    const exitCode = await run({ argv: ["seal", "prod", "--cert", join(root, "cert.pem")], root, stdout, stderr, input: terminal });
    assert.equal(exitCode, 0, stderr.text);
    assert.deepEqual(answers, [], "every question was asked");
    assert.match(stderr.text, /^prod todo-backend-secret\.DATABASE_URL \(hidden; empty to skip\): $/m);
    assert.doesNotMatch(stderr.text + stdout.text, /sk-typed-value|auth-typed-value|user:pw/);
    assert.match(stdout.text, /prod\.sealed\.json: 3 sealed/);
    assert.equal(open("todo-prod", "todo-auth-secret", readSealed(root, "prod")["todo-auth-secret"]!.BETTER_AUTH_SECRET!), "auth-typed-value");
  });

  it("fails naming the environment, the line, the key and the rule, and writes nothing", async () => {
    const root = tempRepo();
    writeFileSync(join(root, "environments", "dev.sealed.json"), "{}\n");
    writeFileSync(join(root, "bad.env"), envFile({ ...devValues, "todo-backend-secret.OPENAI_KEY": "sk-leaked-if-printed" }));
    const run = await runSeal(root, ["dev", "--cert", join(root, "cert.pem"), "--from-env-file", join(root, "bad.env")]);
    assert.equal(run.exitCode, 1);
    assert.match(run.stderr, /dev: .*bad\.env:7 todo-backend-secret: unknown key \(the line is not shown: it may hold a value\).*did you mean todo-backend-secret\.OPENAI_API_KEY\?/);
    assert.match(run.stderr, /Nothing was written\./);
    assert.doesNotMatch(run.stderr + run.stdout, /sk-leaked-if-printed/);
    assert.equal(readFileSync(join(root, "environments", "dev.sealed.json"), "utf8"), "{}\n");
    assert.ok(!existsSync(join(root, ".secrets")), "not even the fingerprint key");
  });

  it("explains what is missing: the env file, the certificate file, the environment", async () => {
    const root = tempRepo();
    const noInput = await runSeal(root, ["dev", "--cert", join(root, "cert.pem")]);
    assert.equal(noInput.exitCode, 1);
    assert.match(noInput.stderr, /dev: \.secrets\/dev\.env: the file does not exist and there is no terminal to prompt on: copy \.secrets\/dev\.env\.example/);

    writeFileSync(join(root, "values.env"), envFile(devValues));
    const noCert = await runSeal(root, ["dev", "--cert", join(root, "missing.pem"), "--from-env-file", join(root, "values.env")]);
    assert.match(noCert.stderr, /^dev: --cert \S*missing\.pem: cannot read it \(ENOENT\)$/m);

    const expired = throwawaySealingKey({ notBefore: new Date("2020-01-01T00:00:00Z"), notAfter: new Date("2021-01-01T00:00:00Z") });
    writeFileSync(join(root, "expired.pem"), expired.certificatePem);
    const expiredCert = await runSeal(root, ["dev", "--cert", join(root, "expired.pem"), "--from-env-file", join(root, "values.env")]);
    assert.match(expiredCert.stderr, /dev: --cert .*expired\.pem: sealing: the certificate expired on 2021-01-01/);

    // A file that is not a certificate at all (a slip of the shell's completion): named, with what it should hold.
    writeFileSync(join(root, "README.md"), "# not a certificate\n");
    const notPem = await runSeal(root, ["dev", "--cert", join(root, "README.md"), "--from-env-file", join(root, "values.env")]);
    assert.equal(notPem.exitCode, 1);
    assert.match(notPem.stderr, /^dev: --cert \S*README\.md: sealing: expected a PEM certificate/m);

    const unknown = await runSeal(root, ["no-such-env", "--cert", join(root, "cert.pem"), "--from-env-file", join(root, "values.env")]);
    assert.match(unknown.stderr, /^environments\/no-such-env\.ts: unknown environment no-such-env \(there is no such file\): the environments are dev, prod/);
    assert.doesNotMatch(unknown.stderr, /invalid settings/, "a misspelt name is not a bad setting");
    const misspelt = await runSeal(root, ["devv", "--cert", join(root, "cert.pem"), "--from-env-file", join(root, "values.env")]);
    assert.match(misspelt.stderr, /^environments\/devv\.ts: unknown environment devv \(there is no such file\): the environments are dev, prod.*; did you mean dev\?\nNothing was written\.\n$/);
    assert.ok(!existsSync(join(root, "environments", "dev.sealed.json")));
  });
});

describe("the certificate from the cluster", () => {
  /** A stand-in for kubectl: answers like a cluster with the controller, or fails at `failAt`. */
  function fakeKubectl(root: string, failAt?: "readyz" | "service", context = "todo"): string {
    const script = join(root, "kubectl");
    const cert = join(root, "cert.pem");
    writeFileSync(
      script,
      `#!/bin/sh
# The current context is another cluster's: only an explicit --context ${context} reaches "${context}".
ctx=other-cluster
if [ "$1" = "--context" ]; then ctx=$2; shift 2; fi
echo "[$ctx] $*" >> "${root}/kubectl.log"
case "$*" in
  "version --client") echo "Client Version: v1.35.0"; exit 0 ;;
  "config get-contexts ${context} --output name") echo "${context}"; exit 0 ;;
  "config get-contexts "*) echo "error: context not found" >&2; exit 1 ;;
esac
[ "$ctx" = ${context} ] || { echo "talked to context $ctx" >&2; exit 3; }
case "$*" in
  *"/readyz"*) ${failAt === "readyz" ? 'echo "The connection to the server 127.0.0.1:8443 was refused" >&2; exit 1' : "echo ok"} ;;
  *"get service"*) ${failAt === "service" ? 'echo "Error from server (NotFound): services \\"sealed-secrets-controller\\" not found" >&2; exit 1' : `echo '{"spec":{"ports":[{"name":"http","port":8080}]}}'`} ;;
  *"/proxy/v1/cert.pem"*) cat "${cert}" ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
`,
    );
    chmodSync(script, 0o755);
    return script;
  }

  it("is fetched through the controller Service's proxy when --cert is not given", async () => {
    const root = tempRepo();
    writeFileSync(join(root, "values.env"), envFile(devValues));
    const kubectl = fakeKubectl(root);
    await sealEnvironment({ environment: "dev", root, envFile: join(root, "values.env"), kubectl, controller: { namespace: "kube-system", name: "sealed-secrets-controller" } });
    const log = readFileSync(join(root, "kubectl.log"), "utf8");
    assert.match(log, /--namespace kube-system get service sealed-secrets-controller --output json/);
    // Every call that reaches a cluster names the cluster's context, never kubectl's current one.
    const clusterCalls = log.trim().split("\n").filter((line) => !/ (version --client|config get-contexts .*)$/.test(line));
    assert.ok(clusterCalls.length >= 3 && clusterCalls.every((line) => line.startsWith("[todo] ")), log);
    assert.match(log, /get --raw \/api\/v1\/namespaces\/kube-system\/services\/http:sealed-secrets-controller:http\/proxy\/v1\/cert\.pem/);
    assert.doesNotMatch(log, /get secret/, "the sealing key's Secret is never read");
    assert.equal(open("todo-dev", "todo-backend-secret", readSealed(root)["todo-backend-secret"]!.OPENAI_API_KEY!), devValues["todo-backend-secret.OPENAI_API_KEY"]);
  });

  it("comes from the controller of the cluster the environment runs on (its delivery.cluster), in that cluster's context", async () => {
    const root = tempRepo();
    // A second cluster, with its own profile (so its own kubectl context) and the controller where kubeseal looks by default.
    mkdirSync(join(root, "clusters/kind"));
    writeFileSync(
      join(root, "clusters/kind/cluster.ts"),
      readFileSync(join(root, "clusters/minikube/cluster.ts"), "utf8")
        .replace('name: "minikube"', 'name: "kind"')
        .replace('profile: "todo"', 'profile: "todo-kind"')
        .replace('namespace: "sealed-secrets",\n    name: "sealed-secrets-controller"', 'namespace: "kube-system",\n    name: "sealed-secrets"'),
    );
    writeFileSync(join(root, "environments/qa.ts"), 'export default { delivery: { cluster: "kind" } };\n');
    copyFileSync(join(root, "environments/dev.images.json"), join(root, "environments/qa.images.json"));
    writeFileSync(join(root, "values.env"), envFile(devValues));
    const run = await runSeal(root, ["qa", "--from-env-file", join(root, "values.env")], fakeKubectl(root, undefined, "todo-kind"));
    assert.equal(run.exitCode, 0, run.stderr);
    const log = readFileSync(join(root, "kubectl.log"), "utf8");
    const clusterCalls = log.trim().split("\n").filter((line) => !/ (version --client|config get-contexts .*)$/.test(line));
    assert.ok(clusterCalls.length >= 3 && clusterCalls.every((line) => line.startsWith("[todo-kind] ")), log);
    assert.match(log, /--namespace kube-system get service sealed-secrets --output json/);
    assert.equal(open("todo-qa", "todo-backend-secret", readSealed(root, "qa")["todo-backend-secret"]!.OPENAI_API_KEY!), devValues["todo-backend-secret.OPENAI_API_KEY"]);
    // dev, on minikube, is not sealed by the kind cluster's controller: its context is minikube's, which this kubectl does not know.
    const dev = await runSeal(root, ["dev", "--from-env-file", join(root, "values.env")], join(root, "kubectl"));
    assert.equal(dev.exitCode, 1);
    assert.match(dev.stderr, /kubectl has no context "todo", cluster minikube's \(clusters\/minikube\/cluster\.ts profile\)/);
  });

  it("names what is missing: kubectl, the cluster, the controller", async () => {
    const root = tempRepo();
    writeFileSync(join(root, "values.env"), envFile(devValues));
    const base = { environment: "dev", root, envFile: join(root, "values.env") };
    await assert.rejects(sealEnvironment({ ...base, kubectl: join(root, "no-such-kubectl") }), /kubectl was not found .*--cert <file>/);
    await assert.rejects(sealEnvironment({ ...base, kubectl: fakeKubectl(root), context: "staging-cluster" }), /kubectl has no context "staging-cluster".*npm run cluster:up/);
    await assert.rejects(sealEnvironment({ ...base, kubectl: fakeKubectl(root, "readyz") }), /cluster of kubectl context "todo" is not reachable \(The connection to the server 127\.0\.0\.1:8443 was refused\)/);
    await assert.rejects(
      sealEnvironment({ ...base, kubectl: fakeKubectl(root, "service") }),
      /controller's Service sealed-secrets\/sealed-secrets-controller was not found in context "todo" .*Is the controller installed/,
    );
    assert.ok(!existsSync(join(root, "environments", "dev.sealed.json")));
  });
});

it("`npm run seal` runs from the command line and fails cleanly on an unknown environment", () => {
  const result = spawnSync(process.execPath, [...NODE_ARGS, join(REPO_ROOT, "generator", "secrets", "seal-cli.ts"), "no-such-env", "--cert", "x.pem"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /environments\/no-such-env\.ts: unknown environment no-such-env \(there is no such file\): the environments are .*dev/);
  assert.match(result.stderr, /Nothing was written\./);
});
