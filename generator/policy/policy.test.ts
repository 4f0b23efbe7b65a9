/**
 * The policy bar at zero: every rule of policy.ts over every environment's
 * rendered objects (the in-memory render), the Argo CD objects, and variants
 * that switch on what the committed environments leave off (Let's Encrypt,
 * API access, scaled out). Then the bar's own honesty: every upstream check is
 * accounted for once, every exemption still waives something (or its kind is
 * still absent), and every predicate fires on a deliberately bad object.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parse } from "yaml";
import type { KubeObject } from "../kube-object.ts";
import { renderEnvironment } from "../render.ts";
import { listEnvironments, readImagesFile } from "../load/environments.ts";
import type { Settings } from "../settings.ts";
import { parseReleaseTags, withTags } from "../release/release.ts";
import { secretKeysUsedBy } from "../secrets/catalogue.ts";
import { sealValue } from "../secrets/seal.ts";
import { throwawaySealingKey } from "../secrets/test-support.ts";
import { environments, fixtureEnvironments, merge, problemsWith, renderedFixture, renderedRepository, settingsOf } from "../testing/fixtures.ts";
import { type PolicyRule, type PolicyTarget, POLICY, evaluate, exemptionsOf, formatFinding, withChartExtraObjects } from "./policy.ts";
import { OWN_CHECKS, UPSTREAM, ownIds, upstreamIds } from "./upstream.ts";

// Fixtures break plain rendered data on purpose.
type Data = any;

const { files } = await renderedRepository();
// Every committed environment, a user's own too: the bar holds for each.
const committed: PolicyTarget[] = (await environments()).map(({ settings, objects }) => ({ name: settings.name, objects, settings }));
// argocd/ as `helm template` would show it too: the local CA's objects ride in cert-manager's chart values.
const argocd: PolicyTarget = { name: "argocd", objects: withChartExtraObjects([...files].filter(([path]) => path.startsWith("argocd/")).map(([, yaml]) => parse(yaml) as KubeObject)) };

function variant(name: string, base: Settings, overrides: unknown): PolicyTarget {
  const settings = merge(base, overrides);
  return { name, objects: renderEnvironment(settings), settings };
}
/** dev's images file as `npm run release -- dev frontend=latest backend=latest` leaves it: the release command's own parsing. */
const devLatestImages = withTags(await readImagesFile("dev"), parseReleaseTags("dev", ["frontend=latest", "backend=latest"]));

/** Every Secret key an environment reads, sealed (with a throwaway key): the SealedSecrets the workloads would get. */
async function sealedEverything(name: string): Promise<unknown> {
  const settings = await settingsOf(name);
  const key = throwawaySealingKey();
  const sealed = Object.fromEntries(
    [...secretKeysUsedBy(settings)].map(([secret, keys]) => [
      secret,
      Object.fromEntries(keys.map((k) => [k, sealValue({ certificatePem: key.certificatePem, namespace: settings.namespace, name: secret, value: `throwaway-${k}` })])),
    ]),
  );
  return { sealedSecrets: sealed };
}

