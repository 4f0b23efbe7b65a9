/**
 * A model, for tests, of what an Argo CD sync and an Application's deletion
 * do to objects that leave Git, written from Argo CD's documentation and
 * source (docs/user-guide/sync-options.md "No Prune Resources" and "No
 * Resource Deletion"; server/application/application.go Delete, which adds
 * the resources finalizer when asked to cascade):
 *
 * - a sync with prune deletes every live object the Application tracks that
 *   is no longer in Git, unless the live object's own
 *   `argocd.argoproj.io/sync-options` annotation says `Prune=false` (it
 *   stays, and the Application "requires pruning") or `Prune=confirm` (it
 *   waits for someone to confirm);
 * - deleting an Application deletes what it deployed only when it carries
 *   the resources finalizer, and never an object annotated `Delete=false`.
 */
import type { KubeObject } from "../kube-object.ts";

export const SYNC_OPTIONS_ANNOTATION = "argocd.argoproj.io/sync-options";
export const RESOURCES_FINALIZER = "resources-finalizer.argocd.argoproj.io";

function syncOptions(object: KubeObject): string[] {
  return (object.metadata?.annotations?.[SYNC_OPTIONS_ANNOTATION] ?? "").split(",").map((option) => option.trim());
}

const key = (object: KubeObject) => `${object.apiVersion.split("/")[0]}/${object.kind}/${object.metadata?.namespace ?? ""}/${object.metadata?.name}`;

export interface PrunePlan {
  /** Deleted by the sync. */
  pruned: string[];
  /** Left in place; the Application shows them as requiring pruning. */
  kept: string[];
  /** Deleted once someone confirms. */
  awaitingConfirmation: string[];
}

/** What an automated sync with prune does to the live objects that are no longer in Git. */
export function prunePlan(live: KubeObject[], desired: KubeObject[]): PrunePlan {
  const wanted = new Set(desired.map(key));
  const plan: PrunePlan = { pruned: [], kept: [], awaitingConfirmation: [] };
  for (const object of live.filter((o) => !wanted.has(key(o)))) {
    const name = `${object.kind} ${object.metadata?.name}`;
    const options = syncOptions(object);
    if (options.includes("Prune=false")) plan.kept.push(name);
    else if (options.includes("Prune=confirm")) plan.awaitingConfirmation.push(name);
    else plan.pruned.push(name);
  }
  return plan;
}

/** Whether deleting this Application (kubectl delete, or a cascade from its parent) deletes what it deployed. */
export function deletionCascades(application: KubeObject): boolean {
  return (application.metadata?.finalizers ?? []).some((f) => f === RESOURCES_FINALIZER || f.startsWith(`${RESOURCES_FINALIZER}/`));
}

/** Whether a parent Application's cascading deletion deletes this object. */
export function deletedWithParent(object: KubeObject): boolean {
  return !syncOptions(object).includes("Delete=false");
}
