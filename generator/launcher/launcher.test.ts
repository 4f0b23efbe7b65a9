import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Result, generatorCli, releaseCli, renderedFiles } from "../testing/cli.ts";
import { REPO_ROOT } from "../load/environments.ts";
import { generatorSources } from "../release/render-inputs.ts";
import { NODE_ARGS } from "../testing/node.ts";
import { scratchRepository } from "../testing/scratch.ts";

const scratch = scratchRepository("todo-launcher-");
after(() => rmSync(scratch, { recursive: true, force: true }));

function run(args: string[]): Result {
  const { status, stdout, stderr } = spawnSync(process.execPath, args, { cwd: scratch, encoding: "utf8" });
  return { status, stdout, stderr };
}
const compiled = (...args: string[]) => run([join(scratch, "generator/launcher/cli.mjs"), ...args]);
// The same CLI from its TypeScript sources, in-process (generator/testing/cli.ts): what the bundle must match.
const typescript = (...args: string[]) => generatorCli(scratch, ...args);

const snapshot = () => renderedFiles(scratch);

/** package.json's engines.node, e.g. >=22.19.0. */
const engines = (): string => (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A node binary older than package.json's engines (the system's Node 20, say), with its version; none on a machine without one. */
function nodeOutsideEngines(): { path: string; version: string } | undefined {
  const onPath = (process.env.PATH ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, "node"));
  for (const path of new Set(["/usr/bin/node", ...onPath])) {
    if (!existsSync(path)) continue;
    // The repository's own check, run by that Node (require-node.mjs: plain JavaScript, exit 1 and one line when it is too old).
    const check = spawnSync(path, ["--import", join(REPO_ROOT, "generator/launcher/require-node.mjs"), "--eval", ""], { encoding: "utf8" });
    const version = spawnSync(path, ["--version"], { encoding: "utf8" }).stdout?.trim();
    if (check.status === 1 && /is too old for this repository/.test(check.stderr) && version) return { path, version };
  }
  return undefined;
}

/** npm's own CLI script: the one running the tests (npm_execpath), else the npm on PATH. */
function npmCliPath(): string | undefined {
  const candidates = [process.env.npm_execpath, ...(process.env.PATH ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, "npm"))];
  for (const candidate of candidates) {
    if (!candidate || !existsSync(candidate)) continue;
    const real = realpathSync(candidate);
    if (/npm-cli\.js$/.test(real)) return real;
  }
  return undefined;
}

/** Runs `body` with `file` changed by `change`, then restores it (after the body's promise settles, if it returns one). */
async function withEdit<T>(file: string, change: (text: string) => string, body: () => T | Promise<T>): Promise<T> {
  const path = join(scratch, file);
  const original = readFileSync(path, "utf8");
  const changed = change(original);
  assert.notEqual(changed, original, `the edit of ${file} no longer applies`);
  writeFileSync(path, changed);
  try {
    return await body();
  } finally {
    writeFileSync(path, original);
  }
}

