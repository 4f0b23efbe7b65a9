/**
 * An independent model of Kubernetes NetworkPolicy semantics, for tests: given
 * the rendered policies, is a connection from one endpoint to another allowed?
 * It follows the API's rules: a pod selected by no policy of a direction is
 * open in that direction; a selected pod admits only what some rule matches;
 * a connection needs both the source's egress and the destination's ingress.
 */
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { KubeObject } from "../kube-object.ts";

export interface Endpoint {
  /** A readable name for assertion messages. */
  name: string;
  /** Set for pods; absent for hosts outside the cluster. */
  namespace?: string;
  labels?: Record<string, string>;
  ip: string;
}

export interface PodTemplate {
  owner: KubeObject;
  labels: Record<string, string>;
  spec: IPodSpec;
}

/** The pod templates of every workload among the objects. */
export function podTemplates(objects: KubeObject[]): PodTemplate[] {
  const templates: PodTemplate[] = [];
  for (const object of objects) {
    if (!["Deployment", "StatefulSet", "Job", "DaemonSet"].includes(object.kind)) continue;
    const template = (object as { spec?: { template?: { metadata?: { labels?: Record<string, string> }; spec?: IPodSpec } } }).spec?.template;
    if (!template?.spec) continue;
    templates.push({ owner: object, labels: template.metadata?.labels ?? {}, spec: template.spec });
  }
  return templates;
}

function matchLabels(selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  if (selector.matchExpressions?.length) throw new Error("network-policy model: matchExpressions are not modelled");
  return Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}

function ipToNumber(ip: string): number {
  return ip.split(".").reduce((sum, part) => sum * 256 + Number(part), 0);
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const size = Number(bits);
  const mask = size === 0 ? 0 : (2 ** 32 - 2 ** (32 - size));
  return (ipToNumber(ip) & mask) >>> 0 === (ipToNumber(base!) & mask) >>> 0;
}

function peerMatches(peer: INetworkPolicyPeer, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) {
    return inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((cidr) => inCidr(other.ip, cidr));
  }
  if (other.namespace === undefined) return false;
  const namespaceOk = peer.namespaceSelector
    ? matchLabels(peer.namespaceSelector, { "kubernetes.io/metadata.name": other.namespace })
    : other.namespace === policyNamespace;
  return namespaceOk && matchLabels(peer.podSelector, other.labels ?? {});
}

function portMatches(ports: { port?: number | string; protocol?: string }[] | undefined, port: number, protocol: string): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => (p.protocol ?? "TCP") === protocol && (p.port === undefined || p.port === port));
}

function allowedOneWay(
  policies: INetworkPolicy[],
  subject: Endpoint,
  other: Endpoint,
  port: number,
  protocol: string,
  direction: "Ingress" | "Egress",
): boolean {
  if (subject.namespace === undefined) return true; // hosts outside the cluster have no policies
  const selecting = policies.filter(
    (policy) =>
      policy.metadata?.namespace === subject.namespace &&
      matchLabels(policy.spec?.podSelector, subject.labels ?? {}) &&
      (policy.spec?.policyTypes ?? ["Ingress"]).includes(direction),
  );
  if (selecting.length === 0) return true;
  return selecting.some((policy) => {
    const rules = direction === "Ingress" ? (policy.spec?.ingress ?? []) : (policy.spec?.egress ?? []);
    return rules.some((rule) => {
      const peers = direction === "Ingress" ? (rule as { from?: INetworkPolicyPeer[] }).from : (rule as { to?: INetworkPolicyPeer[] }).to;
      const peerOk = !peers || peers.length === 0 || peers.some((peer) => peerMatches(peer, policy.metadata!.namespace!, other));
      return peerOk && portMatches(rule.ports as { port?: number; protocol?: string }[], port, protocol);
    });
  });
}

/** Whether `from` may open a connection to `to` on this port. */
export function isAllowed(objects: KubeObject[], from: Endpoint, to: Endpoint, port: number, protocol = "TCP"): boolean {
  const policies = objects.filter((object): object is INetworkPolicy => object.kind === "NetworkPolicy") as INetworkPolicy[];
  return allowedOneWay(policies, from, to, port, protocol, "Egress") && allowedOneWay(policies, to, from, port, protocol, "Ingress");
}
