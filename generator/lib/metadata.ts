import type { IObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import type { Settings } from "../settings.ts";
import { type Identity, labels } from "./labels.ts";
import { type SyncWave, syncWave } from "./sync-waves.ts";

export interface MetadataOptions {
  name?: string;
  version: string;
  wave: SyncWave;
  annotations?: Record<string, string>;
  /** Cluster-scoped objects (the Namespace) have no namespace. */
  clusterScoped?: boolean;
}

/** Name, namespace, the recommended labels and the sync wave of one object. */
export function metadata(settings: Settings, who: Identity, options: MetadataOptions): IObjectMeta & { name: string } {
  return {
    name: options.name ?? who.name,
    ...(options.clusterScoped ? {} : { namespace: settings.namespace }),
    labels: labels(settings, who, options.version),
    annotations: { ...syncWave(options.wave), ...options.annotations },
  };
}
