import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { ICertificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import type { IIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer";
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { KubeObject } from "../kube-object.ts";
import { REPO_ROOT } from "../load/environments.ts";
import { renderEnvironment } from "../render.ts";
import type { Settings } from "../settings.ts";
import { type FilesChange, find, merge, problemsWith, settingsOf } from "../testing/fixtures.ts";
import { isAllowed } from "../testing/network-policy.ts";
import { problemsOf } from "../validation/kinds.ts";
import { tls } from "./tls.ts";

const dev = await settingsOf("dev");
const staging = await settingsOf("staging");
const prod = await settingsOf("prod");

/** staging as a real cluster with a public host would run it. */
const letsEncrypt = (issuer: "letsencrypt" | "letsencrypt-staging" = "letsencrypt"): Settings =>
  merge(staging, { ingress: { host: "staging.todo.example.com", tls: { issuer, acmeEmail: "ops@todo.example.com" } } });

const ingressOf = (settings: Settings) => find<IIngress>(renderEnvironment(settings), "Ingress", "todo-ingress");
const corsOf = (settings: Settings) => find<IConfigMap>(renderEnvironment(settings), "ConfigMap", "todo-backend-config").data!.CORS_ORIGINS;

describe("TLS: what each environment serves", () => {
  it("staging and prod: a Certificate for their host from the cluster's local CA, served by the Ingress, HTTP redirected", () => {
    for (const settings of [staging, prod]) {
      const certificate = find<ICertificate>(tls(settings), "Certificate", "todo-tls");
      assert.deepEqual(certificate.spec!.dnsNames, [settings.ingress.host]);
      assert.deepEqual(certificate.spec!.issuerRef, { group: "cert-manager.io", kind: "ClusterIssuer", name: "todo-local-ca" });
      assert.equal(certificate.metadata!.namespace, settings.namespace);
      const ingress = ingressOf(settings);
      assert.deepEqual(ingress.spec!.tls, [{ hosts: [settings.ingress.host], secretName: certificate.spec!.secretName }]);
      assert.equal(ingress.metadata!.annotations!["nginx.ingress.kubernetes.io/ssl-redirect"], "true");
      assert.equal(corsOf(settings), `https://${settings.ingress.host}`, "the browser's origin is https now");
      assert.equal(tls(settings).some((o) => o.kind === "Issuer"), false, "the local CA is the cluster's, not the environment's");
    }
  });

  it("dev: plain HTTP, no Certificate, no redirect", () => {
    assert.equal(dev.ingress.tls.enabled, false);
    assert.deepEqual(tls(dev), []);
    const ingress = ingressOf(dev);
    assert.equal(ingress.spec!.tls, undefined);
    assert.equal(ingress.metadata!.annotations!["nginx.ingress.kubernetes.io/ssl-redirect"], undefined);
    assert.equal(corsOf(dev), "http://todo.local");
  });

  it("nothing without an Ingress, whatever TLS says", () => {
    const noIngress = merge(staging, { ingress: { enabled: false } });
    assert.deepEqual(tls(noIngress), []);
    assert.equal(renderEnvironment(noIngress).some((o) => o.kind === "Certificate" || o.kind === "Ingress"), false);
  });

  it("Let's Encrypt: an ACME Issuer in the environment's namespace, HTTP-01 through the nginx class, solver behind a ClusterIP", () => {
    for (const [issuer, server] of [
      ["letsencrypt", "https://acme-v02.api.letsencrypt.org/directory"],
      ["letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory"],
    ] as const) {
      const settings = letsEncrypt(issuer);
      const objects = tls(settings);
      const acme = find<IIssuer>(objects, "Issuer", `todo-${issuer}`);
      assert.equal(acme.metadata!.namespace, settings.namespace);
      assert.equal(acme.spec!.acme!.server, server);
      assert.equal(acme.spec!.acme!.email, "ops@todo.example.com");
      assert.deepEqual(acme.spec!.acme!.privateKeySecretRef, { name: `todo-${issuer}-account-key` });
      assert.deepEqual(acme.spec!.acme!.solvers, [{ http01: { ingress: { ingressClassName: "nginx", serviceType: "ClusterIP" } } }]);
      const certificate = find<ICertificate>(objects, "Certificate", "todo-tls");
      assert.deepEqual(certificate.spec!.issuerRef, { group: "cert-manager.io", kind: "Issuer", name: `todo-${issuer}` });
      assert.deepEqual(certificate.spec!.dnsNames, ["staging.todo.example.com"]);
    }
  });

  it("the README's TLS section names the Issuer and account-key Secret each Let's Encrypt issuer renders", () => {
    const section = /^## TLS$([\s\S]*?)^## /m.exec(readFileSync(join(REPO_ROOT, "README.md"), "utf8"))?.[1] ?? "";
    for (const issuer of ["letsencrypt", "letsencrypt-staging"] as const) {
      const acme = tls(letsEncrypt(issuer)).find((o): o is IIssuer & KubeObject => o.kind === "Issuer")!;
      assert.ok(section.includes(`\`${acme.metadata!.name}\``), `the README names Issuer ${acme.metadata!.name}`);
      assert.ok(section.includes(`\`${acme.spec!.acme!.privateKeySecretRef.name}\``), `the README names Secret ${acme.spec!.acme!.privateKeySecretRef.name}`);
    }
  });

  it("renders objects that pass the cert-manager schemas, unknown fields included", async () => {
    for (const settings of [staging, prod, letsEncrypt(), letsEncrypt("letsencrypt-staging")]) {
      for (const object of tls(settings)) assert.deepEqual(await problemsOf(object), [], `${settings.name} ${object.kind}`);
    }
  });

  it("puts the Certificate and Issuer in the Ingress's wave: after the NetworkPolicies the solver's path needs", () => {
    for (const settings of [staging, letsEncrypt()]) {
      const objects = renderEnvironment(settings);
      const wave = (o: KubeObject) => Number(o.metadata!.annotations!["argocd.argoproj.io/sync-wave"]);
      const ingressWave = wave(find(objects, "Ingress", "todo-ingress"));
      for (const object of tls(settings)) assert.equal(wave(object), ingressWave, `${object.kind} ${object.metadata!.name}`);
      assert.ok(objects.filter((o) => o.kind === "NetworkPolicy").every((o) => wave(o) < ingressWave));
    }
  });
});

describe("TLS: cert-manager's HTTP-01 solver and the NetworkPolicies", () => {
  const solver = (settings: Settings) => ({
    name: "solver",
    namespace: settings.namespace,
    labels: { ...settings.cluster.certManager.http01Solver.podLabels, "acme.cert-manager.io/http-domain": "1", "acme.cert-manager.io/http-token": "2" },
    ip: "10.244.0.50",
  });
  const controller = (settings: Settings) => ({
    name: "ingress-controller",
    namespace: settings.cluster.ingressController.namespace,
    labels: { ...settings.cluster.ingressController.podLabels },
    ip: "10.244.1.2",
  });
  const port = staging.cluster.certManager.http01Solver.port;

  it("with ACME, the ingress controller reaches the solver on its port, and nothing else does", () => {
    const settings = letsEncrypt();
    const objects = renderEnvironment(settings);
    assert.ok(isAllowed(objects, controller(settings), solver(settings), port));
    assert.equal(isAllowed(objects, controller(settings), solver(settings), 80), false, "only the solver's port");
    const backend = { name: "backend", namespace: settings.namespace, labels: { "app.kubernetes.io/name": "todo-backend", "app.kubernetes.io/instance": "todo-staging" }, ip: "10.244.0.7" };
    for (const stranger of [backend, { name: "internet", ip: "203.0.113.10" }, { name: "pod", namespace: "default", labels: { app: "x" }, ip: "10.244.9.9" }]) {
      assert.equal(isAllowed(objects, stranger, solver(settings), port), false, stranger.name);
    }
    // The solver dials nothing: not the internet, and not what "the outside" excludes (cloud metadata, CGNAT).
    for (const ip of ["203.0.113.10", "169.254.169.254", "100.64.0.10"]) {
      for (const to of [80, 443]) assert.equal(isAllowed(objects, solver(settings), { name: ip, ip }, to), false, `solver -> ${ip}:${to}`);
    }
  });

  it("with the local CA (no ACME), nothing reaches a pod labelled as a solver", () => {
    const objects = renderEnvironment(staging);
    assert.equal(isAllowed(objects, controller(staging), solver(staging), port), false);
    assert.equal(objects.some((o) => o.kind === "NetworkPolicy" && o.metadata!.name === "acme-http01-solver"), false);
  });
});

describe("TLS settings", () => {
  /** staging's own file, as a real cluster with a public host would state it. */
  const letsEncryptFile = (issuer = "letsencrypt") => ({ ingress: { host: "staging.todo.example.com", tls: { issuer, acmeEmail: "ops@todo.example.com" } } });
  const problemsAt = async (change: FilesChange, path: string) => (await problemsWith("staging", change)).filter((p) => p.path === path);

  it("the committed environments and the Let's Encrypt variants have none", async () => {
    for (const name of ["dev", "staging", "prod"]) assert.deepEqual(await problemsWith(name, {}), [], name);
    for (const issuer of ["letsencrypt", "letsencrypt-staging"]) assert.deepEqual(await problemsWith("staging", { settings: letsEncryptFile(issuer) }), [], issuer);
  });

  it("refuses an issuer it does not render, naming the choices", async () => {
    const [problem] = await problemsAt({ settings: { ingress: { tls: { issuer: "vault" } } } }, "ingress.tls.issuer");
    assert.equal(problem?.value, "vault");
    assert.match(problem!.rule, /local-ca, letsencrypt, letsencrypt-staging/);
  });

  it("refuses TLS on or off spelt as anything but a boolean", async () => {
    const [problem] = await problemsAt({ settings: { ingress: { tls: { enabled: "yes" } } } }, "ingress.tls.enabled");
    assert.equal(problem?.value, "yes");
    assert.match(problem!.rule, /must be true or false/);
  });

  it("requires an e-mail address with Let's Encrypt, and only there", async () => {
    const [missing] = await problemsAt({ settings: merge(letsEncryptFile(), { ingress: { tls: { acmeEmail: "" } } }) }, "ingress.tls.acmeEmail");
    assert.equal(missing?.value, "");
    assert.match(missing!.rule, /^letsencrypt needs the ACME account's e-mail address/);
    assert.deepEqual(await problemsAt({ settings: { ingress: { tls: { acmeEmail: "" } } } }, "ingress.tls.acmeEmail"), []);
  });

  it("says which rule a malformed address breaks, not that one is needed, whatever the issuer", async () => {
    for (const email of ["ops@", "ops", "ops@localhost", "two words@example.com", "@example.com"]) {
      for (const settings of [merge(letsEncryptFile(), { ingress: { tls: { acmeEmail: email } } }), { ingress: { tls: { acmeEmail: email } } }]) {
        const problems = await problemsAt({ settings }, "ingress.tls.acmeEmail");
        assert.equal(problems.length, 1, `${JSON.stringify(email)}: ${JSON.stringify(problems)}`);
        assert.equal(problems[0]!.value, email);
        assert.match(problems[0]!.rule, /^is not an e-mail address: it must be local-part@domain, with a dot in the domain and no spaces/);
      }
    }
  });

  it("refuses Let's Encrypt for a host no public resolver answers", async () => {
    for (const host of ["staging.todo.local", "todo.test", "app.internal", "localhost"]) {
      const [problem] = await problemsAt({ settings: merge(letsEncryptFile(), { ingress: { host } }) }, "ingress.tls.issuer");
      assert.ok(problem, host);
      assert.match(problem.rule, new RegExp(`"${host.replace(/\./g, "\\.")}".*local-ca`));
    }
  });

  it("counts the solver pod against the namespace's quota with ACME", async () => {
    // Exactly room for the workloads without the solver: fine with the local CA, too small with ACME.
    const needed = async (stated: object) => {
      const [pods] = await problemsAt({ settings: merge(stated, { namespaceSettings: { quota: { pods: "0" } } }) }, "namespaceSettings.quota.pods");
      return Number(/up to (\d+) pods/.exec(pods!.rule)![1]);
    };
    assert.equal(await needed(letsEncryptFile()), (await needed({})) + 1);
  });

  it("reports a misspelt TLS setting, and the setting this one replaced, as unknown", async () => {
    const [typo] = await problemsAt({ settings: { ingress: { tls: { acmeEmial: "ops@example.com" } } } }, "ingress.tls.acmeEmial");
    assert.match(typo!.rule, /unknown setting; did you mean acmeEmail\?/);
    const [old] = await problemsAt({ settings: { ingress: { tlsSecretName: "todo-tls" } } }, "ingress.tlsSecretName");
    assert.match(old!.rule, /unknown setting/);
  });
});
