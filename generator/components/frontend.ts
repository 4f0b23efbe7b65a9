/** The Next.js frontend: ConfigMap, Deployment, Service (and HPA/PDB when scaled). */
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { frontendImage } from "../images.ts";
import type { KubeObject } from "../kube-object.ts";
import { appWorkload } from "../lib/app-workload.ts";
import { identity } from "../lib/labels.ts";
import { metadata } from "../lib/metadata.ts";
import { SYNC_WAVE } from "../lib/sync-waves.ts";
import type { Settings } from "../settings.ts";
import { backendURL } from "./backend.ts";

export const FRONTEND = identity("frontend");

export function frontend(settings: Settings): KubeObject[] {
  const app = settings.frontend;
  const configMap: IConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(settings, FRONTEND, { name: `${FRONTEND.name}-config`, version: app.image.tag, wave: SYNC_WAVE.config }),
    data: { API_BASE_URL: backendURL(settings), ...app.config },
  };
  return [
    configMap,
    ...appWorkload({ settings, who: FRONTEND, app, image: frontendImage, wave: SYNC_WAVE.frontend, configMap, env: [] }),
  ];
}
