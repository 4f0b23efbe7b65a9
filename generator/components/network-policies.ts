/**
 * Zero trust inside the namespace: deny everything, allow DNS, then allow
 * exactly the flows the app uses. Each flow opens the egress side of its
 * source and the ingress side of its destination.
 */
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";
import type { INetworkPolicyPort } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort";
import { backendImage, frontendImage, redisImage } from "../images.ts";
import type { KubeObject } from "../kube-object.ts";
import { type Identity, identity, selectorLabels } from "../lib/labels.ts";
import { metadata } from "../lib/metadata.ts";
import { SYNC_WAVE } from "../lib/sync-waves.ts";
import type { Settings } from "../settings.ts";
import { GENERATOR_VERSION } from "../version.ts";
import { BACKEND } from "./backend.ts";
import { DATABASE } from "./database.ts";
import { REDIS } from "./redis.ts";
import { FRONTEND } from "./frontend.ts";
import { MIGRATION } from "./migration.ts";
import { SMOKE_TEST } from "./smoke-test.ts";
import { usesAcme } from "./tls.ts";
import { byCodePoint } from "../lib/order.ts";

export const NETWORK = identity("network-policy");

/** The policy that admits cert-manager's HTTP-01 solver pods, by name. */
export const ACME_SOLVER = "acme-http01-solver";

/**
 * What "the outside" never includes, each range with its reason: it means
 * the internet, never the cluster, the LAN or the node's own services.
 */
export const NOT_THE_OUTSIDE: readonly { cidr: string; why: string }[] = [
  { cidr: "10.0.0.0/8", why: "private (RFC 1918): pod and service networks, the LAN" },
  { cidr: "172.16.0.0/12", why: "private (RFC 1918): Docker's networks, the LAN" },
  { cidr: "192.168.0.0/16", why: "private (RFC 1918): Minikube's node network, the LAN" },
  { cidr: "169.254.0.0/16", why: "link-local (RFC 3927): cloud metadata endpoints (169.254.169.254) and node-local services" },
  { cidr: "100.64.0.0/10", why: "shared address space (RFC 6598): carrier-grade NAT and some clusters' pod and service networks" },
];

export type Endpoint =
  | { pod: Identity }
  /** Pods of this namespace that a controller creates (cert-manager's ACME solver), by their labels. */
  | { controllerPods: { name: string; podLabels: Readonly<Record<string, string>> } }
  | { ingressController: true }
  /** Pods of another namespace, by their labels (e.g. the Dapr control plane). */
  | { podsIn: { namespace: string; podLabels: Readonly<Record<string, string>> } }
  /** The internet (public addresses only). */
  | { outside: true }
  /** Named address ranges outside the cluster (an external database), nothing else. */
  | { addressRanges: readonly string[] }
  /**
   * Clients of a NodePort: any address outside the cluster's pod network.
   * kube-proxy forwards them to the pod; Calico's policy sees the client's
   * own address (its filter runs before kube-proxy's masquerade) or, after
   * it, a node's, both outside the pod network. Pods are left out: they
   * reach the app through its Service or the Ingress, under their own rules,
   * so the NodePort does not make the ingress-controller-only rule moot.
   */
  | { nodePortClients: true };

/** An ingress rule (`from`) or an egress rule (`to`). */
interface PolicyRule {
  from?: INetworkPolicyPeer[];
  to?: INetworkPolicyPeer[];
  ports: INetworkPolicyPort[];
}

export interface Flow {
  from: Endpoint;
  to: Endpoint;
  port: number;
  why: string;
}

/** Every network path the app uses, and nothing more. */
export function flows(settings: Settings): Flow[] {
  const frontend = { pod: FRONTEND };
  const backend = { pod: BACKEND };
  const dbPort = settings.database.port;
  const database: Endpoint =
    settings.database.mode === "in-cluster" ? { pod: DATABASE } : { addressRanges: settings.database.externalCidrs };
  const list: Flow[] = [
    { from: { ingressController: true }, to: frontend, port: frontendImage.port, why: "Ingress `/`" },
    { from: { ingressController: true }, to: backend, port: backendImage.port, why: "Ingress `/api`" },
    { from: frontend, to: backend, port: backendImage.port, why: "server-side calls to API_BASE_URL" },
    { from: backend, to: database, port: dbPort, why: "the app's database" },
    { from: frontend, to: database, port: dbPort, why: "better-auth's users and sessions (/api/auth)" },
    { from: { pod: MIGRATION }, to: database, port: dbPort, why: "migrations" },
    { from: backend, to: { outside: true }, port: 443, why: "OpenAI API" },
  ];
  if (settings.smokeTest.enabled) {
    list.push(
      { from: { pod: SMOKE_TEST }, to: backend, port: backendImage.port, why: "smoke test" },
      { from: { pod: SMOKE_TEST }, to: frontend, port: frontendImage.port, why: "smoke test" },
    );
  }
  if (settings.dapr.enabled) list.push(...daprFlows(settings));
  if (usesAcme(settings)) {
    // Let's Encrypt fetches http://<host>/.well-known/acme-challenge/<token>; the ingress controller
    // routes it (cert-manager's solver Ingress) to the solver pod cert-manager starts here. The solver
    // dials nothing.
    const { podLabels, port } = settings.cluster.certManager.http01Solver;
    list.push({ from: { ingressController: true }, to: { controllerPods: { name: ACME_SOLVER, podLabels } }, port, why: "ACME HTTP-01 challenge" });
  }
  if (settings.frontend.service.type === "NodePort") {
    list.push({ from: { nodePortClients: true }, to: frontend, port: frontendImage.port, why: "NodePort access from outside the cluster" });
  }
  if (settings.backend.service.type === "NodePort") {
    list.push({ from: { nodePortClients: true }, to: backend, port: backendImage.port, why: "NodePort access from outside the cluster" });
  }
  return list;
}

