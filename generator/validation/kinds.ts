/**
 * Every kind the generator may render, with its schema validator
 * (kubernetes-models' validate()) and its closed field description (for
 * unknown fields). A kind missing here cannot be rendered.
 *
 * Models are imported only when an object of that kind is validated:
 * importing a kubernetes-models class compiles its schema, which is slow.
 */
import type { KubeObject } from "../kube-object.ts";
import { configMapCredentialProblems } from "./credentials.ts";
import { CUSTOM_KIND_FIELDS } from "./custom-kinds.ts";
import { labelProblems } from "./labels.ts";
import { strictModel } from "./schema.ts";
import { type FieldType, findUnknownFields, model } from "./unknown-fields.ts";

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

export interface KindDefinition {
  /** Loads the kubernetes-models class whose validate() checks the object's schema. */
  readonly load: () => Promise<ModelClass>;
  readonly fields: FieldType;
  readonly namespaced: boolean;
}

/** A built-in kind: its field list is client-node's model `V<version><Kind>` (e.g. V2HorizontalPodAutoscaler). */
function builtin(apiVersion: string, kind: string, load: () => Promise<ModelClass>, namespaced = true): [string, KindDefinition] {
  const version = apiVersion.split("/").pop()!;
  const modelName = `${version[0]!.toUpperCase()}${version.slice(1)}${kind}`;
  return [`${apiVersion}/${kind}`, { load, fields: model(modelName), namespaced }];
}

function custom(apiVersion: string, kind: string, load: () => Promise<ModelClass>, namespaced = true): [string, KindDefinition] {
  const key = `${apiVersion}/${kind}`;
  const fields = CUSTOM_KIND_FIELDS[key];
  if (!fields) throw new Error(`kinds: no strict field schema for ${key}`);
  return [key, { load, fields, namespaced }];
}

export const KINDS: ReadonlyMap<string, KindDefinition> = new Map([
  builtin("v1", "Namespace", async () => (await import("kubernetes-models/v1/Namespace")).Namespace, false),
  builtin("v1", "ResourceQuota", async () => (await import("kubernetes-models/v1/ResourceQuota")).ResourceQuota),
  builtin("v1", "LimitRange", async () => (await import("kubernetes-models/v1/LimitRange")).LimitRange),
  builtin("v1", "ConfigMap", async () => (await import("kubernetes-models/v1/ConfigMap")).ConfigMap),
  builtin("v1", "ServiceAccount", async () => (await import("kubernetes-models/v1/ServiceAccount")).ServiceAccount),
  builtin("v1", "Service", async () => (await import("kubernetes-models/v1/Service")).Service),
  builtin("v1", "PersistentVolumeClaim", async () => (await import("kubernetes-models/v1/PersistentVolumeClaim")).PersistentVolumeClaim),
  builtin("apps/v1", "Deployment", async () => (await import("kubernetes-models/apps/v1/Deployment")).Deployment),
  builtin("apps/v1", "StatefulSet", async () => (await import("kubernetes-models/apps/v1/StatefulSet")).StatefulSet),
  builtin("batch/v1", "Job", async () => (await import("kubernetes-models/batch/v1/Job")).Job),
  builtin("networking.k8s.io/v1", "Ingress", async () => (await import("kubernetes-models/networking.k8s.io/v1/Ingress")).Ingress),
  builtin(
    "networking.k8s.io/v1",
    "NetworkPolicy",
    async () => (await import("kubernetes-models/networking.k8s.io/v1/NetworkPolicy")).NetworkPolicy,
  ),
  builtin(
    "autoscaling/v2",
    "HorizontalPodAutoscaler",
    async () => (await import("kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler")).HorizontalPodAutoscaler,
  ),
  builtin("policy/v1", "PodDisruptionBudget", async () => (await import("kubernetes-models/policy/v1/PodDisruptionBudget")).PodDisruptionBudget),
  builtin("rbac.authorization.k8s.io/v1", "Role", async () => (await import("kubernetes-models/rbac.authorization.k8s.io/v1/Role")).Role),
  builtin(
    "rbac.authorization.k8s.io/v1",
    "RoleBinding",
    async () => (await import("kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding")).RoleBinding,
  ),
  custom(
    "argoproj.io/v1alpha1",
    "Application",
    async () => (await import("@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application")).Application,
  ),
  custom(
    "argoproj.io/v1alpha1",
    "AppProject",
    async () => (await import("@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject")).AppProject,
  ),
  custom(
    "bitnami.com/v1alpha1",
    "SealedSecret",
    async () => (await import("@kubernetes-models/sealed-secrets/bitnami.com/v1alpha1/SealedSecret")).SealedSecret,
  ),
  custom("cert-manager.io/v1", "Certificate", async () => (await import("@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate")).Certificate),
  custom("cert-manager.io/v1", "Issuer", async () => (await import("@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer")).Issuer),
  custom(
    "cert-manager.io/v1",
    "ClusterIssuer",
    async () => (await import("@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer")).ClusterIssuer,
    false,
  ),
  // No package publishes Dapr models: validate() checks types and required fields against the closed schema.
  custom("dapr.io/v1alpha1", "Component", async () => strictModel("dapr.io/v1alpha1/Component", CUSTOM_KIND_FIELDS["dapr.io/v1alpha1/Component"]!)),
  custom(
    "dapr.io/v1alpha1",
    "Configuration",
    async () => strictModel("dapr.io/v1alpha1/Configuration", CUSTOM_KIND_FIELDS["dapr.io/v1alpha1/Configuration"]!),
  ),
]);

export function kindKey(object: Pick<KubeObject, "apiVersion" | "kind">): string {
  return `${object.apiVersion}/${object.kind}`;
}

/**
 * Everything wrong with one object: schema errors from validate(), every
 * unknown field, every malformed label or annotation key, and any ConfigMap
 * entry that looks like a credential, as `path: problem` lines. Empty when
 * the object is valid.
 */
export async function problemsOf(object: KubeObject): Promise<string[]> {
  const definition = KINDS.get(kindKey(object));
  if (!definition) return [`kind ${kindKey(object)} is not one the generator knows (generator/validation/kinds.ts)`];
  const problems: string[] = [];
  const Model = await definition.load();
  try {
    new Model(structuredClone(object) as never).validate();
  } catch (error) {
    problems.push(`schema: ${(error as Error).message}`);
  }
  for (const path of await findUnknownFields(object, definition.fields)) {
    problems.push(`${path}: unknown field (not in the ${kindKey(object)} schema)`);
  }
  problems.push(...labelProblems(object));
  problems.push(...configMapCredentialProblems(object as { kind: string; data?: Record<string, string> }));
  return problems;
}
