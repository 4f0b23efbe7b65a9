/**
 * The resource names a ResourceQuota's `spec.hard` accepts, and their
 * values, as the API server checks them (kubernetes/kubernetes,
 * pkg/apis/core/validation/validation.go ValidateResourceQuotaResourceName
 * and ValidateResourceQuantityValue; pkg/apis/core/helper/helpers.go
 * standardQuotaResources, IsQuotaHugePageResourceName, IsIntegerResourceName,
 * IsExtendedResourceName). Neither kubernetes-models nor the OpenAPI schema
 * checks a map's keys: `requests.cpuu` would render and be refused at sync.
 *
 * A name without a `/` must be one the quota system knows; a name with one
 * (`count/jobs.batch`, `requests.nvidia.com/gpu`,
 * `gold.storageclass.storage.k8s.io/requests.storage`) must be a qualified
 * name, `<DNS subdomain>/<name>` (docs: kubernetes.io/docs/concepts/policy/resource-quotas).
 */
import { keyProblem } from "./labels.ts";

/** helpers.go standardQuotaResources. */
export const STANDARD_QUOTA_RESOURCES = [
  "cpu",
  "memory",
  "ephemeral-storage",
  "requests.cpu",
  "requests.memory",
  "requests.storage",
  "requests.ephemeral-storage",
  "limits.cpu",
  "limits.memory",
  "limits.ephemeral-storage",
  "pods",
  "resourcequotas",
  "services",
  "replicationcontrollers",
  "secrets",
  "persistentvolumeclaims",
  "configmaps",
  "services.nodeports",
  "services.loadbalancers",
] as const;

/** helpers.go integerResources: counted in whole objects. */
const INTEGER_RESOURCES = new Set(["pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps", "persistentvolumeclaims", "services.nodeports", "services.loadbalancers"]);

/** helpers.go IsQuotaHugePageResourceName: ResourceHugePagesPrefix and ResourceRequestsHugePagesPrefix. */
const HUGE_PAGES = /^(?:requests\.)?hugepages-/;

/** Why `name` cannot be a key of a ResourceQuota's `spec.hard`, or undefined when the API server accepts it. */
export function quotaResourceProblem(name: string): string | undefined {
  const rule =
    "must be a resource a ResourceQuota accepts: a standard one (requests.cpu, limits.memory, pods, services.nodeports…), " +
    "hugepages-<size>, or a qualified name with a / (count/<resource>.<group>, requests.<vendor domain>/<resource> for an extended resource)";
  if (name.includes("/")) {
    const problem = keyProblem(name);
    return problem ? `${rule}: ${problem}` : undefined;
  }
  if ((STANDARD_QUOTA_RESOURCES as readonly string[]).includes(name)) return undefined;
  if (HUGE_PAGES.test(name)) return keyProblem(name) ? `${rule}: ${keyProblem(name)}` : undefined;
  return rule;
}

/**
 * Whether the API server requires a whole number for this resource
 * (IsIntegerResourceName): the object counts, and extended resources, which
 * are the names outside kubernetes.io with a / that do not start with `requests.`.
 */
export function isIntegerQuotaResource(name: string): boolean {
  if (INTEGER_RESOURCES.has(name)) return true;
  return name.includes("/") && !name.includes("kubernetes.io/") && !name.startsWith("requests.") && keyProblem(`requests.${name}`) === undefined;
}