describe("the compiled CLI (npm run render|check|diff)", () => {
  before(() => {
    assert.equal(compiled("render").status, 0);
  });

  it("prints and exits exactly as the TypeScript CLI does", async () => {
    assert.deepEqual(compiled("render"), await typescript("render"));
    assert.deepEqual(compiled("check"), await typescript("check"));
    assert.deepEqual(compiled("render", "no-such-env"), await typescript("render", "no-such-env"));
    assert.equal(compiled("render", "no-such-env").status, 1);
    await withEdit("environments/staging.ts", (text) => text.replace("backend: { replicas: 2 }", "backend: { replicas: 12 }"), async () => {
      const result = compiled("render");
      assert.deepEqual(result, await typescript("render"));
      assert.match(result.stderr, /staging: environments\/staging\.ts: backend\.replicas = 12: must be an integer from 1 to 10/);
    });
  });

  it("sends every command of the release CLI to it (build.mjs lists them by name), and render, check and diff to the generator's", async () => {
    const releaseCommands = [...(await releaseCli(scratch, "--help")).stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!).filter((name) => name !== "help");
    assert.ok(releaseCommands.includes("rollback"), "the release CLI's --help lists its commands");
    for (const command of releaseCommands) assert.deepEqual(compiled(command, "--help"), await releaseCli(scratch, command, "--help"), command);
    for (const command of ["render", "check", "diff"]) assert.deepEqual(compiled(command, "--help"), await typescript(command, "--help"), command);
  });

  it("rebuilds when a source changes: a typo planted in a component fails the render even with a warm cache", async () => {
    assert.equal(compiled("check").status, 0); // the build and its render cache are warm
    const before = snapshot();
    await withEdit("generator/lib/app-workload.ts", (text) => text.replace("readinessProbe: httpProbe(", "readinesProbe: httpProbe("), () => {
      const result = compiled("render");
      assert.equal(result.status, 1);
      assert.match(result.stderr, /dev: apps\/v1\/Deployment todo-backend: spec\.template\.spec\.containers\[0\]\.readinesProbe: unknown field/);
      assert.match(result.stderr, /Nothing was written/);
      assert.equal(compiled("check").status, 2, "check cannot answer: an error, not a difference");
    });
    assert.deepEqual(snapshot(), before);
    assert.equal(compiled("check").status, 0);
  });

  it("does not rebuild for a settings edit: environment files are loaded at run time, and the render cache stays", async () => {
    assert.equal(compiled("check").status, 0);
    // Every build rewrites the stamp, even one that makes the same bundle again.
    const stamp = () => statSync(join(scratch, ".cache/generator/stamp.json")).mtimeMs;
    const built = stamp();
    const build = (JSON.parse(readFileSync(join(scratch, ".cache/generator/stamp.json"), "utf8")) as { build: string }).build;
    assert.ok(existsSync(join(scratch, ".cache/generator", build, "render-cache.json")), "its render cache beside it");
    const typo = `backend: { replicas: 2, apiAccess: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"], resourceNamez: ["x"] }] }`;
    await withEdit("environments/staging.ts", (text) => text.replace("backend: { replicas: 2 }", typo), async () => {
      const result = compiled("render");
      assert.deepEqual(result, await typescript("render"));
      assert.equal(result.status, 1);
      assert.match(result.stderr, /staging: environments\/staging\.ts: backend\.apiAccess\[0\]\.resourceNamez = \["x"\]: unknown setting; did you mean resourceNames\?/);
    });
    assert.equal(compiled("check").status, 0);
    assert.equal(stamp(), built, "no rebuild");
  });

  it("lists beside the bundle the repository's files it was built from, which the release commands want committed", () => {
    const { build } = JSON.parse(readFileSync(join(scratch, ".cache/generator/stamp.json"), "utf8")) as { build: string };
    const sources = JSON.parse(readFileSync(join(scratch, ".cache/generator", build, "sources.json"), "utf8")) as string[];
    for (const file of ["generator/lib/labels.ts", "generator/render.ts", "generator/release/preconditions.ts", "generator/commands/entry.ts"]) assert.ok(sources.includes(file), file);
    assert.ok(!sources.some((file) => file.includes("node_modules") || file.endsWith(".test.ts")), "only the repository's own code, no test");
  });

  it("lists a module of types only once it is imported, in a build of its own, though the bundle is the same", async () => {
    const stampPath = join(scratch, ".cache/generator/stamp.json");
    const buildOf = () => (JSON.parse(readFileSync(stampPath, "utf8")) as { build: string }).build;
    const sourcesOf = (build: string) => JSON.parse(readFileSync(join(scratch, ".cache/generator", build, "sources.json"), "utf8")) as string[];
    assert.equal(compiled("check").status, 0);
    const before = buildOf();
    const module = "generator/lib/types-only.ts";
    writeFileSync(join(scratch, module), "export type Nothing = never;\n");
    try {
      // verbatimModuleSyntax keeps `import { type … }` as an import of the module, which adds no code to the bundle.
      await withEdit("generator/lib/labels.ts", (text) => `import { type Nothing } from "./types-only.ts";\nexport type NothingAtAll = Nothing;\n${text}`, () => {
        assert.equal(compiled("check").status, 0);
        const after = buildOf();
        assert.equal(readFileSync(join(scratch, ".cache/generator", after, "cli.mjs"), "utf8"), readFileSync(join(scratch, ".cache/generator", before, "cli.mjs"), "utf8"), "the same bundle");
        assert.notEqual(after, before, "a build of its own");
        assert.ok(sourcesOf(after).includes(module), "the new module is listed");
        assert.ok(!sourcesOf(before).includes(module));
      });
    } finally {
      rmSync(join(scratch, module));
    }
    assert.equal(compiled("check").status, 0);
    assert.equal(buildOf(), before, "back to the first build");
  });

  it("goes on, without a stack trace, when whoever reads its output goes away (npm run diff | head): exit code as without the pipe", async () => {
    // The reader closes its end at once ((exec 0<&-; true)), so the CLI's first write to stdout fails with EPIPE.
    const piped = (...args: string[]) =>
      spawnSync("bash", ["-c", 'node "$@" | (exec 0<&-; true); echo "exit ${PIPESTATUS[0]}" >&2', "piped", join(scratch, "generator/launcher/cli.mjs"), ...args], {
        cwd: scratch,
        encoding: "utf8",
      });
    await withEdit("environments/dev.ts", (text) => text.replace('LOG_LEVEL: "DEBUG"', 'LOG_LEVEL: "ERROR"'), () => {
      const diff = piped("diff", "dev");
      assert.doesNotMatch(diff.stderr, /EPIPE|^\s+at /m, diff.stderr);
      assert.match(diff.stderr, /^exit 1$/m, "diff: there are differences, as without the pipe");
    });
    const help = piped("render", "--help");
    assert.doesNotMatch(help.stderr, /EPIPE|^\s+at /m, help.stderr);
    assert.match(help.stderr, /^exit 0$/m);
  });

  it("picks up an environment file that appeared after the last build", async () => {
    cpSync(join(scratch, "environments/staging.ts"), join(scratch, "environments/qa.ts"));
    cpSync(join(scratch, "environments/staging.images.json"), join(scratch, "environments/qa.images.json"));
    try {
      const result = compiled("render", "qa");
      assert.deepEqual(result, await typescript("render", "qa"));
      assert.match(result.stdout, /qa \d+ objects/);
    } finally {
      for (const file of ["environments/qa.ts", "environments/qa.images.json"]) rmSync(join(scratch, file));
      rmSync(join(scratch, "manifests/qa"), { recursive: true, force: true });
    }
  });

  it("refuses a Node.js older than package.json's engines, saying which is needed, before loading anything", async () => {
    const before = snapshot();
    await withEdit("package.json", (text) => text.replace(/"node": ">=[^"]+"/, '"node": ">=99.0.0"'), () => {
      const result = compiled("render");
      assert.equal(result.status, 1);
      assert.match(result.stderr, new RegExp(`^Node\\.js ${process.version.replaceAll(".", "\\.")} is too old for this repository: it needs Node\\.js 99\\.0\\.0 or later`));
      assert.match(result.stderr, /Nothing was written\.\n$/);
      assert.equal(result.stdout, "");
      // check and diff answer with 1 ("there are differences"): they cannot run is 2, and they never write.
      for (const command of ["check", "diff"]) {
        const question = compiled(command);
        assert.equal(question.status, 2, command);
        assert.match(question.stderr, /is too old for this repository: it needs Node\.js 99\.0\.0 or later \(package\.json "engines"; 24 LTS is tested\)\.\n$/, command);
      }
      assert.equal(compiled("history", "dev").status, 1);
      assert.doesNotMatch(compiled("history", "dev").stderr, /Nothing was/);
    });
    assert.deepEqual(snapshot(), before);
  });

  it("every npm script that runs a TypeScript file stops an old Node with one line, before loading it", async () => {
    const scripts = (JSON.parse(readFileSync(join(scratch, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    const typescript = Object.entries(scripts).filter(([, command]) => /^node\b.*\.ts\b/.test(command));
    assert.deepEqual(typescript.map(([name]) => name).sort(), ["bench", "images", "settings:reference", "test", "test:unit"]);
    const unguarded = typescript.filter(([, command]) => !command.includes(" --import ./generator/launcher/require-node.mjs ")).map(([name]) => name);
    assert.deepEqual(unguarded, [], "Node 20 would print ERR_UNKNOWN_FILE_EXTENSION and a stack trace for these");
    await withEdit("package.json", (text) => text.replace(/"node": ">=[^"]+"/, '"node": ">=99.0.0"'), () => {
      for (const [name, command] of typescript) {
        const [, ...args] = command.split(" ");
        const result = run(args);
        assert.equal(result.status, 1, name);
        assert.equal(result.stderr, `Node.js ${process.version} is too old for this repository: it needs Node.js 99.0.0 or later (package.json "engines"; 24 LTS is tested).\n`, name);
        assert.equal(result.stdout, "", name);
      }
    });
  });

  // npm ci with an older Node, when this machine has one (the system's /usr/bin/node, or another node on PATH); npm's own
  // CLI runs under it. Checked by hand as well: Node 20.20.2 is refused, 22.19.0 and 24.22.3 install.
  const olderNode = nodeOutsideEngines();
  const npmCli = npmCliPath();
  it(
    "npm ci refuses a Node outside package.json's engines (.npmrc engine-strict), instead of installing with a warning",
    { skip: !olderNode ? "no Node older than package.json's engines on this machine (/usr/bin/node, PATH)" : !npmCli ? "npm's CLI (npm-cli.js) was not found" : false },
    () => {
      const dir = mkdtempSync(join(tmpdir(), "todo-engines-"));
      try {
        for (const file of ["package.json", "package-lock.json", ".npmrc"]) copyFileSync(join(REPO_ROOT, file), join(dir, file));
        // --dry-run installs nothing and needs no download: the lockfile is the tree; the cache and logs stay in the scratch directory.
        const ci = (node: string) =>
          spawnSync(node, [npmCli!, "ci", "--dry-run", "--ignore-scripts", "--offline", "--cache", join(dir, "cache"), "--logs-max=0", "--no-audit", "--no-fund"], {
            cwd: dir,
            encoding: "utf8",
            // Only the scratch directory's .npmrc: not the settings npm passes to the scripts it runs (npm_config_*), nor the user's.
            env: { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_config_/i.test(name))), npm_config_userconfig: join(dir, "no-user-npmrc") },
          });
        const refused = ci(olderNode!.path);
        assert.equal(refused.status, 1, `${olderNode!.version}: ${refused.stdout}${refused.stderr}`);
        assert.match(refused.stderr, /npm error code EBADENGINE/);
        assert.match(refused.stderr, new RegExp(`Required: \\{"node":"${escapeRegExp(engines())}"\\}`));
        assert.match(refused.stderr, new RegExp(`Actual: +\\{"node":"${escapeRegExp(olderNode!.version)}"`));

        const current = ci(process.execPath);
        assert.equal(current.status, 0, `${process.version}: ${current.stderr}`);
        assert.match(current.stdout, /added \d+ packages/);

        // It is .npmrc that refuses: without it npm only warns, and the same install goes ahead.
        rmSync(join(dir, ".npmrc"));
        const warned = ci(olderNode!.path);
        assert.equal(warned.status, 0, warned.stderr);
        assert.match(warned.stderr, /npm warn EBADENGINE/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it("names the file and writes nothing when the generator's sources do not compile", async () => {
    const before = snapshot();
    await withEdit("generator/lib/labels.ts", (text) => `${text}\nexport const broken = {;\n`, () => {
      const result = compiled("render");
      assert.equal(result.status, 1);
      assert.match(result.stderr, /The generator does not compile:/);
      assert.match(result.stderr, /generator\/lib\/labels\.ts:\d+:\d+/);
      assert.match(result.stderr, /Nothing was written/);
      const diff = compiled("diff");
      assert.equal(diff.status, 2, "diff cannot answer");
      assert.match(diff.stderr, /The generator does not compile:/);
      assert.doesNotMatch(diff.stderr, /Nothing was written/);
    });
    assert.deepEqual(snapshot(), before);
  });
});

describe("the compiled release commands (npm run release|promote|rollback|restore)", () => {
  const git = (...args: string[]) => {
    const result = spawnSync("git", ["-c", "user.name=Launcher Tester", "-c", "user.email=launcher@example.com", ...args], { cwd: scratch, encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
  };
  // The same command from the TypeScript sources, as a process: `node generator/release/cli.ts …`.
  const fromSources = (...args: string[]) => run([...NODE_ARGS, join(scratch, "generator/release/cli.ts"), ...args]);
  before(() => {
    assert.equal(compiled("render").status, 0);
    writeFileSync(join(scratch, ".gitignore"), ".cache/\nnode_modules\n");
    git("init", "--quiet", "--initial-branch=main");
    git("add", "--all");
    git("commit", "--quiet", "-m", "initial");
  });

  it("know the bundle's sources as the TypeScript sources compute them (release/render-inputs.ts), so both refuse the same files", async () => {
    const { build } = JSON.parse(readFileSync(join(scratch, ".cache/generator/stamp.json"), "utf8")) as { build: string };
    const listed = JSON.parse(readFileSync(join(scratch, ".cache/generator", build, "sources.json"), "utf8")) as string[];
    assert.deepEqual((await generatorSources(scratch)).sort(), [...listed].sort());
  });

  it("an untracked generator file that nothing imports blocks neither; tsconfig.json, which esbuild reads, blocks both", async () => {
    const release = ["release", "dev", "backend=9.9.9", "--dry-run"];
    writeFileSync(join(scratch, "generator/scratch-notes.ts"), "// notes for later: nothing imports this\n");
    try {
      const bundled = compiled(...release);
      assert.equal(bundled.status, 0, bundled.stderr);
      assert.match(bundled.stdout, /dry run: would commit "release\(dev\): backend 9\.9\.9"/);
      assert.deepEqual(fromSources(...release), bundled);
    } finally {
      rmSync(join(scratch, "generator/scratch-notes.ts"));
    }
    await withEdit("tsconfig.json", (text) => text.replace("{", "{ "), () => {
      const bundled = compiled(...release);
      assert.equal(bundled.status, 1);
      assert.match(bundled.stderr, /^refused: release dev: files the render reads or writes have uncommitted changes:\n {2} M tsconfig\.json\n/);
      assert.deepEqual(fromSources(...release), bundled);
    });
  });
});
