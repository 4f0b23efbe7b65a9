/**
 * Typed models of the Dapr kinds the generator renders (dapr.io/v1alpha1),
 * written from Dapr's documentation: the Component spec
 * (docs.dapr.io/reference/resource-specs/component-schema) and the
 * Configuration spec (…/configuration-schema), for Dapr 1.16. No npm package
 * publishes them. They cover what this repository uses; the closed schemas
 * that validate rendered objects against them are in
 * validation/custom-kinds.ts.
 */
import type { IObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";

export const DAPR_API_VERSION = "dapr.io/v1alpha1";

/** A value read from a secret store instead of being written down. */
export interface DaprSecretKeyRef {
  /** The Secret's name (with the Kubernetes secret store, a Secret in the Component's namespace). */
  name: string;
  /** The key inside it. */
  key: string;
}

/** One metadata entry: a plain value or a secret reference, never both. */
export type DaprMetadataItem = { name: string; value: string } | { name: string; secretKeyRef: DaprSecretKeyRef };

export interface DaprComponent {
  apiVersion: typeof DAPR_API_VERSION;
  kind: "Component";
  metadata: IObjectMeta & { name: string; namespace: string };
  spec: {
    /** Building block and implementation, e.g. `state.redis`, `pubsub.redis`. */
    type: string;
    /** The implementation's version, e.g. `v1`. */
    version: string;
    metadata: DaprMetadataItem[];
    /** Fail the sidecar (false, the default) or carry on without the component when it cannot start. */
    ignoreErrors?: boolean;
    initTimeout?: string;
  };
  /** Which secret store resolves `secretKeyRef`s; on Kubernetes the operator reads `kubernetes` stores itself. */
  auth?: { secretStore: string };
  /** The app-ids allowed to load the component. Empty would mean every app in the namespace. */
  scopes: string[];
}

export interface DaprConfiguration {
  apiVersion: typeof DAPR_API_VERSION;
  kind: "Configuration";
  metadata: IObjectMeta & { name: string; namespace: string };
  /**
   * No `mtls`: sidecars take mTLS from the control plane (the `daprsystem`
   * Configuration in dapr-system, which the chart's global.mtls values
   * write), never from an app namespace's Configuration, where the block
   * would be silently ignored. The closed schema rejects it.
   */
  spec: {
    tracing?: {
      /** A decimal from "0" (off) to "1" (every request), as a string. */
      samplingRate: string;
      stdout?: boolean;
    };
    metric?: { enabled: boolean };
  };
}
