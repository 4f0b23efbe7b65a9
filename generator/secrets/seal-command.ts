/**
 * npm run seal -- <env> [--cert <pem>] [--from-env-file <file>] [--force]
 *
 * Reads an environment's secret values (from `.secrets/<env>.env`, another
 * file, or prompts), seals each one for its Secret in the environment's
 * namespace, and writes environments/<env>.sealed.json. Every check runs
 * before anything is written; the file is replaced in one rename. `run()` is
 * the CLI as a function, like release/cli.ts's: its root and its output are
 * parameters, and it returns the exit code: 0 done, 1 refused (nothing
 * written), 2 a usage error (commands/exit-codes.ts).
 */
import type { KeyObject } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { CommanderError } from "commander";
import { type Output, cliProgram } from "../commands/cli-program.ts";
import { EXIT, commanderExitCode } from "../commands/exit-codes.ts";
import { REPO_ROOT, loadEnvironment } from "../load/environments.ts";
import type { Settings } from "../settings.ts";
import { secretKeysUsedBy } from "./catalogue.ts";
import { type ControllerLocation, type SealingCluster, fetchControllerCertificate, sealingCluster } from "./controller-certificate.ts";
import { SecretInputError, type SecretEntry, parseSecretsEnvFile, valuesToSeal } from "./env-file.ts";
import { type TerminalInput, askHidden } from "./hidden-input.ts";
import { SECRETS_DIR, fingerprintKey, readSealState, sealingKeyId, valueFingerprint, writeSealState } from "./fingerprints.ts";
import type { SealState } from "./fingerprints.ts";
import { sealWithKey, sealingKeyFromPem, strictScopeLabel } from "./seal.ts";
import { sealedFileName } from "../environment-files.ts";
import { writeFileAtomically } from "./atomic-write.ts";
import { type SealedValues, formatSealedFile, sealedValuesOf } from "./sealed-file.ts";

/** Asks for one value; answers "" to leave it empty. */
export type Ask = (question: string) => Promise<string>;

export interface SealOptions {
  environment: string;
  root?: string;
  /** Certificate file (PEM); without it the certificate is fetched from the controller. */
  certFile?: string;
  /** Values file; without it `.secrets/<env>.env`, or prompts. */
  envFile?: string;
  /** Seal every value again, changed or not (after a controller key rotation, say). */
  force?: boolean;
  /** The controller; default: the one of the cluster the environment runs on (its delivery.cluster's facts). */
  controller?: Partial<ControllerLocation>;
  /** kubectl context the certificate is fetched from; default: that cluster's. */
  context?: string;
  kubectl?: string;
  /** Prompts, when there is a terminal to ask on. */
  ask?: Ask;
  /** Relative paths in --cert and --from-env-file start here. */
  cwd?: string;
}

export interface SealResult {
  /** Repository-relative path of the sealed file. */
  file: string;
  /** `<secret>.<key>` sealed now. */
  sealed: string[];
  /** `<secret>.<key>` whose plaintext did not change: its ciphertext was kept. */
  kept: string[];
  /** `<secret>.<key>` that were in the file and are no more. */
  removed: string[];
  /** False when the file already held exactly this. */
  written: boolean;
  /** What went wrong after the sealed file was written (it is correct; the command still succeeds). */
  warnings: string[];
}

export function defaultEnvFile(root: string, environment: string): string {
  return resolve(root, SECRETS_DIR, `${environment}.env`);
}

async function promptForValues(settings: Settings, ask: Ask): Promise<SecretEntry[]> {
  const entries: SecretEntry[] = [];
  for (const [secret, keys] of secretKeysUsedBy(settings)) {
    for (const key of keys) {
      const value = await ask(`${settings.name} ${secret}.${key} (hidden; empty to skip): `);
      entries.push({ secret, key, value: value.trim(), source: "prompt" });
    }
  }
  return entries;
}