const variants: PolicyTarget[] = [
  variant("staging with Let's Encrypt", await settingsOf("staging"), { ingress: { host: "staging.todo.example.com", tls: { issuer: "letsencrypt", acmeEmail: "ops@todo.example.com" } } }),
  variant("prod with API access for the backend", await settingsOf("prod"), { backend: { apiAccess: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"], resourceNames: ["todo-backend-config"] }] } }),
  variant("dev scaled out", await settingsOf("dev"), { frontend: { replicas: 3 }, backend: { autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 4 } } }),
  variant("dev released with latest", await settingsOf("dev"), { frontend: { image: devLatestImages.frontend }, backend: { image: devLatestImages.backend } }),
  variant("dev with every Secret sealed", await settingsOf("dev"), await sealedEverything("dev")),
];
const TARGETS = [...committed, argocd, ...variants];
/**
 * The tests of single rules start from the fixture (dev, staging and prod as
 * shipped, whatever the user's files hold: a prod without its HPA would have
 * nothing to break), and so does the list of what the bar saw.
 */
const { files: fixtureFiles } = await renderedFixture();
const SHIPPED: PolicyTarget[] = [
  ...(await fixtureEnvironments()).map(({ settings, objects }) => ({ name: settings.name, objects, settings })),
  { name: "argocd", objects: withChartExtraObjects([...fixtureFiles].filter(([path]) => path.startsWith("argocd/")).map(([, yaml]) => parse(yaml) as KubeObject)) },
  ...variants,
];
const { findings, waived } = evaluate(TARGETS);

describe("policy bar", () => {
  it(`finds nothing in ${TARGETS.map((t) => t.name).join(", ")}`, () => {
    assert.equal(findings.length, 0, `${findings.length} policy findings:\n${findings.map(formatFinding).join("\n")}`);
  });

  it("ran on every environment and on the Argo CD objects", () => {
    assert.deepEqual(committed.map((t) => t.name), listEnvironments());
    assert.ok(argocd.objects.some((o) => o.kind === "Application") && argocd.objects.some((o) => o.kind === "AppProject"));
  });

  it("saw what the first-sync, TLS and Git-security work added (issues 11, 15 and 16), so the bar holds for it too", () => {
    // What the shipped environments (the fixture) and the variants show, whatever the user's environments are.
    const seen = (kind: string, name?: string) =>
      SHIPPED.filter((t) => t.objects.some((o) => o.kind === kind && (name === undefined || o.metadata?.name === name))).map((t) => t.name);
    // Issue 15: a Certificate per TLS environment, the ACME Issuer and its solver's policy, the local CA in cert-manager's values.
    assert.deepEqual(seen("Certificate", "todo-tls"), ["prod", "staging", "staging with Let's Encrypt", "prod with API access for the backend"]);
    assert.deepEqual(seen("Issuer"), ["staging with Let's Encrypt"]);
    assert.deepEqual(seen("NetworkPolicy", "acme-http01-solver"), ["staging with Let's Encrypt"]);
    assert.deepEqual(seen("Certificate", "todo-local-ca"), ["argocd"]);
    assert.deepEqual(seen("ClusterIssuer").sort(), ["argocd"]);
    // Issue 16: one AppProject per environment and the closed default project; sealed values as SealedSecrets.
    for (const name of ["todo-dev", "todo-staging", "todo-prod", "default"]) assert.deepEqual(seen("AppProject", name), ["argocd"], name);
    assert.deepEqual(seen("SealedSecret"), ["dev with every Secret sealed"]);
    // Issue 11: Redis' password as a mounted Secret file, better-auth's secret in the frontend.
    const redis = SHIPPED.find((t) => t.name === "dev")!.objects.find((o) => o.kind === "Deployment" && o.metadata?.name === "todo-redis") as Data;
    assert.ok(redis.spec.template.spec.volumes.some((v: Data) => v.secret?.items?.length), "Redis' password volume");
    const frontend = SHIPPED.find((t) => t.name === "dev")!.objects.find((o) => o.kind === "Deployment" && o.metadata?.name === "todo-frontend") as Data;
    assert.ok(frontend.spec.template.spec.containers[0].env.some((e: Data) => e.name === "BETTER_AUTH_SECRET"));
  });
});

describe("policy bar: mutable tags where the environment accepts them (delivery.tags: dev, by design)", () => {
  const devLatest = targetNamed("dev released with latest");

  it("a dev render released with `latest` passes the bar: the latest-tag checks are waived there, by the tag rule's own answer", async () => {
    assert.deepEqual(await problemsWith("dev", { images: devLatestImages }), [], "dev's delivery.tags accepts latest");
    const images = devLatest.objects.flatMap((o) => ((o as Data).spec?.template?.spec?.containers ?? []).map((c: Data) => c.image));
    assert.ok(images.includes("todo-frontend:latest") && images.includes("todo-backend:latest"), images.join(", "));
    assert.deepEqual(evaluate([devLatest]).findings.map(formatFinding), []);
    const latestRule = POLICY.find((r) => r.upstream.includes("kube-linter/latest-tag"))!;
    const waivedObjects = exemptionsOf(latestRule).flatMap((e) => waived.get(e) ?? []).filter((f) => f.target === devLatest.name).map((f) => f.object);
    assert.ok(waivedObjects.includes("Deployment todo-dev/todo-frontend") && waivedObjects.includes("Job todo-dev/todo-migration"), waivedObjects.join(", "));
  });

  it("waives only the images dev releases: a third-party image on latest is still found there", () => {
    const { target } = bad("dev released with latest", "StatefulSet", "todo-database", (o) => { main(o).image = "postgres:latest"; });
    assert.ok(evaluate([target]).findings.some((f) => f.upstream.includes("kube-linter/latest-tag")));
  });

  it("staging with `latest` is not accepted by its images file's check (which the release command runs too); its render would not pass the bar either", async () => {
    const staging = await settingsOf("staging");
    const withLatest = merge(staging, { frontend: { image: { tag: "latest" } } });
    assert.deepEqual(
      (await problemsWith("staging", { images: { frontend: { tag: "latest" } } })).map((p) => `${p.file}: ${p.path}: ${p.rule}`),
      ['environments/staging.images.json: frontend.tag: "latest" names whatever was pushed last: delivery.tags is "pinned": a tag must be a semantic version or a git SHA (7-40 hex digits)'],
    );
    const found = evaluate([{ name: "staging with latest", objects: renderEnvironment(withLatest), settings: withLatest }]).findings;
    assert.ok(found.some((f) => f.upstream.includes("kube-linter/latest-tag") && f.object === "Deployment todo-staging/todo-frontend"), found.map(formatFinding).join("\n"));
  });
});

describe("policy bar: images named by digest (issue 16)", () => {
  const digestRule = POLICY.find((r) => r.upstream.includes("todo/image-digest"))!;

  it("every third-party image in every environment carries a digest; only the released images are waived, where they are tags", () => {
    const waivedFindings = exemptionsOf(digestRule).flatMap((e) => waived.get(e) ?? []);
    assert.ok(waivedFindings.length > 0);
    for (const finding of waivedFindings) assert.match(finding.message, /^container (frontend|backend|migrate|smoke-test): image todo-(frontend|backend):/, finding.message);
  });

  it("a third-party image by tag alone is found, in dev too, where the app images may be tags", () => {
    for (const [kind, name] of [["StatefulSet", "todo-database"], ["Deployment", "todo-redis"]] as const) {
      const { target } = bad("dev", kind, name, (o) => { main(o).image = main(o).image.split("@")[0]; });
      const found = evaluate([target], [digestRule]).findings;
      assert.equal(found.length, 1, found.map(formatFinding).join("\n"));
      assert.match(found[0]!.message, /image (postgres:17\.10-alpine|redis:8\.6\.5-alpine) is not pinned by digest/);
    }
    const { target } = bad("staging", "Job", "todo-migration", (o) => { pod(o).initContainers[0].image = "postgres:17.10-alpine"; });
    assert.match(evaluate([target], [digestRule]).findings.map(formatFinding).join("\n"), /Job todo-staging\/todo-migration: todo\/image-digest: container wait-for-database: image postgres:17\.10-alpine is not pinned by digest/);
  });

  it("a released image with a digest needs no waiver", async () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    const images = withTags(await readImagesFile("prod"), parseReleaseTags("prod", [`backend=1.0.0@${digest}`, `frontend=1.0.0@${digest}`]));
    const pinned = variant("prod released with digests", await settingsOf("prod"), { frontend: { image: images.frontend }, backend: { image: images.backend } });
    const result = evaluate([pinned], [digestRule]);
    assert.deepEqual(result.findings, []);
    assert.deepEqual([...result.waived.values()].flat(), [], "nothing left to waive");
  });
});

describe("policy bar: every upstream check accounted for, once", () => {
  const listed = POLICY.flatMap((rule) => rule.upstream);

  it("each check of kube-linter, kube-score and Polaris is a rule or an exemption", () => {
    const missing = upstreamIds().filter((id) => !listed.includes(id));
    assert.deepEqual(missing, [], `not in policy.ts: ${missing.join(", ")}`);
  });

  it("no check twice, and none that upstream does not have but this repository's own (todo/…)", () => {
    assert.deepEqual(listed.filter((id, i) => listed.indexOf(id) !== i), []);
    assert.deepEqual(listed.filter((id) => !upstreamIds().includes(id) && !ownIds().includes(id)), []);
  });

  it("each of this repository's own checks is a rule that runs, and no upstream tool has its id", () => {
    for (const id of ownIds()) {
      assert.ok(POLICY.some((rule) => rule.upstream.includes(id) && rule.check), `${id}: no rule runs it`);
      assert.ok(id.startsWith("todo/") && OWN_CHECKS[id]!.length > 20 && !upstreamIds().includes(id), id);
    }
  });

  it("every line has its reason, and a check or an exemption with its own", () => {
    for (const rule of POLICY) {
      assert.ok(rule.why.length > 20, `${rule.upstream[0]}: why?`);
      assert.ok(rule.check || rule.exempt, `${rule.upstream[0]}: neither a check nor an exemption`);
      for (const exemption of exemptionsOf(rule)) {
        assert.ok(exemption.why.length > 40, `${rule.upstream[0]}: the exemption needs its reason`);
        if (!rule.check) assert.equal(exemption.where, undefined, `${rule.upstream[0]}: a check that never runs cannot waive some objects`);
      }
    }
  });

  it("names the upstream releases it mirrors", () => {
    for (const tool of UPSTREAM) assert.match(tool.source, /@ v?\d+\.\d+\.\d+ \([0-9a-f]{40}\)/);
  });
});

describe("policy bar: exemptions stay true", () => {
  const waivedBy = (rule: PolicyRule) => exemptionsOf(rule).filter((e) => e.where).map((e) => [e, waived.get(e) ?? []] as const);

  for (const rule of POLICY.filter((r) => r.check && r.exempt)) {
    it(`${rule.upstream.join(", ")}: each exemption still waives something (remove it once it does not)`, () => {
      for (const [exemption, waivedFindings] of waivedBy(rule)) assert.ok(waivedFindings.length > 0, `stale exemption: ${exemption.why}`);
    });
  }

  for (const rule of POLICY.filter((r) => exemptionsOf(r).some((e) => e.kinds))) {
    const kinds = exemptionsOf(rule).flatMap((e) => e.kinds ?? []);
    it(`${rule.upstream.join(", ")}: no ${kinds.join(" or ")} is rendered`, () => {
      const rendered = TARGETS.flatMap((t) => t.objects.filter((o) => kinds.includes(o.kind)).map((o) => `${t.name}: ${o.kind} ${o.metadata?.name}`));
      assert.deepEqual(rendered, [], "the exemption is about a kind that is rendered now: write the check");
    });
  }
});

// ---------------------------------------------------------------------------
// Each predicate on a deliberately bad object: the finding must survive the exemptions.

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function targetNamed(name: string): PolicyTarget {
  return SHIPPED.find((t) => t.name === name)!;
}

/** A copy of an environment with one object changed (or the set itself, through `change`). */
function bad(targetName: string, kind: string, name: string, mutate: (object: Data, target: PolicyTarget) => void): { target: PolicyTarget; object: KubeObject } {
  const original = targetNamed(targetName);
  const target: PolicyTarget = { name: `${targetName} (bad)`, objects: clone(original.objects), ...(original.settings ? { settings: clone(original.settings) } : {}) };
  const object = target.objects.find((o) => o.kind === kind && o.metadata?.name === name);
  assert.ok(object, `fixture: no ${kind} ${name} in ${targetName}`);
  mutate(object as Data, target);
  return { target, object: object! };
}

/** Adds an object (RBAC, for instance) to a copy of an environment. */
function withObject(targetName: string, object: Data): { target: PolicyTarget; object: KubeObject } {
  const original = targetNamed(targetName);
  const target: PolicyTarget = { name: `${targetName} (bad)`, objects: [...clone(original.objects), object], ...(original.settings ? { settings: clone(original.settings) } : {}) };
  return { target, object };
}

const pod = (o: Data) => o.spec.template.spec;
const main = (o: Data) => o.spec.template.spec.containers[0];
const role = (rules: Data[]) => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "bad", namespace: "todo-prod" }, rules });

