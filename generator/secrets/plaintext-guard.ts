/**
 * Never plaintext in Git. Looks through every tracked file (`git ls-files`,
 * as it is in the work tree, about to be committed) for:
 *
 *   - a `kind: Secret` YAML document with `data` or `stringData` (in .yaml,
 *     .yml and .json files and in Markdown's yaml code blocks), also inside a
 *     `kind: List`;
 *   - any value from the local `.secrets/*.env` files;
 *   - a file under .secrets/ other than a `*.env.example` template (forced in
 *     with `git add -f`).
 *
 * Values shorter than MIN_VALUE_LENGTH are not looked for: a value such as
 * `todo` or `app` occurs all over the repository by chance, so matching it
 * would fail every run and teach people to ignore the guard; a real secret
 * (a password, a token, a URL with credentials) is longer.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

export const MIN_VALUE_LENGTH = 8;

export interface PlaintextFinding {
  /** Repository-relative path. */
  file: string;
  /** 1-based line, when known. */
  line?: number;
  /** What is wrong; never the secret value itself. */
  reason: string;
}

export function formatFinding(finding: PlaintextFinding): string {
  return `${finding.file}${finding.line ? `:${finding.line}` : ""}: ${finding.reason}`;
}

export function trackedFiles(root: string): string[] {
  const output = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return output.split("\0").filter(Boolean);
}

interface LocalValue {
  value: string;
  /** `.secrets/dev.env: todo-backend-secret.OPENAI_API_KEY` */
  origin: string;
}

/**
 * Values of the local `.secrets/*.env` files, read leniently: the guard must
 * find values even in a file that `npm run seal` would refuse.
 */
export function localSecretValues(root: string): LocalValue[] {
  const dir = join(root, ".secrets");
  if (!existsSync(dir)) return [];
  const values: LocalValue[] = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".env")).sort()) {
    for (const line of readFileSync(join(dir, file), "utf8").split(/\r?\n/)) {
      const trimmed = line.trim();
      const equals = trimmed.indexOf("=");
      if (!trimmed || trimmed.startsWith("#") || equals < 0) continue;
      let value = trimmed.slice(equals + 1).trim();
      const quote = value[0];
      if (value.length >= 2 && (quote === '"' || quote === "'") && value.endsWith(quote)) value = value.slice(1, -1);
      if (value.length < MIN_VALUE_LENGTH) continue;
      values.push({ value, origin: `.secrets/${file}: ${trimmed.slice(0, equals).trim()}` });
    }
  }
  return values;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Secrets with data in one parsed document: the document itself, or the items of a List. */
function plaintextSecrets(document: unknown): string[] {
  if (!isRecord(document)) return [];
  if (document.kind === "List" && Array.isArray(document.items)) return document.items.flatMap(plaintextSecrets);
  if (document.kind !== "Secret") return [];
  const fields = ["data", "stringData"].filter((field) => field in document);
  if (!fields.length) return [];
  const name = isRecord(document.metadata) && typeof document.metadata.name === "string" ? document.metadata.name : "(unnamed)";
  return [`Secret ${name} with ${fields.join(" and ")}`];
}

/** Secrets with data in a YAML (or JSON) text that starts at `firstLine`. */
function secretsInYaml(file: string, text: string, firstLine = 1): PlaintextFinding[] {
  const findings: PlaintextFinding[] = [];
  for (const document of parseAllDocuments(text)) {
    const start = document.contents?.range[0] ?? document.range[0];
    const line = firstLine + lineOf(text, start) - 1;
    if (document.errors.length) {
      // Unreadable YAML cannot be cleared: flag it if it looks like a Secret with data.
      const slice = text.slice(document.range[0], document.range[2]);
      if (/^\s*kind:\s*["']?Secret["']?\s*$/m.test(slice) && /^\s*(data|stringData):/m.test(slice)) {
        findings.push({ file, line, reason: "unparsable YAML that looks like a Secret with data or stringData" });
      }
      continue;
    }
    for (const secret of plaintextSecrets(document.toJS())) {
      findings.push({ file, line, reason: `${secret}: a plaintext Secret; commit a SealedSecret instead (npm run seal)` });
    }
  }
  return findings;
}

const YAML_FILE = /\.(ya?ml|json)$/i;
const MARKDOWN_FILE = /\.(md|markdown)$/i;
const YAML_FENCE = /^(```|~~~)[ \t]*ya?ml[^\n]*\n([\s\S]*?)^\1[ \t]*$/gim;

export function checkText(file: string, text: string, values: LocalValue[]): PlaintextFinding[] {
  const findings: PlaintextFinding[] = [];
  if (YAML_FILE.test(file)) {
    findings.push(...secretsInYaml(file, text));
  } else if (MARKDOWN_FILE.test(file)) {
    for (const fence of text.matchAll(YAML_FENCE)) {
      const bodyStart = fence.index + fence[0].indexOf("\n") + 1;
      findings.push(...secretsInYaml(file, fence[2]!, lineOf(text, bodyStart)));
    }
  }
  for (const { value, origin } of values) {
    const index = text.indexOf(value);
    if (index >= 0) findings.push({ file, line: lineOf(text, index), reason: `holds the value of ${origin}` });
  }
  return findings;
}

/** Every finding in the repository at `root`; empty when Git holds no plaintext. */
export function findPlaintext(root: string): PlaintextFinding[] {
  const values = localSecretValues(root);
  const findings: PlaintextFinding[] = [];
  for (const file of trackedFiles(root)) {
    if (file.startsWith(".secrets/") && !file.endsWith(".env.example")) {
      findings.push({ file, reason: "only *.env.example templates may be tracked under .secrets/ (git rm --cached it)" });
    }
    const path = join(root, file);
    // Deleted in the work tree (the deletion is what gets committed), or a submodule.
    if (!existsSync(path) || !statSync(path).isFile()) continue;
    const bytes = readFileSync(path);
    if (bytes.includes(0)) continue; // binary
    findings.push(...checkText(file, bytes.toString("utf8"), values));
  }
  return findings;
}

/**
 * The local `.secrets/*.env` values in a render about to be written or
 * compared, and in every tracked file the render does not replace: what
 * `npm run render`, `check` and `diff` refuse before writing anything. Costs
 * nothing when there is no local value (a fresh clone, CI).
 */
export function localValueLeaks(root: string, rendered: { files: ReadonlyMap<string, string>; ownedDirs: readonly string[]; keep?: ReadonlySet<string> }): PlaintextFinding[] {
  const values = localSecretValues(root);
  if (values.length === 0) return [];
  const replaced = (file: string) => !rendered.keep?.has(file) && rendered.ownedDirs.some((dir) => file.startsWith(`${dir}/`));
  const findings: PlaintextFinding[] = [];
  const look = (file: string, text: string, note = "") => {
    for (const { value, origin } of values) {
      const index = text.indexOf(value);
      if (index >= 0) findings.push({ file, line: lineOf(text, index), reason: `holds the value of ${origin}${note}` });
    }
  };
  for (const [file, text] of rendered.files) look(file, text, " (as the render would write it)");
  let tracked: string[] = [];
  try {
    tracked = trackedFiles(root);
  } catch {
    // Not a Git work tree (or no git): nothing is tracked, only the render is looked at.
  }
  for (const file of tracked) {
    if (replaced(file) || file.startsWith(".secrets/")) continue;
    const path = join(root, file);
    if (!existsSync(path) || !statSync(path).isFile()) continue;
    const bytes = readFileSync(path);
    if (!bytes.includes(0)) look(file, bytes.toString("utf8"));
  }
  return findings;
}
