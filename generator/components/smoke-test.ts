/**
 * The `helm test` equivalent: a PostSync hook that calls the backend's
 * readiness and the frontend's health through their Services. If either does
 * not answer 2xx, the Job fails and so does the sync. It uses the backend
 * image (Python is there already), so it needs nothing from a registry.
 */
import type { IJob } from "kubernetes-models/batch/v1/Job";
import { backendImage, frontendImage } from "../images.ts";
import type { KubeObject } from "../kube-object.ts";
import { imageReference, serviceAccount } from "../lib/app-workload.ts";
import { identity, labels } from "../lib/labels.ts";
import { metadata } from "../lib/metadata.ts";
import { serviceHost } from "../lib/service-dns.ts";
import { hardenedPodSpec } from "../lib/security.ts";
import { SYNC_WAVE } from "../lib/sync-waves.ts";
import type { Settings } from "../settings.ts";
import { BACKEND } from "./backend.ts";
import { FRONTEND } from "./frontend.ts";
import { hookAnnotations } from "./migration.ts";

export const SMOKE_TEST = identity("smoke-test");

/** urlopen raises on a refused connection, a timeout or any non-2xx status: each fails the Job. */
const CHECK_URLS = `
import sys, urllib.request
for url in sys.argv[1:]:
    with urllib.request.urlopen(url, timeout=5) as response:
        print(url, response.status, flush=True)
`.trim();

export function smokeTestURLs(settings: Settings): string[] {
  return [
    `http://${serviceHost(settings, BACKEND.name)}:${settings.backend.service.port}${backendImage.health.ready}`,
    `http://${serviceHost(settings, FRONTEND.name)}:${settings.frontend.service.port}${frontendImage.health.live}`,
  ];
}

export function smokeTest(settings: Settings): KubeObject[] {
  const { smokeTest: options, backend } = settings;
  if (!options.enabled) return [];
  const version = backend.image.tag;
  const job: IJob = {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: metadata(settings, SMOKE_TEST, { version, wave: SYNC_WAVE.ingress, annotations: hookAnnotations("PostSync") }),
    spec: {
      backoffLimit: options.backoffLimit,
      activeDeadlineSeconds: options.activeDeadlineSeconds,
      template: {
        metadata: { labels: labels(settings, SMOKE_TEST, version) },
        spec: hardenedPodSpec({
          settings,
          serviceAccountName: SMOKE_TEST.name,
          image: backendImage,
          restartPolicy: "Never",
          containers: [
            {
              name: "smoke-test",
              image: imageReference(backend),
              imagePullPolicy: backend.pullPolicy,
              command: ["python", "-c", CHECK_URLS, ...smokeTestURLs(settings)],
              resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
            },
          ],
        }),
      },
    },
  };
  return [serviceAccount(settings, SMOKE_TEST, version), job];
}
