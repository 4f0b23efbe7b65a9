/**
 * An independent model of what an Argo CD AppProject permits, for tests,
 * written from Argo CD's source (v3.3+, pkg/apis/application/v1alpha1:
 * AppProject.IsSourcePermitted, IsDestinationPermitted,
 * IsGroupKindNamePermitted, isResourceInList, isNamedResourceInList):
 *
 * - A source repository must match a `sourceRepos` glob (a `!` pattern denies).
 * - A namespaced object must match a destination (server and namespace
 *   globs; a `!` namespace denies) and its group/kind must be whitelisted:
 *   a missing `namespaceResourceWhitelist` admits every kind, an empty one
 *   none; `namespaceResourceBlacklist` removes kinds.
 * - A cluster-scoped object is never checked against the destinations, only
 *   against `clusterResourceWhitelist` (empty: none), by group, kind and,
 *   when the entry has one, name; `clusterResourceBlacklist` removes.
 *
 * Kinds and names match as Go's filepath.Match; sources and destinations
 * as gobwas/glob, where `*` crosses no separator only for sources (`/`).
 * Both are modelled by globMatch: `*`, `?` and `[...]`.
 */
import type { IAppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";

type Spec = NonNullable<IAppProject["spec"]>;

/** A glob: `*`, `?` and character classes; `*` and `?` do not cross `separator` when one is given. */
export function globMatch(pattern: string, value: string, separator?: string): boolean {
  const any = separator ? `[^${separator}]` : "[\\s\\S]";
  let regex = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") regex += `${any}*`;
    else if (c === "?") regex += any;
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end === -1) return false; // ErrBadPattern: Argo CD treats it as no match
      const body = pattern.slice(i + 1, end);
      regex += `[${body.startsWith("^") ? `^${body.slice(1)}` : body}]`;
      i = end;
    } else regex += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${regex}$`).test(value);
}

/** Argo CD's globMatch: a `!` pattern matches what the rest does not match; `*` matches everything. */
function argoGlob(pattern: string, value: string, separator?: string): boolean {
  if (pattern.startsWith("!")) return !globMatch(pattern.slice(1), value, separator);
  return pattern === "*" || globMatch(pattern, value, separator);
}

/** IsSourcePermitted: some pattern matches (a `!` pattern matches what it does not name), and no `!` pattern names it. */
export function sourcePermitted(spec: Spec, repoURL: string): boolean {
  let matched = false;
  for (const pattern of spec.sourceRepos ?? []) {
    if (argoGlob(pattern, repoURL, "/")) matched = true;
    else if (pattern.startsWith("!")) return false;
  }
  return matched;
}

/** isDestinationMatched, for a destination given by server URL (no cluster name). */
export function destinationPermitted(spec: Spec, server: string, namespace: string): boolean {
  let matched = false;
  for (const item of spec.destinations ?? []) {
    const serverMatched = argoGlob(item.server ?? "", server);
    const namespaceMatched = argoGlob(item.namespace ?? "", namespace);
    if (serverMatched && namespaceMatched) matched = true;
    else if (!serverMatched && (item.server ?? "").startsWith("!") && namespaceMatched) return false;
    else if (!namespaceMatched && (item.namespace ?? "").startsWith("!") && serverMatched) return false;
  }
  return matched;
}

interface GroupKind {
  group: string;
  kind: string;
  name?: string;
}

function inList(list: GroupKind[], group: string, kind: string, name?: string): boolean {
  return list.some((item) => {
    if (!globMatch(item.kind, kind) || !globMatch(item.group, group)) return false;
    if (name === undefined || !item.name) return true;
    return globMatch(item.name, name);
  });
}

/** Whether the project lets an object of this group, kind and name be deployed (namespaced: in some namespace). */
export function kindPermitted(spec: Spec, object: { group: string; kind: string; name: string; namespaced: boolean }): boolean {
  const { group, kind, name, namespaced } = object;
  if (namespaced) {
    const whitelist = spec.namespaceResourceWhitelist;
    const white = whitelist === undefined || (whitelist.length > 0 && inList(whitelist, group, kind));
    const black = inList(spec.namespaceResourceBlacklist ?? [], group, kind);
    return white && !black;
  }
  const whitelist = spec.clusterResourceWhitelist ?? [];
  const white = whitelist.length > 0 && inList(whitelist, group, kind, name);
  const black = inList(spec.clusterResourceBlacklist ?? [], group, kind, name);
  return white && !black;
}

/** Whether an Application of this project may deploy the object there. */
export function objectPermitted(
  spec: Spec,
  server: string,
  object: { group: string; kind: string; name: string; namespace?: string },
): boolean {
  const namespaced = object.namespace !== undefined;
  if (!kindPermitted(spec, { ...object, namespaced })) return false;
  return !namespaced || destinationPermitted(spec, server, object.namespace!);
}
