/**
 * The closed schemas of cert-manager's kinds (custom-kinds.ts) against the
 * CRDs of the release the control plane pins, v1.21.1.
 *
 * CRD_FIELDS below was read from that release's CRDs
 * (deploy/charts/cert-manager/templates/crd-cert-manager.io_certificates.yaml
 * and crd-cert-manager.io_issuers.yaml at tag v1.21.1; ClusterIssuer's schema
 * is Issuer's): every property, with its OpenAPI type, of each object the
 * schemas enter, `!` marking a required one. A field the schemas admit must be
 * one of these, of the same type; a field the CRD requires must be required.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { minikube } from "../../clusters/minikube/cluster.ts";
import type { KubeObject } from "../kube-object.ts";
import { CUSTOM_KIND_FIELDS } from "./custom-kinds.ts";
import { KINDS, problemsOf } from "./kinds.ts";
import type { FieldType } from "./unknown-fields.ts";

const CERTIFICATE_CRD: Record<string, string> = {
  apiVersion: "string",
  kind: "string",
  metadata: "object",
  spec: "object",
  status: "object",
  "spec.additionalOutputFormats": "array",
  "spec.commonName": "string",
  "spec.dnsNames": "array",
  "spec.duration": "string",
  "spec.emailAddresses": "array",
  "spec.encodeUsagesInRequest": "boolean",
  "spec.ipAddresses": "array",
  "spec.isCA": "boolean",
  "spec.issuerRef": "object!",
  "spec.issuerRef.group": "string",
  "spec.issuerRef.kind": "string",
  "spec.issuerRef.name": "string!",
  "spec.keystores": "object",
  "spec.literalSubject": "string",
  "spec.nameConstraints": "object",
  "spec.otherNames": "array",
  "spec.privateKey": "object",
  "spec.privateKey.algorithm": "string",
  "spec.privateKey.encoding": "string",
  "spec.privateKey.rotationPolicy": "string",
  "spec.privateKey.size": "integer",
  "spec.renewBefore": "string",
  "spec.renewBeforePercentage": "integer",
  "spec.renewal": "object",
  "spec.revisionHistoryLimit": "integer",
  "spec.secretName": "string!",
  "spec.secretTemplate": "object",
  "spec.secretTemplate.annotations": "object",
  "spec.secretTemplate.labels": "object",
  "spec.signatureAlgorithm": "string",
  "spec.subject": "object",
  "spec.subject.countries": "array",
  "spec.subject.localities": "array",
  "spec.subject.organizationalUnits": "array",
  "spec.subject.organizations": "array",
  "spec.subject.postalCodes": "array",
  "spec.subject.provinces": "array",
  "spec.subject.serialNumber": "string",
  "spec.subject.streetAddresses": "array",
  "spec.uris": "array",
  "spec.usages": "array",
};

const ISSUER_CRD: Record<string, string> = {
  apiVersion: "string",
  kind: "string",
  metadata: "object",
  spec: "object!",
  status: "object",
  "spec.acme": "object",
  "spec.ca": "object",
  "spec.selfSigned": "object",
  "spec.vault": "object",
  "spec.venafi": "object",
  "spec.acme.caBundle": "string",
  "spec.acme.disableAccountKeyGeneration": "boolean",
  "spec.acme.email": "string",
  "spec.acme.enableDurationFeature": "boolean",
  "spec.acme.externalAccountBinding": "object",
  "spec.acme.preferredChain": "string",
  "spec.acme.privateKeySecretRef": "object!",
  "spec.acme.privateKeySecretRef.key": "string",
  "spec.acme.privateKeySecretRef.name": "string!",
  "spec.acme.profile": "string",
  "spec.acme.server": "string!",
  "spec.acme.skipTLSVerify": "boolean",
  "spec.acme.solvers": "array",
  "spec.acme.solvers[].dns01": "object",
  "spec.acme.solvers[].http01": "object",
  "spec.acme.solvers[].selector": "object",
  "spec.acme.solvers[].waitInsteadOfSelfCheck": "string",
  "spec.acme.solvers[].http01.gatewayHTTPRoute": "object",
  "spec.acme.solvers[].http01.ingress": "object",
  "spec.acme.solvers[].http01.ingress.class": "string",
  "spec.acme.solvers[].http01.ingress.ingressClassName": "string",
  "spec.acme.solvers[].http01.ingress.ingressTemplate": "object",
  "spec.acme.solvers[].http01.ingress.name": "string",
  "spec.acme.solvers[].http01.ingress.podTemplate": "object",
  "spec.acme.solvers[].http01.ingress.serviceType": "string",
  "spec.ca.crlDistributionPoints": "array",
  "spec.ca.issuingCertificateURLs": "array",
  "spec.ca.ocspServers": "array",
  "spec.ca.secretName": "string!",
  "spec.selfSigned.crlDistributionPoints": "array",
};

const CRD_FIELDS: Record<string, Record<string, string>> = {
  "cert-manager.io/v1/Certificate": CERTIFICATE_CRD,
  "cert-manager.io/v1/Issuer": ISSUER_CRD,
  "cert-manager.io/v1/ClusterIssuer": ISSUER_CRD,
};

/** The OpenAPI type a closed-schema field stands for (a Go duration is a string in the CRD). */
function openApiType(type: FieldType): string {
  switch (type.type) {
    case "object":
    case "map":
    case "model":
      return "object";
    case "array":
      return "array";
    case "any":
      return "any";
    case "scalar":
      return type.kind === "duration" || type.kind === undefined ? "string" : type.kind;
  }
}

