/** One Ingress per environment: `/api` → backend, everything else (and the frontend's own API routes) → frontend. */
import type { IHTTPIngressPath } from "kubernetes-models/networking.k8s.io/v1/HTTPIngressPath";
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import type { KubeObject } from "../kube-object.ts";
import { identity } from "../lib/labels.ts";
import { metadata } from "../lib/metadata.ts";
import { SYNC_WAVE } from "../lib/sync-waves.ts";
import type { Settings } from "../settings.ts";
import { BACKEND } from "./backend.ts";
import { FRONTEND } from "./frontend.ts";
import { TLS_SECRET, servesTls } from "./tls.ts";

export const INGRESS = identity("ingress");

/**
 * ingress-nginx answers plain HTTP on a TLS host with a 308 to HTTPS; that is
 * its default (ConfigMap `ssl-redirect: true`), stated here so that a
 * controller configured otherwise still redirects. ACME's HTTP-01 path
 * stays on HTTP: the controller's `no-tls-redirect-locations` defaults to
 * `/.well-known/acme-challenge` (ingress-nginx docs, annotations.md and
 * configmap.md).
 */
export const SSL_REDIRECT_ANNOTATION = "nginx.ingress.kubernetes.io/ssl-redirect";

export function ingress(settings: Settings): KubeObject[] {
  const { ingress: options } = settings;
  if (!options.enabled) return [];
  const route = (path: string, service: string, port: number): IHTTPIngressPath => ({
    path,
    pathType: "Prefix",
    backend: { service: { name: service, port: { number: port } } },
  });
  const https = servesTls(settings);
  const object: IIngress = {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: metadata(settings, INGRESS, {
      version: settings.frontend.image.tag,
      wave: SYNC_WAVE.ingress,
      ...(https ? { annotations: { [SSL_REDIRECT_ANNOTATION]: "true" } } : {}),
    }),
    spec: {
      ingressClassName: settings.cluster.ingressClass,
      // The Secret the environment's cert-manager Certificate writes (tls.ts).
      ...(https ? { tls: [{ hosts: [options.host], secretName: TLS_SECRET }] } : {}),
      rules: [
        {
          host: options.host,
          http: {
            paths: [
              ...options.frontendApiPrefixes.map((prefix) => route(prefix, FRONTEND.name, settings.frontend.service.port)),
              route("/api", BACKEND.name, settings.backend.service.port),
              route("/", FRONTEND.name, settings.frontend.service.port),
            ],
          },
        },
      ],
    },
  };
  return [object];
}
