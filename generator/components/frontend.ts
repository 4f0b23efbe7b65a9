/** The Next.js frontend, which also serves sign-in (better-auth at /api/auth): ConfigMap, Deployment, Service (and HPA/PDB when scaled). */
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { frontendImage } from "../images.ts";
import type { KubeObject } from "../kube-object.ts";
import { appWorkload } from "../lib/app-workload.ts";
import { identity } from "../lib/labels.ts";
import { metadata } from "../lib/metadata.ts";
import { SYNC_WAVE } from "../lib/sync-waves.ts";
import type { Settings } from "../settings.ts";
import { AUTH_SECRET_ENV, backendURL, databaseUrlEnv, ingressOrigin } from "./backend.ts";

export const FRONTEND = identity("frontend");

export function frontend(settings: Settings): KubeObject[] {
  const app = settings.frontend;
  const configMap: IConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: metadata(settings, FRONTEND, { name: `${FRONTEND.name}-config`, version: app.image.tag, wave: SYNC_WAVE.config }),
    // BETTER_AUTH_URL: the origin browsers sign in at, better-auth's base URL (docker/README.md).
    data: { API_BASE_URL: backendURL(settings), BETTER_AUTH_URL: ingressOrigin(settings), ...app.config },
  };
  return [
    configMap,
    // better-auth runs in the Next.js server (/api/auth): its secret, and the database that holds its users and sessions.
    ...appWorkload({ settings, who: FRONTEND, app, image: frontendImage, wave: SYNC_WAVE.frontend, configMap, env: [...databaseUrlEnv(settings), AUTH_SECRET_ENV] }),
  ];
}
