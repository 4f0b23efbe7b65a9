/**
 * environments/<env>.sealed.json: an environment's sealed values, committed.
 *
 *   { "todo-auth-secret": { "BETTER_AUTH_SECRET": "<base64>" }, ... }
 *
 * `npm run seal` writes it; the generator reads it to render SealedSecrets.
 * Sealing is random, so rendering never seals: it copies these values, and a
 * re-render is byte-identical.
 */
import { sealedFileName } from "../environment-files.ts";
import type { SettingsProblem } from "../errors.ts";
import type { SealedValues, Settings } from "../settings.ts";
import { SEALABLE_SECRETS, movedKey, secretKeysUsedBy, whyUnused } from "./catalogue.ts";
import { sealedValueProblem } from "./seal.ts";

export type { SealedValues };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Never echo what sits where a sealed value belongs: it may be a pasted plaintext. */
function hidden(value: unknown): string {
  return typeof value === "string" ? `(${value.length} characters, not shown)` : `(a ${Array.isArray(value) ? "list" : typeof value})`;
}

/** Everything wrong with an environment's sealed file, against what the environment reads. */
export function sealedFileProblems(settings: Settings, content: unknown): SettingsProblem[] {
  const environment = settings.name;
  const file = sealedFileName(environment);
  const problem = (path: string, value: unknown, rule: string): SettingsProblem => ({ environment, file, path, value, rule });
  if (!isRecord(content)) return [problem("(top level)", hidden(content), "must be an object of Secret name → key → sealed value")];

  const used = secretKeysUsedBy(settings);
  const problems: SettingsProblem[] = [];
  for (const [secret, values] of Object.entries(content)) {
    const knownKeys = SEALABLE_SECRETS.get(secret);
    if (!knownKeys) {
      problems.push(problem(secret, secret, `unknown Secret; known: ${[...SEALABLE_SECRETS.keys()].join(", ")}`));
      continue;
    }
    if (!used.has(secret)) {
      problems.push(problem(secret, secret, `${whyUnused(settings, secret)}; remove it (npm run seal -- ${environment})`));
      continue;
    }
    if (!isRecord(values)) {
      problems.push(problem(secret, hidden(values), "must be an object of key → sealed value"));
      continue;
    }
    const usedKeys = used.get(secret)!;
    for (const [key, sealed] of Object.entries(values)) {
      const path = `${secret}.${key}`;
      const moved = movedKey(secret, key);
      if (moved) {
        problems.push(
          problem(path, key, `${moved.rule}: seal it there with \`npm run seal -- ${environment}\` (a sealed value opens only under the Secret name it was sealed for, so it cannot be moved by hand)`),
        );
      } else if (!knownKeys.includes(key)) problems.push(problem(path, key, `unknown key; ${secret} has ${knownKeys.join(", ")}`));
      else if (!usedKeys.includes(key)) problems.push(problem(path, key, `${whyUnused(settings, secret, key)}; remove it`));
      else {
        const shape = typeof sealed === "string" ? sealedValueProblem(sealed) : "must be a string";
        if (shape) problems.push(problem(path, hidden(sealed), `${shape}; seal values with \`npm run seal -- ${environment}\``));
      }
    }
    const missing = usedKeys.filter((key) => !(key in values));
    if (missing.length) {
      problems.push(problem(secret, `${Object.keys(values).length} keys`, `a sealed Secret must hold every key ${environment} reads; missing ${missing.join(", ")}`));
    }
  }
  return problems;
}

/** Stable text: Secrets and keys in sorted order, two-space indent, final newline. */
export function formatSealedFile(values: SealedValues): string {
  const sorted: SealedValues = {};
  for (const secret of Object.keys(values).sort()) {
    sorted[secret] = {};
    for (const key of Object.keys(values[secret]!).sort()) sorted[secret][key] = values[secret]![key]!;
  }
  return `${JSON.stringify(sorted, null, 2)}\n`;
}
