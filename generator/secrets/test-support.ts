/**
 * Throwaway sealing keys for tests: an RSA key pair and a self-signed X.509
 * certificate, like the one the controller generates and
 * `kubeseal --fetch-cert` prints.
 *
 * node:crypto makes key pairs and reads certificates but cannot write one,
 * and the libraries that can (@peculiar/x509 and what builds on it) bring
 * some twenty packages and a global Reflect polyfill for this one fixture.
 * A self-signed certificate is a few DER structures, so they are written
 * here; node:crypto's X509Certificate reading them back (and verifying the
 * signature) is the check, see test-support.test.ts.
 */
import { generateKeyPairSync, sign } from "node:crypto";

export interface ThrowawaySealingKey {
  privateKeyPem: string;
  publicKeyPem: string;
  certificatePem: string;
}

export interface ThrowawayKeyOptions {
  /** The controller makes 4096-bit keys; 2048 keeps tests fast and exercises the same code. */
  modulusLength?: number;
  notBefore?: Date;
  notAfter?: Date;
  commonName?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function throwawaySealingKey(options: ThrowawayKeyOptions = {}): ThrowawaySealingKey {
  const { modulusLength = 2048, commonName = "sealed-secret" } = options;
  const notBefore = options.notBefore ?? new Date(Date.now() - DAY_MS);
  const notAfter = options.notAfter ?? new Date(Date.now() + 30 * DAY_MS);
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength });

  const sha256WithRSA = sequence(oid([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]), tlv(0x05, Buffer.alloc(0)));
  const commonNameOid = oid([0x55, 0x04, 0x03]);
  const name = sequence(tlv(0x31, sequence(commonNameOid, tlv(0x0c, Buffer.from(commonName, "utf8")))));
  const tbsCertificate = sequence(
    tlv(0xa0, integer(2)), // [0] EXPLICIT version: v3
    integer(1), // serial number
    sha256WithRSA,
    name, // issuer: self-signed
    sequence(utcTime(notBefore), utcTime(notAfter)),
    name, // subject
    publicKey.export({ type: "spki", format: "der" }),
  );
  const signature = sign("sha256", tbsCertificate, privateKey);
  const certificate = sequence(tbsCertificate, sha256WithRSA, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));

  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    certificatePem: pem("CERTIFICATE", certificate),
  };
}

/** DER: tag, definite length, contents. */
function tlv(tag: number, contents: Buffer): Buffer {
  const length = contents.length;
  let header: number[];
  if (length < 0x80) {
    header = [length];
  } else {
    const bytes: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    header = [0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from([tag, ...header]), contents]);
}

function sequence(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function oid(encoded: number[]): Buffer {
  return tlv(0x06, Buffer.from(encoded));
}

/** Small non-negative integers only, which is all a certificate's version and serial need here. */
function integer(value: number): Buffer {
  if (!Number.isInteger(value) || value < 0 || value > 0x7f) throw new Error(`test-support: integer ${value} out of range`);
  return tlv(0x02, Buffer.from([value]));
}

/** UTCTime, YYMMDDHHMMSSZ: valid for the years 1950–2049. */
function utcTime(date: Date): Buffer {
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 2049) throw new Error(`test-support: ${date.toISOString()} needs GeneralizedTime`);
  const two = (n: number) => String(n).padStart(2, "0");
  const text = `${two(year % 100)}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(text, "ascii"));
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