async function readInput(settings: Settings, options: SealOptions, root: string): Promise<{ entries: SecretEntry[]; inputName: string }> {
  const environment = settings.name;
  const cwd = options.cwd ?? process.cwd();
  if (options.envFile !== undefined) {
    const file = resolve(cwd, options.envFile);
    if (!existsSync(file)) {
      throw new SecretInputError([{ environment, source: options.envFile, rule: "--from-env-file: the file does not exist" }]);
    }
    return { entries: parseSecretsEnvFile(environment, readFileSync(file, "utf8"), options.envFile), inputName: options.envFile };
  }
  const file = defaultEnvFile(root, environment);
  const inputName = relative(root, file);
  if (existsSync(file)) return { entries: parseSecretsEnvFile(environment, readFileSync(file, "utf8"), inputName), inputName };
  if (options.ask) return { entries: await promptForValues(settings, options.ask), inputName: "prompt" };
  throw new SecretInputError([
    {
      environment,
      source: inputName,
      rule:
        `the file does not exist and there is no terminal to prompt on: copy ${inputName}.example to ${inputName} and fill it in, ` +
        "or pass --from-env-file <file>",
    },
  ]);
}

/** Where the environment's values are sealed: its own cluster's controller and context, unless the options name others. */
function sealingClusterOf(settings: Settings, options: SealOptions): SealingCluster {
  const own = sealingCluster(settings.cluster);
  return {
    name: own.name,
    context: options.context ?? own.context,
    controller: { namespace: options.controller?.namespace ?? own.controller.namespace, name: options.controller?.name ?? own.controller.name },
  };
}

