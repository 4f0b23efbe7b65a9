import assert from "node:assert/strict";
import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import { it } from "node:test";
import { throwawaySealingKey } from "./test-support.ts";

it("makes a self-signed certificate that node:crypto reads and verifies", () => {
  const notBefore = new Date("2026-01-02T03:04:05Z");
  const notAfter = new Date("2036-01-02T03:04:05Z");
  const key = throwawaySealingKey({ notBefore, notAfter, commonName: "sealed-secret" });
  const certificate = new X509Certificate(key.certificatePem);
  assert.equal(certificate.subject, "CN=sealed-secret");
  assert.equal(certificate.issuer, "CN=sealed-secret");
  assert.equal(new Date(certificate.validFrom).toISOString(), notBefore.toISOString());
  assert.equal(new Date(certificate.validTo).toISOString(), notAfter.toISOString());
  assert.ok(certificate.verify(certificate.publicKey), "signed by its own key");
  assert.ok(certificate.checkPrivateKey(createPrivateKey(key.privateKeyPem)), "matches the private key");
  assert.ok(certificate.publicKey.equals(createPublicKey(key.publicKeyPem)));
  assert.equal(certificate.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
});
