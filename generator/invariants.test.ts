/**
 * Invariants across each environment's full rendered set: whatever the
 * settings, the objects must fit together and stay locked down.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IService } from "kubernetes-models/v1/Service";
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { KubeObject } from "./kube-object.ts";
import { imageReference } from "./lib/app-workload.ts";
import { isPinnedByDigest, parseImageReference } from "./lib/image-reference.ts";
import { SYNC_WAVE_ANNOTATION } from "./lib/sync-waves.ts";
import { externalSecrets } from "./secrets.ts";
import { usesAcme } from "./components/tls.ts";
import type { Settings } from "./settings.ts";
import { renderEnvironment } from "./render.ts";
import { environments, fixtureEnvironments, merge, settingsOf } from "./testing/fixtures.ts";
import { type Endpoint, type PodTemplate, inCidr, isAllowed, podTemplates } from "./testing/network-policy.ts";

/**
 * The committed environments, and staging as a real cluster would run it:
 * TLS from Let's Encrypt, so cert-manager's HTTP-01 solver takes part; and
 * prod with its database at a private address.
 */
const acmeStaging = merge(await settingsOf("staging"), {
  ingress: { host: "staging.todo.example.com", tls: { issuer: "letsencrypt", acmeEmail: "ops@todo.example.com" } },
});
/** prod with its database in a private network, as one address (README: "its address as /32"), not the shipped public documentation range. */
const privateDatabaseProd = merge(await settingsOf("prod"), { database: { externalCidrs: ["10.20.30.40/32"] } });
const rendered = [
  ...(await environments()).map((environment) => ({ ...environment, title: environment.settings.name })),
  { settings: acmeStaging, objects: renderEnvironment(acmeStaging), title: "staging with Let's Encrypt" },
  { settings: privateDatabaseProd, objects: renderEnvironment(privateDatabaseProd), title: "prod with its database at a private /32" },
];

/** An address inside a CIDR range, for a stand-in host there: the tenth, or the last where the range is smaller (a /32: its one address). */
function addressIn(cidr: string): string {
  const [base, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits ?? 32));
  const start = base!.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const address = start + Math.min(10, size - 1);
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/**
 * The address ranges that are not the internet, written out by hand from the
 * RFCs (not taken from the generator): private (RFC 1918), link-local
 * (RFC 3927), shared carrier-grade NAT space (RFC 6598).
 */
const NOT_PUBLIC = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10"];

/** Where expectedPaths puts the external database: an address in the first range the settings name. */
const externalDatabaseAddress = (settings: Settings): string => addressIn(settings.database.externalCidrs[0]!);

function containersOf(template: PodTemplate): IContainer[] {
  return [...(template.spec.initContainers ?? []), ...template.spec.containers];
}

function named(objects: KubeObject[], kind: string): Map<string, KubeObject> {
  return new Map(objects.filter((o) => o.kind === kind).map((o) => [o.metadata!.name!, o]));
}

/**
 * The containers that run something else than the environment's released
 * images (frontend, backend): those are built into the cluster's own store,
 * which has no registry digest, and their tags follow delivery.tags.
 */
function thirdPartyContainers(settings: Settings, objects: KubeObject[]): { where: string; image: string }[] {
  const released = new Set([settings.frontend, settings.backend].map(imageReference));
  return podTemplates(objects).flatMap((template) =>
    containersOf(template)
      .filter((container) => !released.has(container.image!))
      .map((container) => ({ where: `${template.owner.kind} ${template.owner.metadata!.name}, container ${container.name}`, image: container.image! })),
  );
}