/**
 * The backend's Dapr sidecar shares the pod's network identity, so its flows
 * are the backend pod's. It dials Redis and the control plane; nothing in
 * the control plane dials a sidecar (placement, operator and scheduler push
 * over streams the sidecar opens), and with one Dapr app there is no
 * sidecar-to-sidecar traffic: nothing is opened towards the sidecar's ports.
 */
function daprFlows(settings: Settings): Flow[] {
  const backend = { pod: BACKEND };
  const { namespace, controlPlane } = settings.cluster.dapr;
  const to = (service: keyof typeof controlPlane): Endpoint => ({ podsIn: { namespace, podLabels: controlPlane[service].podLabels } });
  return [
    { from: backend, to: { pod: REDIS }, port: redisImage.port, why: "Dapr state store and pub/sub" },
    { from: backend, to: to("sentry"), port: controlPlane.sentry.port, why: "Dapr sidecar: mTLS certificates" },
    { from: backend, to: to("operator"), port: controlPlane.operator.port, why: "Dapr sidecar: Components and Configuration" },
    { from: backend, to: to("placement"), port: controlPlane.placement.port, why: "Dapr sidecar: actor placement" },
    { from: backend, to: to("scheduler"), port: controlPlane.scheduler.port, why: "Dapr sidecar: jobs and reminders" },
  ];
}

function peer(settings: Settings, endpoint: Endpoint): INetworkPolicyPeer | undefined {
  if ("pod" in endpoint) return { podSelector: { matchLabels: selectorLabels(settings, endpoint.pod) } };
  if ("controllerPods" in endpoint) return { podSelector: { matchLabels: { ...endpoint.controllerPods.podLabels } } };
  if ("podsIn" in endpoint) {
    return {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": endpoint.podsIn.namespace } },
      podSelector: { matchLabels: { ...endpoint.podsIn.podLabels } },
    };
  }
  if ("ingressController" in endpoint) {
    const controller = settings.cluster.ingressController;
    return {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": controller.namespace } },
      podSelector: { matchLabels: { ...controller.podLabels } },
    };
  }
  if ("outside" in endpoint) return { ipBlock: { cidr: "0.0.0.0/0", except: NOT_THE_OUTSIDE.map(({ cidr }) => cidr) } };
  if ("nodePortClients" in endpoint) return { ipBlock: { cidr: "0.0.0.0/0", except: [settings.cluster.podCIDR] } };
  return undefined;
}

function peers(settings: Settings, endpoint: Endpoint): INetworkPolicyPeer[] | undefined {
  if ("addressRanges" in endpoint) {
    // An empty `to`/`from` admits every address: never render one (validation requires a range first).
    if (endpoint.addressRanges.length === 0) throw new Error("network-policies: a flow to named address ranges names none");
    return endpoint.addressRanges.map((cidr) => ({ ipBlock: { cidr } }));
  }
  const one = peer(settings, endpoint);
  return one ? [one] : undefined;
}

function rule(settings: Settings, endpoint: Endpoint, port: number, direction: "from" | "to"): PolicyRule {
  const other = peers(settings, endpoint);
  return { ...(other ? { [direction]: other } : {}), ports: [{ protocol: "TCP", port }] };
}

export function networkPolicies(settings: Settings): KubeObject[] {
  const version = GENERATOR_VERSION;
  const policy = (name: string, spec: INetworkPolicy["spec"]): INetworkPolicy => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: metadata(settings, NETWORK, { name, version, wave: SYNC_WAVE.networkPolicy }),
    spec,
  });

  const dns = settings.cluster.dns;
  const objects: INetworkPolicy[] = [
    policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    policy("allow-dns", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": dns.namespace } },
              podSelector: { matchLabels: { ...dns.podLabels } },
            },
          ],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
      ],
    }),
  ];

  // One policy per pod (of ours, or of a controller's) that takes part in a flow, holding both of its sides.
  const pods = new Map<string, { name: string; selector: Record<string, string>; ingress: PolicyRule[]; egress: PolicyRule[] }>();
  const sideOf = (endpoint: Endpoint) => {
    const local =
      "pod" in endpoint
        ? { name: endpoint.pod.name, selector: selectorLabels(settings, endpoint.pod) }
        : "controllerPods" in endpoint
          ? { name: endpoint.controllerPods.name, selector: { ...endpoint.controllerPods.podLabels } }
          : undefined;
    if (!local) return undefined;
    let entry = pods.get(local.name);
    if (!entry) pods.set(local.name, (entry = { ...local, ingress: [], egress: [] }));
    return entry;
  };
  for (const flow of flows(settings)) {
    sideOf(flow.from)?.egress.push(rule(settings, flow.to, flow.port, "to"));
    sideOf(flow.to)?.ingress.push(rule(settings, flow.from, flow.port, "from"));
  }
  for (const { name, selector, ingress, egress } of [...pods.values()].sort((a, b) => byCodePoint(a.name, b.name))) {
    objects.push(
      policy(name, {
        podSelector: { matchLabels: selector },
        policyTypes: [...(ingress.length ? (["Ingress"] as const) : []), ...(egress.length ? (["Egress"] as const) : [])],
        ...(ingress.length ? { ingress } : {}),
        ...(egress.length ? { egress } : {}),
      }),
    );
  }
  return objects;
}
