/**
 * The controller's side (the Sealed Secrets source, pkg/crypto
 * HybridDecrypt): what the cluster does with a sealed value. The repository
 * never holds the private key; tests use this with a throwaway key pair, and
 * it can check a value against a backed-up sealing key.
 */
import { constants, createDecipheriv, createPrivateKey, privateDecrypt } from "node:crypto";
import { GCM_NONCE_BYTES, GCM_TAG_BYTES, LENGTH_PREFIX_BYTES, strictScopeLabel } from "./seal.ts";

export interface OpenRequest {
  /** PEM private key of the controller (the `tls.key` of its sealing-key Secret). */
  privateKeyPem: string;
  /** Namespace and name of the Secret being created from the sealed value. */
  namespace: string;
  name: string;
  /** The base64 text from `spec.encryptedData`. */
  sealed: string;
}

/** The plaintext bytes of a sealed value; throws when the key, namespace or name does not match. */
export function openValueBytes({ privateKeyPem, namespace, name, sealed }: OpenRequest): Buffer {
  const label = strictScopeLabel(namespace, name);
  const bytes = Buffer.from(sealed, "base64");
  if (bytes.length < LENGTH_PREFIX_BYTES) throw new Error("unsealing: the sealed value is too short");
  const rsaLength = bytes.readUInt16BE(0);
  if (bytes.length < LENGTH_PREFIX_BYTES + rsaLength + GCM_TAG_BYTES) throw new Error("unsealing: the sealed value is too short");
  const rsaCiphertext = bytes.subarray(LENGTH_PREFIX_BYTES, LENGTH_PREFIX_BYTES + rsaLength);
  const aesCiphertext = bytes.subarray(LENGTH_PREFIX_BYTES + rsaLength, bytes.length - GCM_TAG_BYTES);
  const tag = bytes.subarray(bytes.length - GCM_TAG_BYTES);

  const key = createPrivateKey(privateKeyPem);
  let sessionKey: Buffer;
  try {
    sessionKey = privateDecrypt(
      {
        key,
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: "sha256",
        oaepLabel: Buffer.from(label, "utf8"),
      },
      rsaCiphertext,
    );
  } catch {
    throw new Error(`unsealing: the session key does not open with this private key and the label "${label}" (wrong key, namespace or name)`);
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", sessionKey, Buffer.alloc(GCM_NONCE_BYTES));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(aesCiphertext), decipher.final()]);
  } catch {
    throw new Error("unsealing: the value fails its AES-GCM authentication (it was altered)");
  }
}

/** The plaintext of a sealed value, as UTF-8 text. */
export function openValue(request: OpenRequest): string {
  return openValueBytes(request).toString("utf8");
}