/** Keyed by each rule's first upstream id. */
const BAD: Readonly<Record<string, () => { target: PolicyTarget; object: KubeObject }>> = {
  "kube-linter/host-network": () => bad("prod", "Deployment", "todo-backend", (o) => { pod(o).hostNetwork = true; }),
  "kube-linter/privileged-container": () => bad("prod", "Deployment", "todo-backend", (o) => { main(o).securityContext.privileged = true; }),
  "kube-linter/privilege-escalation-container": () => bad("prod", "Deployment", "todo-backend", (o) => { main(o).securityContext.allowPrivilegeEscalation = true; }),
  "kube-linter/no-read-only-root-fs": () => bad("prod", "Deployment", "todo-backend", (o) => { main(o).securityContext.readOnlyRootFilesystem = false; }),
  "kube-linter/run-as-non-root": () => bad("prod", "Deployment", "todo-backend", (o) => { delete pod(o).securityContext.runAsUser; delete pod(o).securityContext.runAsNonRoot; delete main(o).securityContext.runAsNonRoot; }),
  "kube-score/container-security-context-user-group-id": () => bad("prod", "Deployment", "todo-backend", (o) => { pod(o).securityContext.runAsUser = 5; }),
  "kube-linter/drop-net-raw-capability": () => bad("prod", "Deployment", "todo-backend", (o) => { main(o).securityContext.capabilities = { drop: ["CHOWN"], add: ["NET_RAW"] }; }),
  "kube-score/container-seccomp-profile": () => bad("prod", "Deployment", "todo-backend", (o) => { delete pod(o).securityContext.seccompProfile; delete main(o).securityContext.seccompProfile; }),
  "kube-linter/unsafe-proc-mount": () => bad("prod", "Deployment", "todo-backend", (o) => { main(o).securityContext.procMount = "Unmasked"; }),
  "kube-linter/docker-sock": () => bad("prod", "Deployment", "todo-backend", (o) => { pod(o).volumes.push({ name: "docker", hostPath: { path: "/var/run/docker.sock" } }); }),
  "polaris/hostPortSet": () => bad("prod", "Deployment", "todo-backend", (o) => { main(o).ports[0].hostPort = 8000; }),
  "kube-linter/unsafe-sysctls": () => bad("prod", "Deployment", "todo-backend", (o) => { pod(o).securityContext.sysctls = [{ name: "net.core.somaxconn", value: "1024" }]; }),
  "kube-linter/unset-cpu-requirements": () => bad("prod", "Deployment", "todo-backend", (o) => { delete main(o).resources.limits.cpu; }),
  "kube-score/container-ephemeral-storage-request-and-limit": () => bad("prod", "Deployment", "todo-backend", (o) => { main(o).resources.requests["ephemeral-storage"] = "1Mi"; }),
  "kube-linter/latest-tag": () => bad("prod", "Deployment", "todo-backend", (o) => { main(o).image = "todo-backend:latest"; }),
  "todo/image-digest": () => bad("dev", "StatefulSet", "todo-database", (o) => { main(o).image = "postgres:17.10-alpine"; }),
  "kube-score/container-image-pull-policy": () => bad("prod", "Deployment", "todo-backend", (_o, t) => { (t.settings!.cluster as Data).allowedPullPolicies = ["Always", "IfNotPresent", "Never"]; }),
  "kube-linter/duplicate-env-var": () => bad("prod", "Deployment", "todo-backend", (o) => { main(o).env.push({ ...main(o).env[0] }); }),
  "kube-linter/env-var-secret": () => bad("prod", "Deployment", "todo-backend", (o) => { main(o).env.push({ name: "SESSION_SECRET", value: "hunter2" }); }),
  "polaris/sensitiveConfigmapContent": () => bad("prod", "ConfigMap", "todo-backend-config", (o) => { o.data.DB_PASSWORD = "hunter2"; }),
  "kube-linter/env-value-from": () => bad("prod", "Deployment", "todo-backend", (o) => { main(o).env.push({ name: "X", valueFrom: { secretKeyRef: { name: "no-such-secret", key: "X" } } }); }),
  "polaris/livenessProbeMissing": () => bad("prod", "Deployment", "todo-backend", (o) => { delete main(o).livenessProbe; }),
  "kube-linter/liveness-port": () => bad("prod", "Deployment", "todo-backend", (o) => { main(o).livenessProbe.httpGet.port = "metrics"; }),
  "kube-score/pod-probes-identical": () => bad("prod", "Deployment", "todo-backend", (o) => { main(o).livenessProbe = main(o).readinessProbe; }),
  "kube-linter/default-service-account": () => bad("prod", "Deployment", "todo-backend", (o) => { pod(o).serviceAccountName = "default"; }),
  "polaris/automountServiceAccountToken": () => bad("prod", "Deployment", "todo-backend", (o) => { pod(o).automountServiceAccountToken = true; }),
  "kube-linter/wildcard-in-rules": () => withObject("prod", role([{ apiGroups: ["*"], resources: ["configmaps"], verbs: ["get"] }])),
  "polaris/rolePodExecAttach": () => withObject("prod", role([{ apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }])),
  "kube-linter/access-to-secrets": () => withObject("prod", role([{ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }])),
  "kube-linter/access-to-create-pods": () => withObject("prod", role([{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["create"] }])),
  "kube-linter/cluster-admin-role-binding": () => withObject("prod", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "bad", namespace: "todo-prod" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" }, subjects: [] }),
  "kube-linter/mismatching-selector": () => bad("prod", "Deployment", "todo-backend", (o) => { o.spec.selector.matchLabels["app.kubernetes.io/name"] = "other"; }),
  "kube-score/deployment-strategy": () => bad("prod", "Deployment", "todo-backend", (o) => { o.spec.strategy = { type: "Recreate" }; }),
  "kube-linter/dangling-service": () => bad("prod", "Service", "todo-backend", (o) => { o.spec.selector["app.kubernetes.io/name"] = "other"; }),
  "kube-linter/invalid-target-ports": () => bad("prod", "Service", "todo-backend", (o) => { o.spec.ports[0].targetPort = "HTTP_port"; }),
  "kube-score/service-type": () => bad("prod", "Service", "todo-backend", (o) => { o.spec.type = "NodePort"; }),
  "kube-score/statefulset-has-servicename": () => bad("dev", "StatefulSet", "todo-database", (o) => { o.spec.serviceName = "todo-backend"; }),
  "kube-score/ingress-targets-service": () => bad("prod", "Ingress", "todo-ingress", (o) => { o.spec.rules[0].http.paths[0].backend.service.name = "gone"; }),
  "polaris/tlsSettingsMissing": () => bad("prod", "Ingress", "todo-ingress", (o) => { delete o.spec.tls; }),
  "kube-score/deployment-replicas": () => bad("prod", "Deployment", "todo-frontend", (o, t) => { o.spec.replicas = 1; t.objects.push({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: { name: "x" }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "todo-frontend" }, minReplicas: 1, maxReplicas: 3 } } as KubeObject); }),
  "kube-score/deployment-targeted-by-hpa-does-not-have-replicas-configured": () => bad("prod", "Deployment", "todo-backend", (o) => { o.spec.replicas = 2; }),
  "kube-score/horizontalpodautoscaler-has-target": () => bad("prod", "HorizontalPodAutoscaler", "todo-backend", (o) => { o.spec.scaleTargetRef.name = "gone"; }),
  "kube-score/horizontalpodautoscaler-replicas": () => bad("prod", "HorizontalPodAutoscaler", "todo-backend", (o) => { o.spec.minReplicas = 1; }),
  "kube-score/deployment-has-poddisruptionbudget": () => bad("prod", "Deployment", "todo-frontend", (_o, t) => { t.objects = t.objects.filter((x) => x.kind !== "PodDisruptionBudget"); }),
  "kube-score/poddisruptionbudget-has-policy": () => bad("prod", "PodDisruptionBudget", "todo-backend", (o) => { o.spec.maxUnavailable = 0; }),
  "kube-linter/pdb-unhealthy-pod-eviction-policy": () => bad("prod", "PodDisruptionBudget", "todo-backend", (o) => { delete o.spec.unhealthyPodEvictionPolicy; }),
  "kube-linter/no-anti-affinity": () => bad("prod", "Deployment", "todo-frontend", (o) => { delete pod(o).affinity; }),
  "polaris/topologySpreadConstraint": () => bad("prod", "Deployment", "todo-frontend", (o) => { pod(o).topologySpreadConstraints[0].maxSkew = 0; }),
  "kube-linter/job-ttl-seconds-after-finished": () => bad("prod", "Job", "todo-migration", (o) => { delete o.metadata.annotations["argocd.argoproj.io/hook-delete-policy"]; }),
  "kube-score/pod-networkpolicy": () => bad("prod", "Deployment", "todo-backend", (_o, t) => { t.objects = t.objects.filter((x) => x.kind !== "NetworkPolicy" || x.metadata?.name === "allow-dns"); }),
  "kube-score/networkpolicy-targets-pod": () => bad("prod", "NetworkPolicy", "todo-backend", (o) => { o.spec.podSelector.matchLabels["app.kubernetes.io/name"] = "todo-backnd"; }),
  "kube-linter/dangling-networkpolicypeer-podselector": () => bad("prod", "NetworkPolicy", "todo-backend", (o) => { o.spec.ingress.push({ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "todo-frontnd" } } }] }); }),
  "kube-score/label-values": () => bad("argocd", "Application", "todo-prod", (o) => { o.metadata.labels = { ...o.metadata.labels, team: "a value with spaces" }; }),
  "kube-linter/use-namespace": () => bad("argocd", "AppProject", "todo-prod", (o) => { delete o.metadata.namespace; }),
  "kube-score/stable-version": () => bad("prod", "Deployment", "todo-backend", (o) => { o.apiVersion = "extensions/v1beta1"; }),
};

