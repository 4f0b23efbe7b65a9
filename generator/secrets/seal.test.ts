import assert from "node:assert/strict";
import { constants, createDecipheriv, generateKeyPairSync, privateDecrypt } from "node:crypto";
import { describe, it } from "node:test";
import { GCM_TAG_BYTES, LENGTH_PREFIX_BYTES, sealValue, sealedValueProblem, sealingKeyFromPem, strictScopeLabel } from "./seal.ts";
import { throwawaySealingKey } from "./test-support.ts";
import { openValue, openValueBytes } from "./unseal.ts";

const key = throwawaySealingKey();
const target = { namespace: "todo-dev", name: "todo-backend-secret" };

describe("sealValue / openValue", () => {
  it("round-trips through the controller's decryption", () => {
    for (const value of ["sk-test-0123456789", "pässwörd with spaces and = signs #", "x", ""]) {
      const sealed = sealValue({ certificatePem: key.certificatePem, ...target, value });
      assert.equal(openValue({ privateKeyPem: key.privateKeyPem, ...target, sealed }), value);
    }
  });

  it("seals bytes as they are", () => {
    const bytes = Uint8Array.from([0, 255, 1, 128, 10]);
    const sealed = sealValue({ certificatePem: key.certificatePem, ...target, value: bytes });
    assert.deepEqual([...openValueBytes({ privateKeyPem: key.privateKeyPem, ...target, sealed })], [...bytes]);
  });

  it("lays the bytes out as kubeseal does: length, RSA ciphertext, AES-GCM ciphertext and tag, in standard base64", () => {
    const value = "exactly-24-bytes-of-text";
    const sealed = sealValue({ certificatePem: key.certificatePem, ...target, value });
    assert.match(sealed, /^[A-Za-z0-9+/]+={0,2}$/);
    const bytes = Buffer.from(sealed, "base64");
    const rsaLength = bytes.readUInt16BE(0);
    assert.equal(rsaLength, 2048 / 8, "the RSA ciphertext is as long as the modulus");
    assert.equal(bytes.length, LENGTH_PREFIX_BYTES + rsaLength + Buffer.byteLength(value) + GCM_TAG_BYTES);
  });

  it("opens with kubeseal's constants written out here, not taken from seal.ts: label \"todo-dev/todo-backend-secret\", 12 zero nonce bytes, 16-byte tag", () => {
    // unseal.ts shares its constants with seal.ts; a mistake in one of them would round-trip there unnoticed.
    const sealed = Buffer.from(sealValue({ certificatePem: key.certificatePem, ...target, value: "known answer" }), "base64");
    const rsaLength = (sealed[0]! << 8) | sealed[1]!;
    const sessionKey = privateDecrypt(
      { key: key.privateKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: Buffer.from("todo-dev/todo-backend-secret") },
      sealed.subarray(2, 2 + rsaLength),
    );
    assert.equal(sessionKey.length, 32, "AES-256 session key");
    const rest = sealed.subarray(2 + rsaLength);
    const decipher = createDecipheriv("aes-256-gcm", sessionKey, Buffer.alloc(12));
    decipher.setAuthTag(rest.subarray(rest.length - 16));
    assert.equal(Buffer.concat([decipher.update(rest.subarray(0, rest.length - 16)), decipher.final()]).toString("utf8"), "known answer");
  });

  it("writes a two-byte big-endian length for the controller's 4096-bit keys", () => {
    const big = throwawaySealingKey({ modulusLength: 4096 });
    const sealed = sealValue({ certificatePem: big.certificatePem, ...target, value: "v" });
    const bytes = Buffer.from(sealed, "base64");
    assert.deepEqual([bytes[0], bytes[1]], [0x02, 0x00], "512 = 0x0200");
    assert.equal(openValue({ privateKeyPem: big.privateKeyPem, ...target, sealed }), "v");
  });

  it("binds the value to its namespace and Secret name (strict scope)", () => {
    const sealed = sealValue({ certificatePem: key.certificatePem, ...target, value: "bound" });
    assert.throws(
      () => openValue({ privateKeyPem: key.privateKeyPem, namespace: "todo-prod", name: target.name, sealed }),
      /label "todo-prod\/todo-backend-secret"/,
    );
    assert.throws(
      () => openValue({ privateKeyPem: key.privateKeyPem, namespace: target.namespace, name: "todo-database-secret", sealed }),
      /wrong key, namespace or name/,
    );
  });

  it("does not open with another controller's key", () => {
    const sealed = sealValue({ certificatePem: key.certificatePem, ...target, value: "mine" });
    assert.throws(() => openValue({ privateKeyPem: throwawaySealingKey().privateKeyPem, ...target, sealed }), /wrong key/);
  });

  it("detects an altered ciphertext", () => {
    const bytes = Buffer.from(sealValue({ certificatePem: key.certificatePem, ...target, value: "original value" }), "base64");
    bytes[bytes.length - GCM_TAG_BYTES - 1]! ^= 1;
    assert.throws(() => openValue({ privateKeyPem: key.privateKeyPem, ...target, sealed: bytes.toString("base64") }), /altered/);
  });

  it("is random: sealing the same value twice gives different ciphertexts that both open", () => {
    const first = sealValue({ certificatePem: key.certificatePem, ...target, value: "same" });
    const second = sealValue({ certificatePem: key.certificatePem, ...target, value: "same" });
    assert.notEqual(first, second);
    assert.equal(openValue({ privateKeyPem: key.privateKeyPem, ...target, sealed: second }), "same");
  });

  it("accepts a PEM public key as well as a certificate", () => {
    const sealed = sealValue({ certificatePem: key.publicKeyPem, ...target, value: "from a public key" });
    assert.equal(openValue({ privateKeyPem: key.privateKeyPem, ...target, sealed }), "from a public key");
  });
});

