/**
 * Pods read Secrets as environment variables once, when they start. With the
 * values sealed in Git, a re-sealed value is a commit like any other, so the
 * pods that read it carry a hash of its ciphertext and roll when it changes.
 * `npm run seal` keeps a ciphertext while its plaintext is unchanged, so the
 * hash moves only when a value does. Secrets created by hand are outside Git
 * and out of reach: nothing is added for them.
 */
import { createHash } from "node:crypto";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { Settings } from "../settings.ts";

export const SEALED_SECRETS_CHECKSUM_ANNOTATION = "checksum/sealed-secrets";

/** The Secrets an environment list reads through `secretKeyRef`. */
export function secretsReadBy(env: readonly IEnvVar[]): string[] {
  return env.flatMap((variable) => {
    const name = variable.valueFrom?.secretKeyRef?.name;
    return name ? [name] : [];
  });
}

/** The pod-template annotation for the sealed ones among `secretNames`; empty when none is sealed. */
export function sealedSecretsChecksum(settings: Settings, secretNames: Iterable<string>): Record<string, string> {
  const sealed = [...new Set(secretNames)]
    .sort()
    .filter((name) => settings.sealedSecrets[name] !== undefined)
    .map((name) => {
      const values = settings.sealedSecrets[name]!;
      return [name, Object.keys(values).sort().map((key) => [key, values[key]])];
    });
  if (sealed.length === 0) return {};
  return { [SEALED_SECRETS_CHECKSUM_ANNOTATION]: createHash("sha256").update(JSON.stringify(sealed)).digest("hex") };
}

/** The same, as pod-template metadata to spread: no `annotations` key at all when none is sealed. */
export function sealedSecretsAnnotations(settings: Settings, secretNames: Iterable<string>): { annotations?: Record<string, string> } {
  const annotations = sealedSecretsChecksum(settings, secretNames);
  return Object.keys(annotations).length > 0 ? { annotations } : {};
}
