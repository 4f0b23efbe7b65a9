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
import { byCodePoint } from "../lib/order.ts";

export const NETWORK = identity("network-policy");

/** Private ranges: "the outside" means the internet, never the cluster or the LAN. */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

export type Endpoint =
  | { pod: Identity }
  | { ingressController: true }
  /** Pods of another namespace, by their labels (e.g. the Dapr control plane). */
  | { podsIn: { namespace: string; podLabels: Readonly<Record<string, string>> } }
  /** The internet (public addresses only). */
  | { outside: true }
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
  const database: Endpoint = settings.database.mode === "in-cluster" ? { pod: DATABASE } : { outside: true };
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
  if ("outside" in endpoint) return { ipBlock: { cidr: "0.0.0.0/0", except: [...PRIVATE_RANGES] } };
  return { ipBlock: { cidr: "0.0.0.0/0", except: [settings.cluster.podCIDR] } };
}

function rule(settings: Settings, endpoint: Endpoint, port: number, direction: "from" | "to"): PolicyRule {
  const other = peer(settings, endpoint);
  return { ...(other ? { [direction]: [other] } : {}), ports: [{ protocol: "TCP", port }] };
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

  // One policy per pod that takes part in a flow, holding both of its sides.
  const pods = new Map<string, { who: Identity; ingress: PolicyRule[]; egress: PolicyRule[] }>();
  const sideOf = (who: Identity) => {
    let entry = pods.get(who.name);
    if (!entry) pods.set(who.name, (entry = { who, ingress: [], egress: [] }));
    return entry;
  };
  for (const flow of flows(settings)) {
    if ("pod" in flow.from) sideOf(flow.from.pod).egress.push(rule(settings, flow.to, flow.port, "to"));
    if ("pod" in flow.to) sideOf(flow.to.pod).ingress.push(rule(settings, flow.from, flow.port, "from"));
  }
  for (const { who, ingress, egress } of [...pods.values()].sort((a, b) => byCodePoint(a.who.name, b.who.name))) {
    objects.push(
      policy(who.name, {
        podSelector: { matchLabels: selectorLabels(settings, who) },
        policyTypes: [...(ingress.length ? (["Ingress"] as const) : []), ...(egress.length ? (["Egress"] as const) : [])],
        ...(ingress.length ? { ingress } : {}),
        ...(egress.length ? { egress } : {}),
      }),
    );
  }
  return objects;
}