describe("policy bar: every predicate fires on a deliberately bad object", () => {
  it("kube-linter/env-value-from also reads Secret volumes: Redis' password file from a key no Secret has", () => {
    const { target } = bad("dev", "Deployment", "todo-redis", (o) => { pod(o).volumes.find((v: Data) => v.secret).secret.items[0].key = "REDIS_PASSWORT"; });
    assert.ok(evaluate([target]).findings.some((f) => f.upstream.includes("kube-linter/env-value-from") && /REDIS_PASSWORT/.test(f.message)));
  });

  it("every rule with a check has a bad fixture", () => {
    const missing = POLICY.filter((rule) => rule.check && !BAD[rule.upstream[0]!]).map((rule) => rule.upstream[0]);
    assert.deepEqual(missing, []);
  });

  for (const rule of POLICY.filter((r) => r.check)) {
    const fixture = BAD[rule.upstream[0]!];
    if (!fixture) continue;
    it(`${rule.upstream.join(", ")}`, () => {
      const { target, object } = fixture();
      const good = evaluate([targetNamed(target.name.replace(" (bad)", ""))], [rule]).findings;
      assert.deepEqual(good.map(formatFinding), [], "the fixture's environment must pass before it is broken");
      const found = evaluate([target], [rule]).findings;
      assert.ok(found.length > 0, `no finding for the bad ${object.kind} ${object.metadata?.name}`);
    });
  }
});