function readCertificate(settings: Settings, options: SealOptions): Promise<string> | string {
  if (options.certFile === undefined) {
    return fetchControllerCertificate({ cluster: sealingClusterOf(settings, options), ...(options.kubectl ? { kubectl: options.kubectl } : {}) });
  }
  const file = resolve(options.cwd ?? process.cwd(), options.certFile);
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** Existing sealed values, for keeping unchanged ones; anything unreadable is simply sealed again. */
function previousSealedValues(path: string): SealedValues {
  if (!existsSync(path)) return {};
  try {
    return sealedValuesOf(JSON.parse(readFileSync(path, "utf8")));
  } catch {
    return {};
  }
}

export async function sealEnvironment(options: SealOptions): Promise<SealResult> {
  const root = options.root ?? REPO_ROOT;
  // Loaded without its sealed file, which this command replaces: a file copied from another environment, sealed for an
  // earlier namespace or written before sealedFor was recorded is what a re-seal repairs, so it must not stop it.
  const settings = await loadEnvironment(options.environment, { root, files: new Map([[sealedFileName(options.environment), null]]) });
  const { entries, inputName } = await readInput(settings, options, root);
  const values = valuesToSeal(settings, entries, inputName);

  let publicKey: KeyObject;
  try {
    publicKey = sealingKeyFromPem(await readCertificate(settings, options));
  } catch (error) {
    const source = options.certFile === undefined ? "" : `--cert ${options.certFile}: `;
    throw new Error(`${settings.name}: ${source}${(error as Error).message}`);
  }
  const keyId = sealingKeyId(publicKey);
  const hmacKey = fingerprintKey(root);
  const path = join(root, sealedFileName(settings.name));
  const previous = previousSealedValues(path);
  const records = readSealState(root, settings.name);

  const next: SealedValues = {};
  const state: SealState = {};
  const result: SealResult = { file: sealedFileName(settings.name), sealed: [], kept: [], removed: [], written: false, warnings: [] };
  for (const [secret, keys] of values) {
    next[secret] = {};
    const label = strictScopeLabel(settings.namespace, secret);
    for (const [key, value] of keys) {
      const id = `${secret}.${key}`;
      const fingerprint = valueFingerprint(hmacKey, { sealingKeyId: keyId, namespace: settings.namespace, secret, key, value });
      const committed = previous[secret]?.[key];
      const record = records[id];
      const unchanged = !options.force && committed !== undefined && record?.sealed === committed && record.fingerprint === fingerprint;
      const sealed = unchanged ? committed : sealWithKey(publicKey, label, value);
      (unchanged ? result.kept : result.sealed).push(id);
      next[secret][key] = sealed;
      state[id] = { sealed, fingerprint };
    }
  }
  for (const [secret, keys] of Object.entries(previous)) {
    for (const key of Object.keys(keys ?? {})) if (next[secret]?.[key] === undefined) result.removed.push(`${secret}.${key}`);
  }

  const text = formatSealedFile(next, settings.namespace);
  if (!existsSync(path) || readFileSync(path, "utf8") !== text) {
    writeFileAtomically(path, text);
    result.written = true;
  }
  try {
    writeSealState(root, settings.name, state);
  } catch (error) {
    // The sealed file is written and correct; without records the next run seals everything again.
    result.warnings.push(`could not record what was sealed in ${SECRETS_DIR}/ (${(error as Error).message})`);
  }
  return result;
}

function summary(result: SealResult): string {
  const parts = [`${result.sealed.length} sealed`, `${result.kept.length} unchanged`];
  if (result.removed.length) parts.push(`${result.removed.length} removed (${result.removed.join(", ")})`);
  return `${result.file}: ${parts.join(", ")}${result.written ? "" : " (file already up to date)"}`;
}

/** Prompts on a terminal without echoing what is typed; none without a terminal. */
export function terminalAsk(input: TerminalInput = process.stdin, output: Output = process.stderr): Ask | undefined {
  if (!input.isTTY) return undefined;
  return (question) => askHidden(input, output, question);
}

export interface SealCliOptions {
  /** Arguments after the program's, e.g. ["seal", "dev", "--cert", "cert.pem"]; default process.argv. */
  argv?: readonly string[];
  root?: string;
  stdout?: Output;
  /** Errors, warnings, and the prompts' questions. */
  stderr?: Output;
  /**
   * Where prompts read the values from, default process.stdin. It stays a
   * stream, not a parameter like stdout and stderr: hidden input puts a real
   * terminal in raw mode (hidden-input.ts), and prompts are offered only when
   * it is a TTY, so a test passes a stream that is not one (or a stand-in terminal).
   */
  input?: TerminalInput;
  /** Where relative paths in --cert and --from-env-file start; default where `npm run seal` was typed. */
  cwd?: string;
}

interface SealFlags {
  cert?: string;
  fromEnvFile?: string;
  force?: boolean;
  context?: string;
  controllerNamespace?: string;
  controllerName?: string;
}

/**
 * The `seal` command (`npm run seal` runs it from the launcher's bundle through
 * commands/entry.ts, `node generator/secrets/seal-cli.ts` from the sources).
 * Runs it; resolves to its exit code. Never ends the process.
 */
export async function run({ argv = process.argv.slice(2), root = REPO_ROOT, stdout = process.stdout, stderr = process.stderr, input = process.stdin, cwd }: SealCliOptions = {}): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = cliProgram("npm run", "Seals the Todo chatbot's secret values for Sealed Secrets.", stdout, stderr);
  program
    .command("seal")
    .description("seal an environment's secret values into environments/<env>.sealed.json")
    .argument("<environment>", "environment to seal for (its namespace is part of every sealed value)")
    .option("--cert <pem>", "the controller's certificate (as `kubeseal --fetch-cert` prints it); works offline")
    .option("--from-env-file <file>", `secret values; default ${SECRETS_DIR}/<environment>.env, else prompts`)
    .option("--force", "seal every value again, even unchanged ones (after rotating the controller's key)")
    .option("--context <name>", "kubectl context of the cluster whose controller seals (default: the environment's cluster's, from its delivery.cluster; never kubectl's current one)")
    .option("--controller-namespace <namespace>", "namespace of the Sealed Secrets controller (default: the environment's cluster's)")
    .option("--controller-name <name>", "name of the controller's Service (default: the environment's cluster's)")
    .action(async (environment: string, flags: SealFlags) => {
      try {
        const result = await sealEnvironment({
          environment,
          root,
          certFile: flags.cert,
          envFile: flags.fromEnvFile,
          force: flags.force,
          controller: { ...(flags.controllerNamespace ? { namespace: flags.controllerNamespace } : {}), ...(flags.controllerName ? { name: flags.controllerName } : {}) },
          ...(flags.context ? { context: flags.context } : {}),
          ask: terminalAsk(input, stderr),
          // npm runs scripts from the package root; INIT_CWD is where `npm run seal` was typed.
          cwd: cwd ?? process.env.INIT_CWD ?? process.cwd(),
        });
        stdout.write(`${summary(result)}\n`);
        for (const warning of result.warnings) stderr.write(`warning: ${warning}\n`);
        // A command to paste: it leaves `npm run check` passing (generator/commands/readme-recipes.test.ts runs it).
        if (result.written) stdout.write(`Next: npm run render -- ${environment} && git add -A environments manifests argocd && npm run check && git commit -m "${environment}: seal secrets"\n`);
      } catch (error) {
        // SettingsError, SecretInputError and the certificate's errors all say what is wrong and where.
        stderr.write(`${error instanceof Error ? error.message : String(error)}\nNothing was written.\n`);
        exitCode = EXIT.refused;
      }
    });
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    throw error;
  }
  return exitCode;
}
