/**
 * The Kubernetes recommended labels, written once. Selectors use only the
 * stable pair (name, instance); version changes with every release.
 */
import type { Settings } from "../settings.ts";

export const MANAGED_BY = "todo-gitops-generator";

/** Who an object belongs to: `todo-backend` is component `backend`. */
export interface Identity {
  /** app.kubernetes.io/name, also the name of the component's main objects. */
  readonly name: string;
  /** app.kubernetes.io/component */
  readonly component: string;
}

export function identity(component: string): Identity {
  return { name: `todo-${component}`, component };
}

export function selectorLabels(settings: Settings, who: Identity): Record<string, string> {
  return {
    "app.kubernetes.io/name": who.name,
    "app.kubernetes.io/instance": `todo-${settings.name}`,
  };
}

export interface RecommendedLabels {
  name: string;
  instance: string;
  version: string;
  component: string;
  partOf: string;
}

export function recommendedLabels(fields: RecommendedLabels): Record<string, string> {
  return {
    "app.kubernetes.io/name": fields.name,
    "app.kubernetes.io/instance": fields.instance,
    "app.kubernetes.io/version": fields.version,
    "app.kubernetes.io/component": fields.component,
    "app.kubernetes.io/part-of": fields.partOf,
    "app.kubernetes.io/managed-by": MANAGED_BY,
  };
}

export function labels(settings: Settings, who: Identity, version: string): Record<string, string> {
  return recommendedLabels({
    name: who.name,
    instance: `todo-${settings.name}`,
    version,
    component: who.component,
    partOf: settings.partOf,
  });
}
