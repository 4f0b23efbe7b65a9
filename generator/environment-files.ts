/** The files that make up an environment, relative to the repository root: messages name them, the loader reads them. */

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
