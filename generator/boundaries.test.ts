/**
 * The boundaries a newcomer can see: the generator's core (settings,
 * components, lib, validation, render, and the policy bar over what it
 * renders) takes settings and cluster facts as
 * values and returns objects and YAML. It reads no file, runs no command and
 * imports nothing from clusters/ or from the commands that use it (load,
 * commands, release, seal, bench, launcher).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "./load/environments.ts";

/** Where the core starts: everything these import, and what that imports, is the core. */
const CORE_ENTRIES = [
  "generator/render.ts",
  "generator/settings.ts",
  "generator/settings/resolve.ts",
  "generator/settings/reference.ts",
  // The policy bar judges rendered objects and settings as values, like a component.
  "generator/policy/policy.ts",
  "generator/policy/upstream.ts",
  ...readdirSync(join(REPO_ROOT, "generator/components")).filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts")).map((file) => `generator/components/${file}`),
];

/** Parts of the repository the core must not reach. */
const OUTSIDE = ["clusters/", "environments/", "generator/load/", "generator/commands/", "generator/release/", "generator/bench/", "generator/launcher/", "generator/testing/", "docker/"];
/** What only the load, write and command steps do. */
const IO_MODULES = ["node:fs", "node:fs/promises", "node:child_process", "node:vm", "node:readline", "node:readline/promises", "esbuild"];
/** The README's reference generator may write README.md when run as a command; the core only calls its function. */
const ALLOWED_IO = new Map([["generator/settings/reference.ts", ["node:fs"]]]);

function importsOf(file: string): string[] {
  const text = readFileSync(join(REPO_ROOT, file), "utf8");
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1] ?? match[2]!);
}

function coreModules(): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = [...CORE_ENTRIES];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    const imports = importsOf(file);
    seen.set(file, imports);
    for (const specifier of imports) {
      if (!specifier.startsWith(".")) continue;
      const target = relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), specifier)).split("\\").join("/");
      if (existsSync(join(REPO_ROOT, target)) && target.endsWith(".ts")) queue.push(target);
    }
  }
  return seen;
}

describe("the generator's core", () => {
  const core = coreModules();

  it("is the settings, the components, lib, validation, render and the policy bar", () => {
    const files = [...core.keys()];
    for (const expected of ["generator/settings/schema.ts", "generator/settings/rules.ts", "generator/lib/security.ts", "generator/lib/cidr.ts", "generator/validation/kinds.ts", "generator/components/argocd.ts", "generator/components/tls.ts", "generator/cluster-facts.ts"]) {
      assert.ok(files.includes(expected), `${expected} is not reached from the core's entry points`);
    }
  });

  it("imports nothing from clusters/, the environments or the commands that use it", () => {
    const crossings: string[] = [];
    for (const [file, imports] of core) {
      for (const specifier of imports) {
        if (!specifier.startsWith(".")) continue;
        const target = relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), specifier)).split("\\").join("/");
        if (OUTSIDE.some((prefix) => target.startsWith(prefix))) crossings.push(`${file} imports ${target}`);
      }
    }
    assert.deepEqual(crossings, []);
  });

  it("reads and writes no file and runs no command: settings and cluster facts come in as values", () => {
    const io: string[] = [];
    for (const [file, imports] of core) {
      for (const specifier of imports) {
        if (IO_MODULES.includes(specifier) && !ALLOWED_IO.get(file)?.includes(specifier)) io.push(`${file} imports ${specifier}`);
      }
    }
    assert.deepEqual(io, []);
  });
});

describe("clusters/<name>/cluster.ts", () => {
  it("is imported as a module by no command or script: each loads it through the loader, which checks it (load/environments.ts loadCluster())", () => {
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "--", "*.ts", "*.mjs"], { cwd: REPO_ROOT, encoding: "utf8" })
      .split("\n")
      .filter((file) => file && !file.endsWith(".test.ts") && !file.startsWith("generator/testing/") && existsSync(join(REPO_ROOT, file)));
    const importers = files.filter((file) =>
      importsOf(file).some((specifier) => specifier.startsWith(".") && /^clusters\/[^/]+\/cluster\.ts$/.test(relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), specifier)).split("\\").join("/"))),
    );
    assert.deepEqual(importers, []);
  });
});
