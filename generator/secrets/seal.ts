/**
 * Sealing a value exactly as kubeseal does for the strict scope (the Sealed
 * Secrets source, pkg/crypto HybridEncrypt), so the controller in the cluster
 * can unseal it:
 *
 *   - a random 32-byte session key encrypts the value with AES-256-GCM and a
 *     zero nonce (the key is used once, so a fixed nonce is safe);
 *   - RSA-OAEP with SHA-256 encrypts the session key under the controller's
 *     public key, with the label `<namespace>/<name>`: the controller only
 *     unseals it into a Secret of that namespace and name;
 *   - the result is the RSA ciphertext's length (2 bytes, big-endian), the
 *     RSA ciphertext, then the AES-GCM ciphertext with its 16-byte tag,
 *     encoded in standard base64 as kubeseal writes `encryptedData`.
 */
import { X509Certificate, constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from "node:crypto";
import type { KeyObject } from "node:crypto";

export const SESSION_KEY_BYTES = 32;
/** GCM's standard 96-bit nonce, all zeros. */
export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;
/** The RSA ciphertext's length prefix. */
export const LENGTH_PREFIX_BYTES = 2;

/** The OAEP label of the strict scope: a sealed value opens only in this namespace, under this name. */
export function strictScopeLabel(namespace: string, name: string): string {
  if (!namespace) throw new Error("sealing: the strict scope needs a namespace");
  if (!name) throw new Error("sealing: the strict scope needs a Secret name");
  return `${namespace}/${name}`;
}

/**
 * The RSA public key of a PEM certificate (as `kubeseal --fetch-cert` prints
 * it) or of a PEM public key. Like kubeseal, it refuses an expired
 * certificate and a key that is not RSA.
 */
export function sealingKeyFromPem(pem: string, now: Date = new Date()): KeyObject {
  let key: KeyObject;
  if (pem.includes("-----BEGIN CERTIFICATE-----")) {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(pem);
    } catch (error) {
      throw new Error(`sealing: not a readable PEM certificate (${(error as Error).message})`);
    }
    const notAfter = new Date(certificate.validTo);
    if (now > notAfter) {
      throw new Error(`sealing: the certificate expired on ${notAfter.toISOString()}; fetch the controller's current one`);
    }
    key = certificate.publicKey;
  } else if (pem.includes("-----BEGIN PUBLIC KEY-----") || pem.includes("-----BEGIN RSA PUBLIC KEY-----")) {
    try {
      key = createPublicKey(pem);
    } catch (error) {
      throw new Error(`sealing: not a readable PEM public key (${(error as Error).message})`);
    }
  } else {
    throw new Error("sealing: expected a PEM certificate (-----BEGIN CERTIFICATE-----) or public key");
  }
  if (key.asymmetricKeyType !== "rsa") {
    throw new Error(`sealing: the controller's key must be RSA, not ${key.asymmetricKeyType}`);
  }
  return key;
}

export interface SealRequest {
  /** PEM certificate of the controller (or a PEM public key). */
  certificatePem: string;
  /** Namespace and name of the Secret the controller will create. */
  namespace: string;
  name: string;
  /** The plaintext; a string is sealed as its UTF-8 bytes. */
  value: string | Uint8Array;
}

/** Seals one value for one Secret key: the base64 text that goes into `spec.encryptedData`. */
export function sealValue({ certificatePem, namespace, name, value }: SealRequest): string {
  return sealWithKey(sealingKeyFromPem(certificatePem), strictScopeLabel(namespace, name), value);
}

/** The same with a key already read (sealing many values reads the certificate once). */
export function sealWithKey(key: KeyObject, label: string, value: string | Uint8Array): string {
  const plaintext = typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value);
  const sessionKey = randomBytes(SESSION_KEY_BYTES);

  const rsaCiphertext = publicEncrypt(
    { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: Buffer.from(label, "utf8") },
    sessionKey,
  );
  const lengthPrefix = Buffer.alloc(LENGTH_PREFIX_BYTES);
  lengthPrefix.writeUInt16BE(rsaCiphertext.length);

  const cipher = createCipheriv("aes-256-gcm", sessionKey, Buffer.alloc(GCM_NONCE_BYTES));
  const aesCiphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);

  return Buffer.concat([lengthPrefix, rsaCiphertext, aesCiphertext]).toString("base64");
}

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Why `text` cannot be a sealed value, or undefined when its shape is right.
 * This checks the layout only (nothing can be checked about the content
 * without the private key); it catches a plaintext pasted where a sealed
 * value belongs.
 */
export function sealedValueProblem(text: string): string | undefined {
  if (!text || !STANDARD_BASE64.test(text)) return "must be standard base64, as `npm run seal` writes it";
  const bytes = Buffer.from(text, "base64");
  if (bytes.length < LENGTH_PREFIX_BYTES) return "is too short to be a sealed value";
  const rsaLength = bytes.readUInt16BE(0);
  // An RSA ciphertext is as long as the modulus: 2048 bits at least, in practice.
  if (rsaLength < 256 || rsaLength % 8 !== 0) return `does not start with an RSA ciphertext length (found ${rsaLength} bytes)`;
  if (bytes.length < LENGTH_PREFIX_BYTES + rsaLength + GCM_TAG_BYTES) return "is too short for its RSA ciphertext and the AES-GCM tag";
  return undefined;
}
