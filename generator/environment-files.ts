/** The files that make up an environment, relative to the repository root: messages name them, the loader reads them. */

/**
 * What an environment's name, its file name, becomes: the namespace
 * `todo-<name>` (its default), the Argo CD Application and AppProject
 * `todo-<name>`, the app.kubernetes.io/instance label `todo-<name>`, and the
 * host `<name>.todo.local` (its default). The tightest of them, a namespace
 * and a label value, are DNS-1123 labels of at most 63 characters.
 */
const DERIVED_PREFIX = "todo-";
export const ENVIRONMENT_NAME_MAX = 63 - DERIVED_PREFIX.length;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why `name` cannot be an environment's name, or undefined when it can. */
export function environmentNameProblem(name: string): string | undefined {
  if (DNS_1123_LABEL.test(name) && name.length <= ENVIRONMENT_NAME_MAX) return undefined;
  const why = name.length > ENVIRONMENT_NAME_MAX ? `it has ${name.length} characters` : `"${name}" is not one`;
  const suggestion = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, ENVIRONMENT_NAME_MAX)
    .replace(/-+$/, "");
  return (
    `an environment's name is its file name, and must be a DNS-1123 label of at most ${ENVIRONMENT_NAME_MAX} characters ` +
    `(lowercase letters, digits and '-', starting and ending with a letter or digit), so that namespace, Argo CD Application and AppProject ${DERIVED_PREFIX}<name> ` +
    `and host <name>.todo.local are valid: ${why}` +
    (suggestion && suggestion !== name ? `; rename the environment's files, e.g. ${environmentFileName(suggestion)} and ${imagesFileName(suggestion)}` : "")
  );
}

/** The settings an environment states (only what differs from the defaults). */
export function environmentFileName(environment: string): string {
  return `environments/${environment}.ts`;
}

/** Its image references, which `npm run release` and `promote` edit. */
export function imagesFileName(environment: string): string {
  return `environments/${environment}.images.json`;
}

/** Its sealed Secret values, which `npm run seal` writes (absent until then). */
export function sealedFileName(environment: string): string {
  return `environments/${environment}.sealed.json`;
}

/** The facts of the cluster environments name in delivery.cluster. */
export function clusterFileName(cluster: string): string {
  return `clusters/${cluster}/cluster.ts`;
}