describe("sealingKeyFromPem", () => {
  it("refuses an expired certificate, as kubeseal does", () => {
    const expired = throwawaySealingKey({ notBefore: new Date("2020-01-01T00:00:00Z"), notAfter: new Date("2021-01-01T00:00:00Z") });
    assert.throws(() => sealingKeyFromPem(expired.certificatePem), /expired on 2021-01-01/);
    assert.doesNotThrow(() => sealingKeyFromPem(expired.certificatePem, new Date("2020-06-01T00:00:00Z")));
  });

  it("refuses a key that is not RSA, and text that is not PEM", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();
    assert.throws(() => sealingKeyFromPem(ec), /must be RSA, not ec/);
    assert.throws(() => sealingKeyFromPem("hello"), /expected a PEM certificate/);
    assert.throws(() => sealingKeyFromPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), /not a readable PEM certificate/);
  });

  it("needs a namespace and a name for the strict scope", () => {
    assert.equal(strictScopeLabel("todo-dev", "todo-backend-secret"), "todo-dev/todo-backend-secret");
    assert.throws(() => sealValue({ certificatePem: key.certificatePem, namespace: "", name: "x", value: "v" }), /needs a namespace/);
    assert.throws(() => sealValue({ certificatePem: key.certificatePem, namespace: "ns", name: "", value: "v" }), /needs a Secret name/);
  });
});

describe("sealedValueProblem", () => {
  it("accepts what sealValue writes", () => {
    assert.equal(sealedValueProblem(sealValue({ certificatePem: key.certificatePem, ...target, value: "" })), undefined);
  });

  it("refuses plaintext and truncated values", () => {
    assert.match(sealedValueProblem("my password")!, /base64/);
    assert.match(sealedValueProblem("c2stdGVzdC0xMjM0NTY3ODkw")!, /RSA ciphertext length/, "base64 of a plaintext");
    assert.match(sealedValueProblem("")!, /base64/);
    const sealed = sealValue({ certificatePem: key.certificatePem, ...target, value: "v" });
    const truncated = Buffer.from(sealed, "base64").subarray(0, 200).toString("base64");
    assert.match(sealedValueProblem(truncated)!, /too short/);
  });
});
