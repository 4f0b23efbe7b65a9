/**
 * environments/<env>.sealed.json: an environment's sealed values, committed.
 *
 *   {
 *     "todo-auth-secret": {
 *       "encryptedData": { "BETTER_AUTH_SECRET": "<base64>" },
 *       "sealedFor": { "name": "todo-auth-secret", "namespace": "todo-dev", "scope": "strict" }
 *     }, ...
 *   }
 *
 * `npm run seal` writes it; the generator reads it to render SealedSecrets.
 * Sealing is random, so rendering never seals: it copies these values, and a
 * re-render is byte-identical.
 *
 * `sealedFor` records what each Secret's values were sealed for. In Sealed
 * Secrets' strict scope (the default, and the one npm run seal and the
 * rendered SealedSecrets use) "the secret must be sealed with exactly the
 * same name and namespace. These attributes become part of the encrypted
 * data and thus changing name and/or namespace would lead to 'decryption
 * error'" (upstream's documentation, https://github.com/bitnami-labs/sealed-secrets#scopes). A
 * ciphertext cannot be checked offline, so the record is what the render
 * checks: a file copied to another environment, or an environment whose
 * namespace changed, is refused here rather than failing in the cluster.
 * The key a value was sealed under is not part of the binding (upstream
 * binds namespace and name only), so a value moved between keys of one
 * Secret cannot be detected.
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

/** The only scope npm run seal seals in; the rendered SealedSecrets carry no scope annotation, which means this one. */
export const SEALING_SCOPE = "strict";

/** What one Secret's values were sealed for: the OAEP label's namespace and name, in the strict scope. */
export interface SealedFor {
  name: string;
  namespace: string;
  scope: typeof SEALING_SCOPE;
}

/** One Secret in the sealed file. */
export interface SealedSecretEntry {
  encryptedData: Record<string, string>;
  sealedFor: SealedFor;
}

/** Never echo what sits where a sealed value belongs: it may be a pasted plaintext. */
function hidden(value: unknown): string {
  if (typeof value === "string") return `(${value.length} characters, not shown)`;
  const kind = Array.isArray(value) ? "list" : value === null ? "null" : typeof value;
  return `(${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind})`;
}

/** What a Secret's block holds, by key name only (names are not secret; the sealed values are not shown): `(sealed: A, B)`. */
function sealedKeys(block: unknown): string {
  const values = isRecord(block) && isRecord(block.encryptedData) ? block.encryptedData : block;
  const keys = isRecord(values) ? Object.keys(values) : [];
  if (keys.length) return `(sealed: ${keys.join(", ")})`;
  return isRecord(values) ? "(nothing sealed)" : hidden(block);
}

/**
 * The sealed values in a sealed file's content, Secret → key → value,
 * whatever else is wrong with it (sealedFileProblems() says what). A Secret
 * written before `sealedFor` was recorded (key → value, no encryptedData) is
 * read as it is, so that npm run seal can keep its unchanged values.
 */
export function sealedValuesOf(content: unknown): SealedValues {
  if (!isRecord(content)) return {};
  const values: SealedValues = {};
  for (const [secret, entry] of Object.entries(content)) {
    if (!isRecord(entry)) continue;
    const data = "encryptedData" in entry || "sealedFor" in entry ? entry.encryptedData : entry;
    if (isRecord(data)) values[secret] = Object.fromEntries(Object.entries(data).filter((pair): pair is [string, string] => typeof pair[1] === "string"));
  }
  return values;
}

