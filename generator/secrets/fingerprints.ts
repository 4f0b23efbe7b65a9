/**
 * Re-sealing only what changed.
 *
 * Sealing is random: sealing an unchanged value again gives a new ciphertext,
 * a diff in Git and a needless Secret update. To know whether a value changed
 * without keeping its plaintext, `npm run seal` records, for each value, the
 * ciphertext it wrote and a keyed fingerprint of what it sealed:
 *
 *   HMAC-SHA256(fingerprint key, JSON [sealing key id, namespace, Secret, key, value])
 *
 * - Keyed, because a plain SHA-256 of a short password is a leak: anyone can
 *   hash guesses and compare. Without the random 256-bit key
 *   (`.secrets/fingerprint.key`, made on first use) a fingerprint cannot be
 *   checked against guesses.
 * - Local, because nothing derived from a plaintext needs to be in Git: the
 *   records (`.secrets/<env>.seal-state.json`) stay in the ignored .secrets/,
 *   beside the plaintext they describe. A fresh clone or another teammate
 *   simply seals everything once.
 * - Bound to the committed ciphertext and the sealing key: a value is kept only
 *   while the committed ciphertext is the one recorded here for the same
 *   plaintext, certificate (its public key's SHA-256), namespace and name.
 *   A teammate's re-seal, a new controller key or a renamed Secret means
 *   sealing again.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomically } from "./atomic-write.ts";
import { byCodePoint } from "../lib/order.ts";

export const SECRETS_DIR = ".secrets";
const KEY_FILE = "fingerprint.key";
const KEY_BYTES = 32;

export interface SealRecord {
  /** The ciphertext written to the sealed file. */
  sealed: string;
  /** HMAC of what was sealed (see above). */
  fingerprint: string;
}

/** `<secret>.<key>` → record. */
export type SealState = Record<string, SealRecord>;

export function secretsDir(root: string): string {
  return join(root, SECRETS_DIR);
}

function stateFile(root: string, environment: string): string {
  return join(secretsDir(root), `${environment}.seal-state.json`);
}

/** The per-clone fingerprint key, made on first use; readable by its owner only. */
export function fingerprintKey(root: string): Buffer {
  const file = join(secretsDir(root), KEY_FILE);
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
    if (key.length === KEY_BYTES) return key;
    throw new Error(`${SECRETS_DIR}/${KEY_FILE} is not a ${KEY_BYTES}-byte base64 key; delete it to make a new one (everything is sealed again once)`);
  }
  mkdirSync(secretsDir(root), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  writeFileAtomically(file, `${key.toString("base64")}\n`, 0o600);
  return key;
}

/** Identifies the controller's key pair: SHA-256 of its public key (SPKI, DER). */
export function sealingKeyId(publicKey: KeyObject): string {
  return createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("base64");
}

export interface FingerprintInput {
  sealingKeyId: string;
  namespace: string;
  secret: string;
  key: string;
  value: string;
}

export function valueFingerprint(fingerprintKeyBytes: Buffer, input: FingerprintInput): string {
  // A JSON array frames each part, so no two different inputs give the same message.
  const message = JSON.stringify([input.sealingKeyId, input.namespace, input.secret, input.key, input.value]);
  return createHmac("sha256", fingerprintKeyBytes).update(message, "utf8").digest("base64");
}

/** The records of an environment's last seal on this machine; none when missing or unreadable. */
export function readSealState(root: string, environment: string): SealState {
  const file = stateFile(root, environment);
  if (!existsSync(file)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (typeof parsed !== "object" || parsed === null) return {};
    const state: SealState = {};
    for (const [id, record] of Object.entries(parsed as Record<string, Partial<SealRecord>>)) {
      if (typeof record?.sealed === "string" && typeof record.fingerprint === "string") {
        state[id] = { sealed: record.sealed, fingerprint: record.fingerprint };
      }
    }
    return state;
  } catch {
    // Only an optimisation: without records everything is sealed again.
    return {};
  }
}

export function writeSealState(root: string, environment: string, state: SealState): void {
  mkdirSync(secretsDir(root), { recursive: true, mode: 0o700 });
  const sorted = Object.fromEntries(Object.entries(state).sort(([a], [b]) => byCodePoint(a, b)));
  writeFileAtomically(stateFile(root, environment), `${JSON.stringify(sorted, null, 2)}\n`, 0o600);
}