/** Every field a closed schema admits, with its type and whether it is required; metadata is ObjectMeta's, not the CRD's. */
function admitted(type: FieldType, path = "", required = false): { path: string; type: string; required: boolean }[] {
  const out = path ? [{ path, type: openApiType(type), required }] : [];
  const inner = type.type === "array" ? type.items : type;
  const innerPath = type.type === "array" ? `${path}[]` : path;
  if (inner.type === "object") {
    for (const [key, field] of Object.entries(inner.fields)) {
      out.push(...admitted(field, innerPath ? `${innerPath}.${key}` : key, inner.required?.includes(key) ?? false));
    }
  }
  return out;
}

/** Paths of the objects the schema enters, an array's items as `path[]`. */
function entered(type: FieldType, path = ""): string[] {
  if (type.type === "array") return entered(type.items, `${path}[]`);
  if (type.type !== "object") return [];
  return [path, ...Object.entries(type.fields).flatMap(([key, field]) => entered(field, path ? `${path}.${key}` : key))];
}

describe("cert-manager kinds: closed schemas within the v1.21.1 CRDs", () => {
  for (const [key, crd] of Object.entries(CRD_FIELDS)) {
    const schema = CUSTOM_KIND_FIELDS[key];

    it(`${key}: every field the schema admits is in the CRD, with the CRD's type`, () => {
      assert.ok(schema, `no closed schema for ${key}`);
      const fields = admitted(schema);
      assert.ok(fields.length > 10, "the walk found too few fields to prove anything");
      for (const field of fields) {
        const declared = crd[field.path];
        assert.ok(declared, `${key}: ${field.path} is not a field of the v1.21.1 CRD`);
        assert.equal(field.type, declared.replace("!", ""), `${key}: ${field.path}`);
      }
    });

    it(`${key}: every field the CRD requires, inside an object the schema admits, is required`, () => {
      const fields = admitted(schema!);
      const objects = new Set(entered(schema!));
      let checked = 0;
      for (const [path, declared] of Object.entries(crd)) {
        if (!declared.endsWith("!")) continue;
        const parent = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
        if (!objects.has(parent)) continue;
        checked++;
        const field = fields.find((f) => f.path === path);
        assert.ok(field?.required, `${key}: the CRD requires ${path}; the schema does not`);
      }
      assert.ok(checked >= 2, `${key}: no required field checked`);
    });
  }

  it("is written for the release the control plane pins", () => {
    assert.equal(minikube.certManager.chart.version, "v1.21.1", "another release: re-read its CRDs into the lists above, then change this");
  });

  it("knows ClusterIssuer as cluster-scoped, Certificate and Issuer as namespaced", () => {
    assert.equal(KINDS.get("cert-manager.io/v1/ClusterIssuer")?.namespaced, false);
    assert.equal(KINDS.get("cert-manager.io/v1/Certificate")?.namespaced, true);
    assert.equal(KINDS.get("cert-manager.io/v1/Issuer")?.namespaced, true);
  });

});

const certificate: KubeObject & { spec: Record<string, unknown> } = {
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name: "todo-ingress", namespace: "todo-staging" },
  spec: { secretName: "todo-ingress-tls", dnsNames: ["staging.todo.local"], issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "todo-local-ca" } },
};

describe("cert-manager kinds: what problemsOf() refuses", () => {
  it("accepts a well-formed Certificate", async () => {
    assert.deepEqual(await problemsOf(certificate), []);
  });

  it("refuses an unknown or misspelt field, naming its path", async () => {
    const typo = { ...certificate, spec: { ...certificate.spec, dnsName: ["x.todo.local"] } };
    assert.deepEqual(await problemsOf(typo), ["spec.dnsName: unknown field (not in the cert-manager.io/v1/Certificate schema)"]);
    const issuer = { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "x" }, spec: { selfsigned: {} } };
    assert.deepEqual(await problemsOf(issuer), ["spec.selfsigned: unknown field (not in the cert-manager.io/v1/ClusterIssuer schema)"]);
  });

  it("refuses a wrong type and a missing required field through the published model's validate()", async () => {
    const wrongType = await problemsOf({ ...certificate, spec: { ...certificate.spec, isCA: "yes" } } as KubeObject);
    assert.equal(wrongType.length, 1);
    assert.match(wrongType[0]!, /^schema: .*isCA/);
    const { secretName: _, ...withoutSecret } = certificate.spec;
    const missing = await problemsOf({ ...certificate, spec: withoutSecret } as KubeObject);
    assert.equal(missing.length, 1);
    assert.match(missing[0]!, /^schema: .*secretName/);
  });
});