/** Everything wrong with what one Secret's `sealedFor` records, against where the environment deploys it. */
function sealedForProblems(settings: Settings, secret: string, sealedFor: unknown, problem: (path: string, value: unknown, rule: string) => SettingsProblem): SettingsProblem[] {
  const environment = settings.name;
  const reseal = `re-seal with \`npm run seal -- ${environment}\``;
  const path = `${secret}.sealedFor`;
  if (!isRecord(sealedFor)) {
    return [problem(path, sealedFor, `is required: the namespace, name and scope the values were sealed for ({ "name": "${secret}", "namespace": "${settings.namespace}", "scope": "${SEALING_SCOPE}" }), which npm run seal records; ${reseal}`)];
  }
  const problems: SettingsProblem[] = [];
  for (const key of Object.keys(sealedFor)) if (!["name", "namespace", "scope"].includes(key)) problems.push(problem(`${path}.${key}`, sealedFor[key], "unknown key; sealedFor has name, namespace, scope"));
  if (sealedFor.scope !== SEALING_SCOPE) {
    problems.push(problem(`${path}.scope`, sealedFor.scope, `must be "${SEALING_SCOPE}": the scope npm run seal seals in and the rendered SealedSecrets use (they carry no scope annotation); ${reseal}`));
  }
  if (sealedFor.namespace !== settings.namespace) {
    problems.push(
      problem(
        `${path}.namespace`,
        sealedFor.namespace,
        `the values were sealed for namespace ${JSON.stringify(sealedFor.namespace)}, but ${environment} deploys to namespace "${settings.namespace}": ` +
          `in the strict scope a sealed value opens only in the namespace and under the Secret name it was sealed for, so the controller would refuse it; ${reseal}`,
      ),
    );
  }
  if (sealedFor.name !== secret) {
    problems.push(
      problem(
        `${path}.name`,
        sealedFor.name,
        `the values were sealed for the Secret ${JSON.stringify(sealedFor.name)}, not ${secret}: ` +
          `in the strict scope a sealed value opens only under the Secret name and in the namespace it was sealed for; ${reseal}`,
      ),
    );
  }
  return problems;
}
/** Everything wrong with an environment's sealed file, against what the environment reads. */
export function sealedFileProblems(settings: Settings, content: unknown): SettingsProblem[] {
  const environment = settings.name;
  const file = sealedFileName(environment);
  const problem = (path: string, value: unknown, rule: string): SettingsProblem => ({ environment, file, path, value, rule });
  if (!isRecord(content)) return [problem("(the whole file)", hidden(content), "must be an object of Secret name → { encryptedData, sealedFor }, as npm run seal writes it")];

  const used = secretKeysUsedBy(settings);
  const problems: SettingsProblem[] = [];
  for (const [secret, entry] of Object.entries(content)) {
    const knownKeys = SEALABLE_SECRETS.get(secret);
    if (!knownKeys) {
      problems.push(problem(secret, sealedKeys(entry), `unknown Secret; known: ${[...SEALABLE_SECRETS.keys()].join(", ")}`));
      continue;
    }
    if (!used.has(secret)) {
      problems.push(problem(secret, sealedKeys(entry), `${whyUnused(settings, secret)}; remove it (npm run seal -- ${environment})`));
      continue;
    }
    if (!isRecord(entry)) {
      problems.push(problem(secret, hidden(entry), "must be an object: { encryptedData: key → sealed value, sealedFor }"));
      continue;
    }
    if (!("encryptedData" in entry) && !("sealedFor" in entry)) {
      problems.push(
        problem(
          secret,
          sealedKeys(entry),
          `written without the namespace its values were sealed for (before npm run seal recorded it): re-seal with \`npm run seal -- ${environment}\`, which keeps the unchanged values and records it`,
        ),
      );
      continue;
    }
    for (const key of Object.keys(entry)) if (key !== "encryptedData" && key !== "sealedFor") problems.push(problem(`${secret}.${key}`, key, "unknown key; a sealed Secret has encryptedData, sealedFor"));
    problems.push(...sealedForProblems(settings, secret, entry.sealedFor, problem));
    const values = entry.encryptedData;
    if (!isRecord(values)) {
      problems.push(problem(`${secret}.encryptedData`, hidden(values), "must be an object of key → sealed value"));
      continue;
    }
    const usedKeys = used.get(secret)!;
    for (const [key, sealed] of Object.entries(values)) {
      const path = `${secret}.encryptedData.${key}`;
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
      problems.push(problem(`${secret}.encryptedData`, sealedKeys(values), `a sealed Secret must hold every key ${environment} reads; missing ${missing.join(", ")}`));
    }
  }
  return problems;
}

/** Stable text: Secrets and keys in sorted order, each Secret with what it was sealed for (`namespace`), two-space indent, final newline. */
export function formatSealedFile(values: SealedValues, namespace: string): string {
  const file: Record<string, SealedSecretEntry> = {};
  for (const secret of Object.keys(values).sort()) {
    const encryptedData: Record<string, string> = {};
    for (const key of Object.keys(values[secret]!).sort()) encryptedData[key] = values[secret]![key]!;
    file[secret] = { encryptedData, sealedFor: { name: secret, namespace, scope: SEALING_SCOPE } };
  }
  return `${JSON.stringify(file, null, 2)}\n`;
}
