import type { IObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";

/**
 * Any rendered object. Components build the precise kubernetes-models
 * interfaces (IDeployment, IService, …); the pipeline only needs this much.
 */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata?: IObjectMeta;
}
