/**
 * Objects a commit would take out of an environment that cannot be put back
 * by another commit: a SealedSecret (Argo CD prunes it under automated sync,
 * and Kubernetes' garbage collector deletes the Secret the controller made
 * from it, which names the SealedSecret as its owner), a
 * PersistentVolumeClaim (the database's data) and a Namespace (everything in
 * it). The release commands refuse a change that removes one unless told to
 * (`--allow-removal`), and say what goes in their output and commit body.
 *
 * An object is identified by kind, namespace and name as the files hold them,
 * not by file name: a change of namespace keeps every file name and still
 * removes the old namespace's objects.
 */
import { parse } from "yaml";
import type { KubeObject } from "../kube-object.ts";

/** Kinds whose removal loses what Git cannot restore; why, for the message. */
export const DATA_BEARING: Readonly<Record<string, string>> = {
  SealedSecret:
    "Argo CD prunes it (automated sync), and the Secret the controller unsealed from it goes with it: the Secret names the SealedSecret as its owner",
  PersistentVolumeClaim: "its volume holds the database: Argo CD does not prune it (Prune=false), it stays OutOfSync until deleted by hand, with its data",
  Namespace: "everything in it: Argo CD does not prune it (Prune=false), it stays OutOfSync until deleted by hand, with every object in it",
};

export interface Removal {
  kind: string;
  namespace: string | undefined;
  name: string;
  /** The committed file it came from. */
  file: string;
}

const KIND_LINE = new RegExp(`^kind: (${Object.keys(DATA_BEARING).join("|")})$`, "m");

function identity(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ""}/${name}`;
}

/**
 * The data-bearing objects in `committed` (path → content of the files as
 * they are now) that `objects` (what the commit will hold) no longer has.
 */
export function dataBearingRemovals(committed: ReadonlyMap<string, string>, objects: readonly KubeObject[]): Removal[] {
  const kept = new Set(objects.map((object) => identity(object.kind, object.metadata?.namespace, object.metadata?.name ?? "")));
  const removed: Removal[] = [];
  for (const [file, content] of committed) {
    if (!KIND_LINE.test(content)) continue;
    const object = parse(content) as { kind?: string; metadata?: { name?: string; namespace?: string } } | null;
    const kind = object?.kind;
    const name = object?.metadata?.name;
    if (!kind || !name || !(kind in DATA_BEARING)) continue;
    if (!kept.has(identity(kind, object.metadata?.namespace, name))) removed.push({ kind, namespace: object.metadata?.namespace, name, file });
  }
  return removed.sort((a, b) => (a.file < b.file ? -1 : 1));
}

export function describeRemoval(removal: Removal): string {
  return `${removal.kind} ${removal.namespace ? `${removal.namespace}/` : ""}${removal.name} (${removal.file}): ${DATA_BEARING[removal.kind]}`;
}

/** One line per removal, `<indent>- <what>: <why>`, for refusals, warnings and commit bodies. */
export function listRemovals(removals: readonly Removal[], indent = "  "): string {
  return removals.map((removal) => `${indent}- ${describeRemoval(removal)}`).join("\n");
}

/** The environment variable that lets a commit through the pre-commit hook when it removes such an object (`ALLOW_REMOVAL=1 git commit …`). */
export const ALLOW_REMOVAL_VARIABLE = "ALLOW_REMOVAL";

/** Every object of every environment a render holds, for dataBearingRemovals (identities carry their namespace, so one list serves all). */
export function renderedObjects(objects: ReadonlyMap<string, readonly KubeObject[]>): KubeObject[] {
  return [...objects.values()].flat();
}
