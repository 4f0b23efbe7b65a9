/**
 * `npm run images` without a cluster: a fake `minikube` (a shell stub on PATH)
 * records every call and answers like the real one; the app source is a real
 * git repository made in a temporary directory.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { minikube } from "../clusters/minikube/cluster.ts";
import { type AppImageFacts, backendImage, frontendImage } from "../generator/images.ts";
import { run, SOURCE_ENV } from "./build-images.ts";

const FAKE_MINIKUBE = `#!/bin/sh
# Fake minikube: logs each call (one argument per tab-separated field) and answers from FAKE_* variables.
line=CALL
for arg in "$@"; do line="$line	$arg"; done
printf '%s\\n' "$line" >> "$FAKE_LOG"
if [ "$1" = "-p" ]; then shift 2; fi
case "$1 $2" in
  "status -o")
    printf '%s\\n' "$FAKE_STATUS"
    exit "\${FAKE_STATUS_EXIT:-0}" ;;
  "profile list")
    printf '%s\\n' "$FAKE_PROFILES" ;;
  "image build")
    tag=""; previous=""
    for arg in "$@"; do
      if [ "$previous" = "-t" ]; then tag="$arg"; fi
      previous="$arg"; context="$arg"
    done
    mkdir -p "$FAKE_CONTEXTS/$tag"
    (cd "$context" && find . -type f -o -type l) | LC_ALL=C sort > "$FAKE_CONTEXTS/$tag/files"
    cp "$context/Dockerfile" "$context/.dockerignore" "$FAKE_CONTEXTS/$tag/"
    if [ -f "$context/app/page.tsx" ]; then cp "$context/app/page.tsx" "$FAKE_CONTEXTS/$tag/"; fi
    case " $FAKE_BUILD_FAILS " in *" $tag "*) echo "ERROR: failed to solve" >&2; exit 1 ;; esac
    case " $FAKE_BUILD_FAILS_SILENTLY " in *" $tag "*) exit 0 ;; esac
    echo "\${FAKE_STORE_PREFIX-docker.io/library/}$tag" >> "$FAKE_STORE" ;;
  "image ls")
    [ "$3 $4" = "--format json" ] || { echo "fake minikube: only --format json is answered" >&2; exit 64; }
    # Each stored image with its size in bytes: FAKE_SIZES holds <repository>=<bytes> pairs, 100 MB otherwise.
    separator=""
    printf '['
    if [ -f "$FAKE_STORE" ]; then
      while read -r reference; do
        name=\${reference##*/}; repository=\${name%%:*}; size=100000000
        for pair in $FAKE_SIZES; do [ "\${pair%%=*}" = "$repository" ] && size=\${pair#*=}; done
        printf '%s{"id":"%s","repoDigests":[],"repoTags":["%s"],"size":"%s"}' "$separator" "$repository" "$reference" "$size"
        separator=","
      done < "$FAKE_STORE"
    fi
    printf ']\n' ;;
  *)
    echo "fake minikube: unexpected call: $*" >&2
    exit 64 ;;
