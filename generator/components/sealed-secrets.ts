/**
 * SealedSecrets: the environment's Secrets, encrypted for the Sealed Secrets
 * controller, which creates each Secret in the namespace under the same name.
 * The values come from environments/<env>.sealed.json (`npm run seal`,
 * loaded as `settings.sealedSecrets`) and are copied, never sealed here, so rendering stays deterministic.
 *
 * The scope is strict (the default, so no scope annotation): each value opens
 * only in this namespace, under this Secret name.
 */
import type { ISealedSecret } from "@kubernetes-models/sealed-secrets/bitnami.com/v1alpha1/SealedSecret";
import { type Identity, labels } from "../lib/labels.ts";
import { metadata } from "../lib/metadata.ts";
import { SYNC_WAVE } from "../lib/sync-waves.ts";
import { AUTH_SECRET, BACKEND_SECRET, DATABASE_SECRET, REDIS_SECRET } from "../secrets.ts";
import type { Settings } from "../settings.ts";
import { BACKEND } from "./backend.ts";
import { DATABASE } from "./database.ts";
import { FRONTEND } from "./frontend.ts";
import { REDIS } from "./redis.ts";

/** Each Secret belongs to the component that reads it, and carries that component's version. */
function ownerOf(settings: Settings, secret: string): { who: Identity; version: string } {
  switch (secret) {
    case BACKEND_SECRET.name:
      return { who: BACKEND, version: settings.backend.image.tag };
    // better-auth runs in the frontend and signs with it; the backend only verifies.
    case AUTH_SECRET.name:
      return { who: FRONTEND, version: settings.frontend.image.tag };
    case DATABASE_SECRET.name:
      return { who: DATABASE, version: settings.database.image.tag };
    case REDIS_SECRET.name:
      return { who: REDIS, version: settings.dapr.redis.image.tag };
    default:
      throw new Error(`sealed-secrets: no component owns the Secret "${secret}"`);
  }
}

/** One SealedSecret per sealed Secret, sorted by name; none when the environment has no sealed values. */
export function sealedSecrets(settings: Settings): ISealedSecret[] {
  const sealed = settings.sealedSecrets;
  return Object.keys(sealed)
    .sort()
    .map((name) => {
      const { who, version } = ownerOf(settings, name);
      const values = sealed[name]!;
      const encryptedData = Object.fromEntries(Object.keys(values).sort().map((key) => [key, values[key]!]));
      return {
        apiVersion: "bitnami.com/v1alpha1",
        kind: "SealedSecret",
        // Secrets exist before the workloads that read them (the ConfigMaps' wave).
        metadata: metadata(settings, who, { name, version, wave: SYNC_WAVE.config }),
        spec: {
          encryptedData,
          template: {
            metadata: { name, namespace: settings.namespace, labels: labels(settings, who, version) },
            type: "Opaque",
          },
        },
      } satisfies ISealedSecret;
    });
}