for (const { settings, objects, title } of rendered) {
  const templates = podTemplates(objects);

  describe(`${title}: image pins`, () => {
    it("every third-party container image is pinned by digest; only the images it releases (frontend, backend) may be tags", () => {
      for (const { where, image } of thirdPartyContainers(settings, objects)) {
        assert.ok(isPinnedByDigest(image), `${where}: ${image} is a third-party image not pinned by digest`);
      }
    });
  });

  describe(`${title}: Services and Ingress`, () => {
    it("every Service selects the pods of a workload, and its targetPort is a port of theirs", () => {
      for (const service of objects.filter((o): o is IService & KubeObject => o.kind === "Service") as (IService & KubeObject)[]) {
        const selector = service.spec!.selector!;
        const selected = templates.filter(
          (t) => t.owner.kind !== "Job" && Object.entries(selector).every(([k, v]) => t.labels[k] === v),
        );
        assert.ok(selected.length > 0, `Service ${service.metadata!.name} selects no pods`);
        for (const port of service.spec!.ports!) {
          for (const template of selected) {
            const ports = template.spec.containers.flatMap((c) => c.ports ?? []);
            const found = ports.some((p) => (typeof port.targetPort === "string" ? p.name === port.targetPort : p.containerPort === port.targetPort));
            assert.ok(found, `Service ${service.metadata!.name}: targetPort ${port.targetPort} is not a port of ${template.owner.metadata!.name}`);
          }
        }
      }
    });

    it("every Ingress backend is a Service port that exists", () => {
      const services = named(objects, "Service") as Map<string, IService & KubeObject>;
      for (const ingress of objects.filter((o) => o.kind === "Ingress") as (IIngress & KubeObject)[]) {
        for (const rule of ingress.spec!.rules!) {
          for (const path of rule.http!.paths) {
            const backend = path.backend.service!;
            const service = services.get(backend.name);
            assert.ok(service, `Ingress ${ingress.metadata!.name}: no Service ${backend.name}`);
            assert.ok(service.spec!.ports!.some((p) => p.port === backend.port!.number), `Service ${backend.name} has no port ${backend.port!.number}`);
          }
        }
      }
    });
  });

  describe(`${title}: sign-in`, () => {
    it("the Ingress sends /api/auth to the frontend, where better-auth runs (docker/README.md)", () => {
      for (const ingress of objects.filter((o) => o.kind === "Ingress") as (IIngress & KubeObject)[]) {
        const paths = ingress.spec!.rules!.flatMap((rule) => rule.http!.paths);
        assert.equal(paths.find((p) => p.path === "/api/auth")?.backend.service?.name, "todo-frontend", `${ingress.metadata!.name}: /api/auth`);
      }
    });
  });

  describe(`${title}: references`, () => {
    const configMaps = named(objects, "ConfigMap") as Map<string, IConfigMap & KubeObject>;
    const secrets = new Map(externalSecrets(settings).map((s) => [s.name, new Set(s.keys)]));
    const renderedSecrets = new Set([...named(objects, "Secret").keys(), ...named(objects, "SealedSecret").keys()]);
    const claims = named(objects, "PersistentVolumeClaim");
    const accounts = named(objects, "ServiceAccount");

    const secretResolves = (name: string, key?: string) =>
      renderedSecrets.has(name) || (secrets.has(name) && (key === undefined || secrets.get(name)!.has(key)));

    for (const template of templates) {
      const owner = `${template.owner.kind} ${template.owner.metadata!.name}`;
      it(`${owner}: every ConfigMap, Secret, PVC and ServiceAccount it names exists or is declared external`, () => {
        const account = template.spec.serviceAccountName;
        assert.ok(account && account !== "default", `${owner} must use a dedicated ServiceAccount`);
        assert.ok(accounts.has(account), `${owner}: ServiceAccount ${account} is not rendered`);
        for (const container of containersOf(template)) {
          for (const source of container.envFrom ?? []) {
            if (source.configMapRef) assert.ok(configMaps.has(source.configMapRef.name!), `${owner}: no ConfigMap ${source.configMapRef.name}`);
            if (source.secretRef) assert.ok(secretResolves(source.secretRef.name!), `${owner}: no Secret ${source.secretRef.name}`);
          }
          for (const env of container.env ?? []) {
            const cm = env.valueFrom?.configMapKeyRef;
            if (cm) assert.ok(configMaps.get(cm.name!)?.data?.[cm.key] !== undefined, `${owner}: no ConfigMap key ${cm.name}/${cm.key}`);
            const secret = env.valueFrom?.secretKeyRef;
            if (secret) assert.ok(secretResolves(secret.name!, secret.key), `${owner}: Secret ${secret.name}/${secret.key} is neither rendered nor declared external`);
          }
        }
        for (const volume of template.spec.volumes ?? []) {
          if (volume.persistentVolumeClaim) assert.ok(claims.has(volume.persistentVolumeClaim.claimName), `${owner}: no PVC ${volume.persistentVolumeClaim.claimName}`);
          if (volume.configMap) assert.ok(configMaps.has(volume.configMap.name!), `${owner}: no ConfigMap ${volume.configMap.name}`);
          if (volume.secret) assert.ok(secretResolves(volume.secret.secretName!), `${owner}: no Secret ${volume.secret.secretName}`);
        }
      });
    }
  });

  describe(`${title}: restricted Pod Security Standard`, () => {
    const allowedVolumes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
    for (const template of templates) {
      const owner = `${template.owner.kind} ${template.owner.metadata!.name}`;
      it(`${owner} meets the restricted standard (and is read-only, bounded)`, () => {
        const pod = template.spec;
        assert.notEqual(pod.hostNetwork, true, `${owner}: hostNetwork`);
        assert.notEqual(pod.hostPID, true, `${owner}: hostPID`);
        assert.notEqual(pod.hostIPC, true, `${owner}: hostIPC`);
        for (const volume of pod.volumes ?? []) {
          const types = Object.keys(volume).filter((key) => key !== "name");
          assert.ok(types.every((t) => allowedVolumes.includes(t)), `${owner}: volume ${volume.name} of type ${types}`);
        }
        for (const container of containersOf(template)) {
          const where = `${owner} container ${container.name}`;
          const sc = container.securityContext ?? {};
          assert.notEqual(sc.privileged, true, `${where}: privileged`);
          assert.equal(sc.allowPrivilegeEscalation, false, `${where}: allowPrivilegeEscalation must be false`);
          assert.ok(sc.capabilities?.drop?.includes("ALL"), `${where}: must drop ALL capabilities`);
          assert.deepEqual(sc.capabilities?.add ?? [], [], `${where}: adds capabilities`);
          assert.ok((sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) === true, `${where}: runAsNonRoot`);
          const uid = sc.runAsUser ?? pod.securityContext?.runAsUser;
          assert.ok(uid !== undefined && uid > 0, `${where}: needs a non-root UID`);
          const seccomp = sc.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
          assert.ok(seccomp === "RuntimeDefault" || seccomp === "Localhost", `${where}: seccomp ${seccomp}`);
          assert.ok((container.ports ?? []).every((p) => p.hostPort === undefined), `${where}: hostPort`);
          assert.equal(sc.readOnlyRootFilesystem, true, `${where}: root filesystem must be read-only`);
          assert.ok(container.resources?.limits?.cpu && container.resources?.limits?.memory, `${where}: needs limits`);
          assert.ok(container.resources?.requests?.cpu && container.resources?.requests?.memory, `${where}: needs requests`);
        }
      });
    }
  });

  describe(`${title}: network paths`, () => {
    it("exactly the paths the app uses are allowed", () => {
      const pods = new Map<string, Endpoint>();
      templates.forEach((t, i) =>
        pods.set(t.labels["app.kubernetes.io/name"]!, { name: t.labels["app.kubernetes.io/name"]!, namespace: settings.namespace, labels: t.labels, ip: `10.244.0.${i + 10}` }),
      );
      const controller = settings.cluster.ingressController;
      const dns = settings.cluster.dns;
      const certManager = settings.cluster.certManager;
      const others: Endpoint[] = [
        { name: "ingress-controller", namespace: controller.namespace, labels: { ...controller.podLabels }, ip: "10.244.1.2" },
        { name: "kube-dns", namespace: dns.namespace, labels: { ...dns.podLabels }, ip: "10.244.1.3" },
        { name: "other-namespace-pod", namespace: "default", labels: { app: "intruder" }, ip: "10.244.1.4" },
        { name: "node", ip: "192.168.49.2" },
        { name: "internet", ip: "203.0.113.10" },
        // cert-manager's HTTP-01 solver in this namespace, and its own pods, whether or not this environment uses them.
        { name: "acme-http01-solver", namespace: settings.namespace, labels: { ...certManager.http01Solver.podLabels, "acme.cert-manager.io/http-token": "1" }, ip: "10.244.0.99" },
        { name: "cert-manager-webhook", namespace: certManager.namespace, labels: { ...certManager.webhook.podLabels }, ip: "10.244.3.2" },
        { name: "cert-manager", namespace: certManager.namespace, labels: { "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" }, ip: "10.244.3.3" },
        // Not "the outside": the cloud metadata endpoint (link-local) and carrier-grade NAT space.
        { name: "metadata-endpoint", ip: "169.254.169.254" },
        { name: "cgnat-host", ip: "100.64.0.10" },
        // The external database, at an address inside the first range the settings name.
        ...(settings.database.mode === "external" ? [{ name: "external-database", ip: externalDatabaseAddress(settings) }] : []),
        // The Dapr control plane, whether or not this environment uses it.
        ...Object.entries(settings.cluster.dapr.controlPlane).map(([service, { podLabels }], i) => ({
          name: `dapr-${service}`,
          namespace: settings.cluster.dapr.namespace,
          labels: { ...podLabels },
          ip: `10.244.2.${i + 2}`,
        })),
      ];
      const all = [...pods.values(), ...others];
      // Dapr's control-plane ports (50001, 6500, 50005, 50006) and the sidecar's own (3500, 50002, 9090).
      const probes = [
        // cert-manager's solver (8089), webhook (10250) and metrics (9402).
        ...[53, 80, 443, 3000, 3500, 5432, 6379, 6500, 8000, 8080, 8089, 9090, 9402, 10250, 50001, 50002, 50005, 50006].map((port) => ({ port, protocol: "TCP" })),
        { port: 53, protocol: "UDP" },
      ];

      const allowed = new Set<string>();
      for (const from of all) {
        for (const to of all) {
          if (from === to || (from.namespace === undefined && to.namespace === undefined)) continue;
          // Traffic between two outside parties, or inside another namespace, is not ours to judge.
          if (from.namespace !== settings.namespace && to.namespace !== settings.namespace) continue;
          for (const { port, protocol } of probes) {
            if (isAllowed(objects, from, to, port, protocol)) allowed.add(`${from.name} -> ${to.name}:${port}/${protocol}`);
          }
        }
      }
      assert.deepEqual([...allowed].sort(), expectedPaths(settings, [...pods.keys()]).sort());
    });

    it("leaves the API server's path to cert-manager's webhook alone (its namespace has no policy of ours)", () => {
      const apiServer: Endpoint = { name: "api-server", ip: "192.168.49.2" };
      const webhook: Endpoint = { name: "cert-manager-webhook", namespace: settings.cluster.certManager.namespace, labels: { ...settings.cluster.certManager.webhook.podLabels }, ip: "10.244.3.2" };
      assert.ok(objects.filter((o) => o.kind === "NetworkPolicy").every((o) => o.metadata!.namespace === settings.namespace));
      assert.ok(isAllowed(objects, apiServer, webhook, settings.cluster.certManager.webhook.port));
    });
  });

  describe(`${title}: sync waves`, () => {
    /** The seeds' creation order, from the first object to the last. */
    const order: [string, (o: KubeObject) => boolean][] = [
      ["Namespace", (o) => ["Namespace", "ResourceQuota", "LimitRange"].includes(o.kind)],
      ["Secrets and ConfigMaps", (o) => ["Secret", "SealedSecret", "ConfigMap"].includes(o.kind)],
      ["ServiceAccounts", (o) => o.kind === "ServiceAccount"],
      ["Roles and RoleBindings", (o) => o.kind === "Role" || o.kind === "RoleBinding"],
      ["Dapr Configuration", (o) => o.apiVersion === "dapr.io/v1alpha1" && o.kind === "Configuration"],
      ["Dapr Components", (o) => o.apiVersion === "dapr.io/v1alpha1" && o.kind === "Component"],
      ["NetworkPolicies", (o) => o.kind === "NetworkPolicy"],
      ["Services", (o) => o.kind === "Service"],
      ["database and Redis", (o) => o.kind === "StatefulSet" || o.kind === "PersistentVolumeClaim" || o.metadata!.name === "todo-redis" && o.kind === "Deployment"],
      ["migration", (o) => o.kind === "Job" && o.metadata!.name === "todo-migration"],
      ["backend", (o) => ["Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget"].includes(o.kind) && o.metadata!.name === "todo-backend"],
      ["frontend", (o) => ["Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget"].includes(o.kind) && o.metadata!.name === "todo-frontend"],
      ["Ingress", (o) => o.kind === "Ingress"],
    ];
    it("follows Namespace → config → ServiceAccounts → RBAC → Dapr Configuration → Dapr Components → policies → Services → database → migration → backend → frontend → Ingress", () => {
      let previous = -Infinity;
      let previousStep = "";
      for (const [step, belongs] of order) {
        const waves = new Set(objects.filter(belongs).map((o) => Number(o.metadata!.annotations![SYNC_WAVE_ANNOTATION])));
        if (waves.size === 0) continue;
        assert.equal(waves.size, 1, `${step}: objects disagree on their wave (${[...waves]})`);
        const [wave] = waves;
        assert.ok(wave! > previous, `${step} (wave ${wave}) must come after ${previousStep} (wave ${previous})`);
        previous = wave!;
        previousStep = step;
      }
    });

    it("every object has a sync wave, and the hooks run at Sync (migration) and PostSync (smoke test)", () => {
      for (const object of objects) {
        assert.match(object.metadata?.annotations?.[SYNC_WAVE_ANNOTATION] ?? "", /^-?\d+$/, `${object.kind} ${object.metadata?.name}`);
      }
      const hooks = Object.fromEntries(
        objects.filter((o) => o.kind === "Job").map((o) => [o.metadata!.name, o.metadata!.annotations!["argocd.argoproj.io/hook"]]),
      );
      assert.deepEqual(hooks, { "todo-migration": "Sync", ...(settings.smokeTest.enabled ? { "todo-smoke-test": "PostSync" } : {}) });
    });
  });

  describe(`${title}: labels`, () => {
    it("every object has the six recommended labels, and selectors use only name and instance", () => {
      const required = ["name", "instance", "version", "component", "part-of", "managed-by"].map((l) => `app.kubernetes.io/${l}`);
      for (const object of objects) {
        for (const label of required) assert.ok(object.metadata?.labels?.[label], `${object.kind} ${object.metadata?.name}: no ${label}`);
      }
      for (const object of objects) {
        const spec = (object as { spec?: { selector?: { matchLabels?: Record<string, string> } | Record<string, string> } }).spec;
        const selector = object.kind === "Service" ? spec?.selector : (spec?.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels;
        if (!selector) continue;
        assert.deepEqual(Object.keys(selector).sort(), ["app.kubernetes.io/instance", "app.kubernetes.io/name"], `${object.kind} ${object.metadata?.name}`);
      }
    });
  });
}

/** The app's network paths, written out by hand from the design (not computed by the generator). */
function expectedPaths(settings: Settings, pods: string[]): string[] {
  const paths: string[] = [];
  const external = settings.database.mode === "external";
  const db = external ? "external-database" : "todo-database";
  const add = (from: string, to: string, port: number, protocol = "TCP") => paths.push(`${from} -> ${to}:${port}/${protocol}`);
  add("ingress-controller", "todo-frontend", 3000);
  add("ingress-controller", "todo-backend", 8000);
  add("todo-frontend", "todo-backend", 8000);
  add("todo-backend", db, 5432);
  add("todo-migration", db, 5432);
  // better-auth in the frontend keeps its users and sessions in the app's database.
  add("todo-frontend", db, 5432);
  add("todo-backend", "internet", 443);
  // Where the external database's address is public (a hosted database), the outside rule reaches it on 443 as
  // well (but on 5432 only it is reached); a private address (a database in the VPC) is not the outside.
  const databaseIsPublic = external && !NOT_PUBLIC.some((range) => inCidr(externalDatabaseAddress(settings), range));
  if (databaseIsPublic) add("todo-backend", "external-database", 443);
  if (settings.smokeTest.enabled) {
    add("todo-smoke-test", "todo-backend", 8000);
    add("todo-smoke-test", "todo-frontend", 3000);
  }
  if (settings.dapr.enabled) {
    // The backend's sidecar: Redis and the control plane, and nothing towards the sidecar.
    add("todo-backend", "todo-redis", 6379);
    add("todo-backend", "dapr-sentry", 50001);
    add("todo-backend", "dapr-operator", 6500);
    add("todo-backend", "dapr-placement", 50005);
    add("todo-backend", "dapr-scheduler", 50006);
  }
  if (usesAcme(settings)) {
    // Let's Encrypt's request, through the ingress controller, to the solver pod; nothing else reaches it.
    add("ingress-controller", "acme-http01-solver", 8089);
  }
  if (settings.frontend.service.type === "NodePort") {
    // A node port admits clients outside the pod network (a node, the host, the LAN, any address that is not a
    // pod's), never another pod: pods go through the Service or the Ingress, so the ingress-controller-only rule
    // still means something.
    const databaseOutsideThePodNetwork = external && !inCidr(externalDatabaseAddress(settings), settings.cluster.podCIDR);
    const outsideThePodNetwork = ["node", "internet", "metadata-endpoint", "cgnat-host", ...(databaseOutsideThePodNetwork ? ["external-database"] : [])];
    for (const source of outsideThePodNetwork) add(source, "todo-frontend", 3000);
  }
  // allow-dns selects every pod of the namespace, the solver too; the solver dials nothing else.
  for (const pod of [...pods, "acme-http01-solver"]) {
    add(pod, "kube-dns", 53, "UDP");
    add(pod, "kube-dns", 53, "TCP");
  }
  return paths;
}

describe("image pins: the check saw every third-party image", () => {
  it("PostgreSQL where the database is in the cluster, Redis where Dapr is on", async () => {
    const seen = new Map<string, string[]>();
    // The fixture (dev, staging and prod as shipped) and the variants: a team's own environments may run either or neither.
    const shipped = (await fixtureEnvironments()).map((environment) => ({ ...environment, title: environment.settings.name }));
    for (const { settings, objects, title } of [...shipped, ...rendered.filter(({ settings, title }) => title !== settings.name)]) {
      for (const { image } of thirdPartyContainers(settings, objects)) {
        const { repository } = parseImageReference(image);
        seen.set(repository, [...new Set([...(seen.get(repository) ?? []), title])]);
      }
    }
    assert.deepEqual(Object.fromEntries(seen), { postgres: ["dev", "staging", "staging with Let's Encrypt"], redis: ["dev"] });
  });
});