esac
`;

const RUNNING = JSON.stringify({ Name: minikube.profile, Host: "Running", Kubelet: "Running", APIServer: "Running", Kubeconfig: "Configured" });
const profiles = (runtime: string) =>
  JSON.stringify({ invalid: [], valid: [{ Name: minikube.profile, Status: "OK", Config: { KubernetesConfig: { ContainerRuntime: runtime } } }] });

let root: string;
let fakeBin: string;
let counter = 0;

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args], {
    cwd,
    encoding: "utf8",
  }).trim();
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** A Todo app source: a git work tree with frontend/ and backend/, and ignored build output that must stay out of images. */
function appSource(): string {
  const src = join(root, `app-${++counter}`);
  write(join(src, ".gitignore"), "node_modules/\n.venv/\n__pycache__/\n");
  write(join(src, "frontend/package.json"), '{"name":"todo-frontend","scripts":{"build":"next build"}}\n');
  write(join(src, "frontend/package-lock.json"), "{}\n");
  write(join(src, "frontend/next.config.mjs"), "export default { output: 'standalone' };\n");
  write(join(src, "frontend/app/page.tsx"), "export default function Page() { return null; }\n");
  write(join(src, "frontend/node_modules/next/index.js"), "// installed on the host, never sent\n");
  write(join(src, "backend/requirements.txt"), "fastapi\nuvicorn\nalembic\n");
  write(join(src, "backend/app/main.py"), "app = None\n");
  write(join(src, "backend/.venv/bin/python"), "");
  write(join(src, "README.md"), "# todo\n");
  git(src, "init", "-q", "-b", "main");
  git(src, "add", "-A");
  git(src, "commit", "-q", "-m", "app");
  git(src, "remote", "add", "origin", "https://someone:s3cret@example.com/org/todo-app.git");
  return src;
}

interface Fake {
  dir: string;
  env: NodeJS.ProcessEnv;
}

function fake(overrides: Record<string, string> = {}): Fake {
  const dir = mkdtempSync(join(root, "fake-"));
  mkdirSync(join(dir, "contexts"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${fakeBin}${delimiter}${process.env.PATH ?? ""}`,
    FAKE_LOG: join(dir, "calls"),
    FAKE_STORE: join(dir, "store"),
    FAKE_CONTEXTS: join(dir, "contexts"),
    FAKE_STATUS: RUNNING,
    FAKE_PROFILES: profiles("docker"),
    FAKE_BUILD_FAILS: "",
    FAKE_BUILD_FAILS_SILENTLY: "",
    FAKE_SIZES: "",
    ...overrides,
  };
  delete env[SOURCE_ENV];
  return { dir, env };
}

