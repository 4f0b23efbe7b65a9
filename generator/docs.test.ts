/**
 * The documentation stays true to the repository: its links resolve, every
 * npm script is explained, and every command it gives names a script that
 * exists, with options that script's --help lists.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { minikube } from "../clusters/minikube/cluster.ts";
import { postgresImage, redisImage } from "./images.ts";
import { REPO_ROOT } from "./load/environments.ts";
import { UPSTREAM, ownIds, upstreamIds } from "./policy/upstream.ts";
import { generatorCli, releaseCli, sealCli } from "./testing/cli.ts";
import { renderedFixture } from "./testing/fixtures.ts";

const markdownFiles = execFileSync("git", ["ls-files", "*.md"], { cwd: REPO_ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

describe("the documentation", () => {
  it("links only to files that exist and to headings that exist, in the same file or another", () => {
    assert.ok(markdownFiles.includes("README.md"));
    const prose = (file: string) => readFileSync(join(REPO_ROOT, file), "utf8").replace(/```[\s\S]*?```/g, "");
    const headingsOf = (file: string) => new Set([...prose(file).matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1]!)));
    const broken: string[] = [];
    for (const file of markdownFiles) {
      for (const [, target] of prose(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [path, fragment] = target!.split("#");
        const linked = path ? join(dirname(file), path) : file;
        if (!existsSync(join(REPO_ROOT, linked))) broken.push(`${file}: ${target} does not exist`);
        else if (fragment && linked.endsWith(".md") && !headingsOf(linked).has(fragment)) broken.push(`${file}: ${target}: #${fragment} is not a heading of ${linked}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it("refers to sections by names their files have: README, \"Secrets\" or docker/README.md, \"Base images\", in any tracked file", () => {
    const tracked = execFileSync("git", ["ls-files"], { cwd: REPO_ROOT, encoding: "utf8" }).split("\n").filter((file) => file && !file.startsWith("manifests/"));
    const headings = (file: string) => [...readFileSync(join(REPO_ROOT, file), "utf8").matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.replace(/`/g, ""));
    const wrong: string[] = [];
    for (const file of tracked) {
      if (!/\.(ts|mjs|md|sh|yaml|yml)$|^\.ci\/|Dockerfile$|CODEOWNERS$/.test(file)) continue;
      for (const [reference, path, section] of readFileSync(join(REPO_ROOT, file), "utf8").matchAll(/\b((?:[\w./-]+\/)?README)(?:\.md)?(?:, |'s )"([^"]+)"/g)) {
        const target = path === "README" ? "README.md" : `${path}.md`;
        if (!existsSync(join(REPO_ROOT, target))) wrong.push(`${file}: ${reference}: no ${target}`);
        else if (!headings(target).some((heading) => heading === section || heading.startsWith(`${section} `))) wrong.push(`${file}: ${reference}: ${target} has no such heading`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("names only paths of this repository that exist, but for those a recipe or the user creates; rendered ones in the fixture's render", async () => {
    // The README's examples name the shipped files: a rendered path (manifests/, argocd/ but its install/) must be
    // one the fixture's render writes (a team that turns Dapr off in dev has no manifests/dev/configuration-dapr-config.yaml).
    const { files: fixtureRender } = await renderedFixture();
    const isRendered = (path: string) => /^(manifests|argocd)\/./.test(path) && !/^argocd\/install(\/|$)/.test(path);
    const inFixtureRender = (path: string) => {
      const dir = `${path.replace(/\/+$/, "")}/`;
      return fixtureRender.has(path) || [...fixtureRender.keys()].some((file) => file.startsWith(dir));
    };
    // Made by the README's recipes (qa, staging's HPA), the user's own .secrets/ files, Argo CD's manifests/install.yaml (upstream's path),
    // the misnamed files the README shows the loader refusing, and husky's .husky/_ (made by npm ci's prepare script, not committed).
    const notInTheRepository = /^(\.secrets\/(?!.*\.example$)|\.secrets\/qa\.env\.example$|\.husky\/_$|environments\/(?:Qa\.ts|stagin\.images\.json)$|environments\/qa\.|manifests\/qa\/|argocd\/apps\/application-todo-qa\.yaml|manifests\/staging\/horizontalpodautoscaler-|manifests\/install\.yaml$)/;
    const missing: string[] = [];
    for (const file of markdownFiles) {
      const text = readFileSync(join(REPO_ROOT, file), "utf8");
      for (const [found] of text.matchAll(/(?<![\w./<-])(generator|clusters|docker|argocd|environments|manifests|\.github|\.husky|\.ci|\.secrets)\/[\w./<>*{},-]*/g)) {
        const path = found.replace(/[.,]+$/, "");
        if (/[<>*{}]/.test(path) || notInTheRepository.test(path)) continue;
        if (isRendered(path) ? !inFixtureRender(path) : !existsSync(join(REPO_ROOT, path))) missing.push(`${file}: ${path}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it("gives the policy bar's tools, versions and number of checks as generator/policy/upstream.ts lists them", () => {
    const start = readme.indexOf("**The policy bar**");
    const section = readme.slice(start, readme.indexOf("\n## ", start));
    for (const { tool, version } of UPSTREAM) assert.match(section, new RegExp(`\\[${tool}\\]\\([^)]*\\)\\s${version.replaceAll(".", "\\.")}\\s`, "i"), `${tool} ${version}`);
    assert.match(section, new RegExp(`\\b${upstreamIds().length} in all\\b`));
    for (const id of ownIds()) assert.ok(section.includes(`\`${id}\``), id);
  });

  it("names images and control planes at the versions the repository pins", () => {
    const baseImage = (dockerfile: string) => /^ARG \w+_IMAGE=[a-z]+:([^@\s]+)@/m.exec(readFileSync(join(REPO_ROOT, dockerfile), "utf8"))![1]!;
    const pinned: Record<string, string> = {
      postgres: postgresImage.pinned.tag,
      redis: redisImage.pinned.tag,
      node: baseImage("docker/frontend/Dockerfile"),
      python: baseImage("docker/backend/Dockerfile"),
    };
    const wrong: string[] = [];
    for (const file of markdownFiles) {
      for (const [reference, image, tag] of readFileSync(join(REPO_ROOT, file), "utf8").matchAll(/\b(postgres|redis|node|python):(\d[\w.-]*\w)/g)) {
        if (tag !== pinned[image!]) wrong.push(`${file}: ${reference}, but ${image}:${pinned[image!]} is pinned`);
      }
    }
    assert.deepEqual(wrong, []);
    const pages: Record<string, string[]> = {
      "README.md": [minikube.dapr.chart.version, minikube.certManager.chart.version, `v${minikube.sealedSecrets.version}`],
      "generator/dapr/README.md": [minikube.dapr.chart.version],
      "generator/secrets/README.md": [`v${minikube.sealedSecrets.version}`],
    };
    for (const [file, versions] of Object.entries(pages)) {
      const text = readFileSync(join(REPO_ROOT, file), "utf8");
      for (const version of versions) assert.ok(text.includes(version), `${file} does not name ${version}, the version clusters/minikube/cluster.ts pins`);
    }
  });

  it("shows every npm script in the README", () => {
    const internal = new Set(["typecheck", "test:unit"]);
    const missing = Object.keys(scripts).filter((name) => !internal.has(name) && !readme.includes(`npm run ${name}`) && !readme.includes(`npm ${name}`));
    assert.deepEqual(missing, [], "scripts the README never mentions");
  });
});