function images(argv: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = run(argv, { env, profile: minikube.profile, out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** The fake minikube's calls, each as its argument list. */
function calls(f: Fake): string[][] {
  if (!existsSync(join(f.dir, "calls"))) return [];
  return readFileSync(join(f.dir, "calls"), "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => line.split("\t").slice(1));
}

function builds(f: Fake): string[][] {
  return calls(f).filter((args) => args[2] === "image" && args[3] === "build");
}

function expectedBuild(repository: string, tag: string, args: Record<string, string>, option = (n: string, v: string) => `build-arg=${n}=${v}`) {
  return [
    "-p", minikube.profile, "image", "build",
    "-t", `${repository}:${tag}`,
    "-f", "Dockerfile",
    ...Object.entries(args).map(([name, value]) => `--build-opt=${option(name, value)}`),
  ];
}

before(() => {
  root = mkdtempSync(join(tmpdir(), "build-images-test-"));
  fakeBin = join(root, "bin");
  mkdirSync(fakeBin);
  writeFileSync(join(fakeBin, "minikube"), FAKE_MINIKUBE);
  chmodSync(join(fakeBin, "minikube"), 0o755);
});

after(() => rmSync(root, { recursive: true, force: true }));

describe("npm run images", () => {
  it("builds both images at the source's short SHA, with build args from generator/images.ts, and prints the release command", () => {
    const src = appSource();
    const sha = git(src, "rev-parse", "HEAD");
    const short = git(src, "rev-parse", "--short=7", "HEAD");
    const f = fake();
    const result = images(["--src", src], f.env);
    assert.equal(result.code, 0, result.err);

    const labels = { SOURCE_URL: "https://example.com/org/todo-app.git", REVISION: sha, VERSION: short };
    const fromImages = (image: AppImageFacts) => ({
      PORT: String(image.port),
      APP_UID: String(image.uid),
      APP_GID: String(image.gid),
      APP_USER: image.user,
    });
    const made = builds(f);
    assert.deepEqual(made.map((args) => args.slice(0, -1)), [
      expectedBuild(frontendImage.repository, short, { ...fromImages(frontendImage), ...labels }),
      expectedBuild(backendImage.repository, short, { ...fromImages(backendImage), ...labels }),
    ]);
    // The staged contexts are temporary and removed afterwards.
    for (const args of made) assert.equal(existsSync(args.at(-1)!), false, `context ${args.at(-1)} is removed`);

    // Every call, in order: the cluster is checked before anything is built, and each build is verified.
    assert.deepEqual(
      calls(f).map((args) => args.filter((a) => !a.startsWith("--build-opt") && !a.startsWith("/")).join(" ")),
      [
        `-p ${minikube.profile} status -o json`,
        "profile list -o json",
        `-p ${minikube.profile} image build -t todo-frontend:${short} -f Dockerfile`,
        `-p ${minikube.profile} image ls --format json`,
        `-p ${minikube.profile} image build -t todo-backend:${short} -f Dockerfile`,
        `-p ${minikube.profile} image ls --format json`,
      ],
    );
    assert.match(result.out, new RegExp(`npm run release -- dev frontend=${short} backend=${short}$`));
    assert.doesNotMatch(result.out + result.err, /s3cret/);
  });

  it("sends the git-known app files with this repository's Dockerfile and ignore file, never ignored build output", () => {
    const src = appSource();
    const short = git(src, "rev-parse", "--short=7", "HEAD");
    const f = fake();
    assert.equal(images(["--src", src], f.env).code, 0);

    const contexts = join(f.dir, "contexts");
    const frontend = readFileSync(join(contexts, `todo-frontend:${short}`, "files"), "utf8").trim().split("\n");
    assert.deepEqual(frontend, ["./.dockerignore", "./Dockerfile", "./app/page.tsx", "./next.config.mjs", "./package-lock.json", "./package.json"]);
    const backend = readFileSync(join(contexts, `todo-backend:${short}`, "files"), "utf8").trim().split("\n");
    assert.deepEqual(backend, ["./.dockerignore", "./Dockerfile", "./app/main.py", "./requirements.txt"]);
    for (const component of ["frontend", "backend"]) {
      const staged = join(contexts, `todo-${component}:${short}`);
      assert.equal(readFileSync(join(staged, "Dockerfile"), "utf8"), readFileSync(new URL(`./${component}/Dockerfile`, import.meta.url), "utf8"));
      assert.equal(
        readFileSync(join(staged, ".dockerignore"), "utf8"),
        readFileSync(new URL(`./${component}/Dockerfile.dockerignore`, import.meta.url), "utf8"),
      );
    }
  });

  it("takes the source from TODO_APP_SRC, and the tag from --tag", () => {
    const src = appSource();
    const f = fake();
    const result = images(["--tag", "1.2.3"], { ...f.env, [SOURCE_ENV]: src });
    assert.equal(result.code, 0, result.err);
    assert.deepEqual(builds(f).map((args) => args[5]), ["todo-frontend:1.2.3", "todo-backend:1.2.3"]);
    assert.ok(builds(f).every((args) => args.includes("--build-opt=build-arg=VERSION=1.2.3")));
    assert.match(result.out, /npm run release -- dev frontend=1\.2\.3 backend=1\.2\.3$/);
  });

  it("passes build args the way a containerd node's buildctl takes them", () => {
    const src = appSource();
    const short = git(src, "rev-parse", "--short=7", "HEAD");
    const f = fake({ FAKE_PROFILES: profiles("containerd") });
    assert.equal(images(["--src", src], f.env).code, 0);
    const frontend = builds(f)[0]!;
    const port = String(frontendImage.port);
    assert.deepEqual(frontend.slice(0, 9), expectedBuild("todo-frontend", short, { PORT: port }, (n, v) => `opt=build-arg:${n}=${v}`));
    assert.ok(frontend.every((arg) => !arg.startsWith("--build-opt=build-arg")), "no docker-style build args on containerd");
  });

  it("refuses a dirty tree when the tag would be its commit, and builds it with a warning under an explicit --tag", () => {
    const src = appSource();
    const sha = git(src, "rev-parse", "HEAD");
    write(join(src, "frontend/app/page.tsx"), "export default function Page() { return 'changed'; }\n");
    write(join(src, "backend/app/new.py"), "x = 1\n");

    const refused = fake();
    const result = images(["--src", src], refused.env);
    assert.equal(result.code, 1);
    assert.match(result.err, /has uncommitted changes in frontend\/ or backend\//);
    assert.match(result.err, /M frontend\/app\/page\.tsx/);
    assert.match(result.err, /\?\? backend\/app\/new\.py/);
    assert.match(result.err, /Commit them, or pass --tag <tag>/);
    assert.deepEqual(calls(refused), [], "minikube is not called");

    const tagged = fake();
    const built = images(["--src", src, "--tag", "wip-1"], tagged.env);
    assert.equal(built.code, 0, built.err);
    assert.match(built.err, /warning: building uncommitted changes .* as tag wip-1 \(revision label [0-9a-f]{40}-dirty\)/);
    assert.ok(builds(tagged).every((args) => args.includes(`--build-opt=build-arg=REVISION=${sha}-dirty`)));
    assert.equal(readFileSync(join(tagged.dir, "contexts", "todo-frontend:wip-1", "page.tsx"), "utf8"), "export default function Page() { return 'changed'; }\n");
    assert.match(readFileSync(join(tagged.dir, "contexts", "todo-backend:wip-1", "files"), "utf8"), /\.\/app\/new\.py/);
  });

  it("names every missing input at once, before touching the cluster", () => {
    const f = fake();
    const none = images([], f.env);
    assert.equal(none.code, 1);
    assert.match(none.err, /no app source: pass --src <dir> or set TODO_APP_SRC/);

    const src = join(root, `incomplete-${++counter}`);
    write(join(src, "frontend/package.json"), "{}\n");
    const incomplete = images(["--src", src, "--tag", "latest"], f.env);
    assert.equal(incomplete.code, 1);
    assert.match(incomplete.err, /app source is missing frontend\/package-lock\.json/);
    assert.match(incomplete.err, /has no backend\/ directory/);
    assert.match(incomplete.err, /--tag latest is refused/);
    assert.match(incomplete.err, /is not a git work tree/);

    const absent = images(["--src", join(root, "does-not-exist")], f.env);
    assert.match(absent.err, /app source .*does-not-exist is not a directory/);
    assert.match(images(["--src", appSource(), "--tag", "-bad"], f.env).err, /--tag "-bad" is not a valid image tag/);
    assert.deepEqual(calls(f), [], "minikube is not called");
  });

  it("says when minikube or git is not on PATH", () => {
    const src = appSource();
    const gitOnly = join(root, `git-only-${++counter}`);
    mkdirSync(gitOnly);
    symlinkSync(execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim(), join(gitOnly, "git"));
    const noMinikube = images(["--src", src], { ...fake().env, PATH: gitOnly });
    assert.equal(noMinikube.code, 1);
    assert.match(noMinikube.err, /minikube is not on PATH: install it/);
    assert.doesNotMatch(noMinikube.err, /git is not on PATH/);

    const nothing = images(["--src", src], { ...fake().env, PATH: join(root, "empty") });
    assert.match(nothing.err, /git is not on PATH/);
    assert.match(nothing.err, /minikube is not on PATH/);
  });

  it("stops when the minikube profile is not running", () => {
    const src = appSource();
    const stopped = fake({ FAKE_STATUS: JSON.stringify({ Name: minikube.profile, Host: "Stopped" }), FAKE_STATUS_EXIT: "7" });
    const result = images(["--src", src], stopped.env);
    assert.equal(result.code, 1);
    assert.match(result.err, new RegExp(`minikube profile "${minikube.profile}" .* is not running \\(host: Stopped\\): start it with \`npm run cluster:up\` \\(or \`minikube start -p ${minikube.profile}\`\\)`));
    assert.deepEqual(builds(stopped), []);

    const missing = fake({ FAKE_STATUS: `* Profile "${minikube.profile}" not found.`, FAKE_STATUS_EXIT: "85" });
    const absent = images(["--src", src], missing.env);
    assert.match(absent.err, /is not running: start it .*\n.*minikube said: \* Profile "todo" not found\./);
    assert.deepEqual(builds(missing), []);
  });

  it("fails when a build fails, also when minikube exits 0 without producing the image", () => {
    const src = appSource();
    const short = git(src, "rev-parse", "--short=7", "HEAD");
    const loud = fake({ FAKE_BUILD_FAILS: `todo-frontend:${short}` });
    const failed = images(["--src", src], loud.env);
    assert.equal(failed.code, 1);
    assert.match(failed.err, new RegExp(`minikube image build of todo-frontend:${short} failed \\(exit 1\\)`));
    assert.equal(builds(loud).length, 1, "the backend is not built after the frontend failed");
    assert.doesNotMatch(failed.out, /npm run release/);

    const silent = fake({ FAKE_BUILD_FAILS_SILENTLY: `todo-backend:${short}` });
    const missing = images(["--src", src], silent.env);
    assert.equal(missing.code, 1);
    assert.match(missing.err, new RegExp(`todo-backend:${short} is not in minikube's image store after the build`));
    assert.doesNotMatch(missing.out, /npm run release/);
  });

  it("prints each image's size against its limit from generator/images.ts, and passes at the limit exactly", () => {
    const src = appSource();
    const short = git(src, "rev-parse", "--short=7", "HEAD");
    const atLimit = fake({ FAKE_SIZES: `todo-frontend=${frontendImage.maxSizeMB * 1_000_000} todo-backend=187654321` });
    const result = images(["--src", src], atLimit.env);
    assert.equal(result.code, 0, result.err);
    assert.ok(result.out.includes(`todo-frontend:${short}: ${frontendImage.maxSizeMB}.0 MB (limit ${frontendImage.maxSizeMB} MB)`), result.out);
    assert.ok(result.out.includes(`todo-backend:${short}: 187.7 MB (limit ${backendImage.maxSizeMB} MB)`), result.out);
    assert.match(result.out, /npm run release -- dev/);
  });

  it("finds the image however the runtime names it: docker lists it without docker.io/library/", () => {
    const src = appSource();
    const f = fake({ FAKE_STORE_PREFIX: "", FAKE_SIZES: "todo-backend=600000000" });
    const result = images(["--src", src], f.env);
    assert.equal(result.code, 1, "the backend's size was read from its plain reference");
    assert.match(result.err, /todo-backend:\w+ is 600\.0 MB/);
  });

  it("fails naming every image over its limit, its size and the limit, after building them all, and prints no release command", () => {
    const src = appSource();
    const short = git(src, "rev-parse", "--short=7", "HEAD");
    const frontendBytes = frontendImage.maxSizeMB * 1_000_000 + 1;
    const backendBytes = 734_500_000;
    assert.ok(backendBytes > backendImage.maxSizeMB * 1_000_000, "the test's backend is over its limit");
    const f = fake({ FAKE_SIZES: `todo-frontend=${frontendBytes} todo-backend=${backendBytes}` });
    const result = images(["--src", src], f.env);
    assert.equal(result.code, 1);
    assert.equal(builds(f).length, 2, "the backend is built although the frontend is too large");
    assert.match(result.err, /^npm run images: built, but too large to deploy:\n/);
    assert.ok(
      result.err.includes(
        `  - todo-frontend:${short} is ${frontendImage.maxSizeMB}.0 MB (${frontendBytes} bytes), over the frontend image's limit of ${frontendImage.maxSizeMB} MB ` +
          "(generator/images.ts, maxSizeMB): keep build tools, caches and development dependencies out of the final stage of docker/frontend/Dockerfile",
      ),
      result.err,
    );
    assert.ok(result.err.includes(`  - todo-backend:${short} is 734.5 MB (${backendBytes} bytes), over the backend image's limit of ${backendImage.maxSizeMB} MB `), result.err);
    assert.doesNotMatch(result.out, /npm run release/);
  });

  it("fails when minikube gives the image no size it can read", () => {
    const src = appSource();
    const result = images(["--src", src], fake({ FAKE_SIZES: "todo-frontend=12.5MB" }).env);
    assert.equal(result.code, 1);
    assert.match(result.err, /minikube image ls --format json gives todo-frontend:\w+ no size in bytes \(size: "12\.5MB"\), so its limit cannot be checked/);
  });

  it("rejects unknown options with commander's usage error", () => {
    const result = images(["--source", "x"], fake().env);
    assert.equal(result.code, 1);
    assert.match(result.err, /unknown option '--source'/);
  });
});