/** The fenced code blocks of a markdown file. */
function codeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** Where a markdown file writes commands: its code blocks, line by line, and its inline code. */
function codeLines(markdown: string): string[] {
  const inline = [...markdown.replace(/```[\s\S]*?```/g, "").matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
  return [...codeBlocks(markdown).flatMap((block) => block.split("\n")), ...inline];
}

/** Every `npm run <script> [-- <args>]` (or `node --run`) the documentation gives, with the options it passes (a shell comment or pipe ends it). */
function documentedCommands(): { where: string; script: string; options: string[] }[] {
  return markdownFiles.flatMap((file) =>
    codeLines(readFileSync(join(REPO_ROOT, file), "utf8")).flatMap((line) =>
      [...line.matchAll(/\b(?:npm run|node --run) ([a-z][\w:-]*)([^#|&;>`]*)/g)].map((m) => ({
        where: `${file}: ${m[0].trim()}`,
        script: m[1]!,
        options: [...m[2]!.matchAll(/(?:^|\s)(--[a-z][a-z0-9-]*)/g)].map((option) => option[1]!),
      })),
    ),
  );
}

/** What `npm run <script> -- --help` prints: the launcher's commands in-process, the others as processes. */
async function helpOf(script: string): Promise<string> {
  const launched = /^node generator\/launcher\/cli\.mjs (\S+)$/.exec(scripts[script]!);
  if (!launched) return spawnSync("sh", ["-c", `${scripts[script]} --help`], { cwd: REPO_ROOT, encoding: "utf8" }).stdout;
  const command = launched[1]!;
  if (command === "seal") return (await sealCli(REPO_ROOT, "--help")).stdout;
  const release = await releaseCli(REPO_ROOT, "--help");
  const cli = new RegExp(`^  ${command} `, "m").test(release.stdout) ? releaseCli : generatorCli;
  return (await cli(REPO_ROOT, command, "--help")).stdout;
}

describe("the commands the documentation gives", () => {
  const commands = documentedCommands();

  it("are found (the check below reads them)", () => {
    assert.ok(commands.some(({ script, options }) => script === "release" && options.includes("--dry-run")), "no `npm run release -- … --dry-run` found");
  });

  it("name npm scripts that exist, with options their --help lists", async () => {
    // docker/README.md's contract names the app's own scripts, which are not this repository's.
    const theAppsScripts = new Set(["build"]);
    const wrong = commands.filter(({ script }) => !(script in scripts) && !theAppsScripts.has(script)).map(({ where }) => `${where}: no such npm script`);
    const helps = new Map<string, string>();
    for (const { where, script, options } of commands) {
      if (!(script in scripts) || !options.length) continue;
      if (!helps.has(script)) helps.set(script, await helpOf(script));
      const help = helps.get(script)!;
      assert.match(help, /Usage:/, `npm run ${script} -- --help prints no usage`);
      for (const option of options) if (!new RegExp(`(^|[\\s,])${option}\\b`, "m").test(help)) wrong.push(`${where}: ${option} is not an option of npm run ${script}`);
    }
    assert.deepEqual(wrong, []);
  });
});

describe("the documented commands keep secret values off the command line", () => {
  it("no code block passes a value with --from-literal or --docker-password", () => {
    const offending = markdownFiles.flatMap((file) =>
      codeBlocks(readFileSync(join(REPO_ROOT, file), "utf8"))
        .flatMap((block) => block.split("\n"))
        .filter((line) => /--from-literal\b|--docker-password\b/.test(line))
        .map((line) => `${file}: ${line.trim()}`),
    );
    assert.deepEqual(offending, [], "shell history and `ps` keep these values: use --from-env-file or --from-file");
  });

  it(`every kubectl command that reaches a cluster names its context (--context ${minikube.profile}), never kubectl's current one`, () => {
    // A command run against whatever cluster kubectl last pointed at reads or writes the wrong one
    // (a sealing-key backup of another cluster, Secrets made there). Client-only commands
    // (--dry-run=client, --local) reach none; a span without a flag is prose (`kubectl port-forward`).
    const context = `--context ${minikube.profile}`;
    const missing: string[] = [];
    for (const file of markdownFiles) {
      const markdown = readFileSync(join(REPO_ROOT, file), "utf8");
      const blocks = codeBlocks(markdown).map((block) => block.replace(/\\\n/g, " "));
      const inline = [...markdown.replace(/```[\s\S]*?```/g, "").matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\s*\n\s*/g, " "));
      for (const code of [...blocks, ...inline]) {
        for (const [command, args] of code.matchAll(/(?<![\w/-])kubectl(?![\w-])([^|;&\n#]*)/g)) {
          if (!/(^|\s)-/.test(args!) || /--dry-run=client|--local\b/.test(args!)) continue;
          if (!args!.trim().startsWith(context)) missing.push(`${file}: ${command.trim()}`);
        }
      }
    }
    assert.deepEqual(missing, [], `start each with kubectl ${context}`);
  });

  const kubectl = (process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "kubectl")).find((path) => existsSync(path));
  it(
    "the README's recipe for hand-made Secrets runs, and makes exactly the Secrets of .secrets/<env>.env",
    // GitHub's runners have kubectl; .ci/run's machine may not.
    { skip: !kubectl ? "kubectl is not installed" : false },
    () => {
      assert.ok(kubectl);
      const recipe = codeBlocks(readme).find((block) => block.includes("--from-env-file=<(sed"));
      assert.ok(recipe, "README.md has no recipe creating Secrets from .secrets/<env>.env");
      const dir = mkdtempSync(join(tmpdir(), "readme-secrets-"));
      try {
        mkdirSync(join(dir, ".secrets"));
        mkdirSync(join(dir, "bin"));
        copyFileSync(join(REPO_ROOT, ".secrets", "dev.env.example"), join(dir, ".secrets", "dev.env.example"));
        const values = {
          "todo-database-secret.POSTGRES_USER": "todo",
          "todo-database-secret.POSTGRES_PASSWORD": "3f9c0a1b2c3d4e5f",
          "todo-database-secret.POSTGRES_DB": "todo",
          "todo-auth-secret.BETTER_AUTH_SECRET": "auth value with spaces",
          "todo-backend-secret.OPENAI_API_KEY": "sk-test=abc#1",
          "todo-redis-secret.REDIS_PASSWORD": "r3d1s",
        };
        writeFileSync(
          join(dir, ".secrets", "dev.env"),
          `# filled in\ntodo-backend-secret.DATABASE_URL=\n${Object.entries(values).map(([k, v]) => `${k}=${v}`).join("\n")}\n`,
        );
        // A cluster-less kubectl: what reaches the cluster must name its context (refused otherwise, as a
        // kubeconfig without it would); namespaces are accepted, Secrets are printed as kubectl would create them.
        writeFileSync(
          join(dir, "bin", "kubectl"),
          [
            "#!/usr/bin/env bash",
            `if [ "$1 $2" = "--context ${minikube.profile}" ]; then shift 2`,
            `elif [[ "$*" != *--dry-run=client* ]]; then echo "kubectl stand-in: $* does not name --context ${minikube.profile}" >&2; exit 3; fi`,
            'case "$*" in',
            `  *"create secret"*) "${kubectl}" "$@" --dry-run=client -o yaml; echo --- ;;`,
            `  *"create namespace"*) "${kubectl}" "$@" ;;`,
            "  *) cat >/dev/null ;;",
            "esac",
            "",
          ].join("\n"),
        );
        chmodSync(join(dir, "bin", "kubectl"), 0o755);
        const output = execFileSync("bash", ["-c", `set -e\n${recipe}`], {
          cwd: dir,
          encoding: "utf8",
          env: { PATH: `${join(dir, "bin")}${delimiter}${process.env.PATH}`, HOME: dir, KUBECONFIG: join(dir, "none") },
        });
        const secrets = parseAllDocuments(output)
          .map((doc) => doc.toJS() as { kind?: string; metadata: { name: string; namespace: string }; data: Record<string, string> } | null)
          .filter((o) => o?.kind === "Secret");
        const made = Object.fromEntries(
          secrets.flatMap((s) => Object.entries(s!.data).map(([key, value]) => [`${s!.metadata.name}.${key}`, Buffer.from(value, "base64").toString("utf8")])),
        );
        assert.deepEqual(made, values, "the Secrets hold exactly the file's non-empty values");
        assert.ok(secrets.every((s) => s!.metadata.namespace === "todo-dev"));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
