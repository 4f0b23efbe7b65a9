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

/** A Secret a pod reads: a whole Secret by name, or one key of it. */
export type SecretRead = string | { name: string; key: string };

/** The Secret keys an environment list reads through `secretKeyRef`. */
export function secretsReadBy(env: readonly IEnvVar[]): SecretRead[] {
  return env.flatMap((variable) => {
    const ref = variable.valueFrom?.secretKeyRef;
    return ref?.name ? [{ name: ref.name, key: ref.key }] : [];
  });
}

/**
 * The pod-template annotation over the sealed values among `reads`, empty when
 * none is sealed. Only the keys the pod reads count (a whole Secret when named
 * alone): re-sealing a key rolls the pods that read that key, not every pod
 * that reads another key of the same Secret.
 */
export function sealedSecretsChecksum(settings: Settings, reads: Iterable<SecretRead>): Record<string, string> {
  const keysByName = new Map<string, Set<string> | "all">();
  for (const read of reads) {
    const name = typeof read === "string" ? read : read.name;
    const current = keysByName.get(name);
    if (typeof read === "string" || current === "all") keysByName.set(name, "all");
    else keysByName.set(name, new Set([...(current ?? []), read.key]));
  }
  const sealed = [...keysByName.keys()]
    .sort()
    .filter((name) => settings.sealedSecrets[name] !== undefined)
    .map((name) => {
      const values = settings.sealedSecrets[name]!;
      const wanted = keysByName.get(name)!;
      const keys = Object.keys(values).filter((key) => wanted === "all" || wanted.has(key)).sort();
      return [name, keys.map((key) => [key, values[key]])];
    });
  if (sealed.length === 0) return {};
  return { [SEALED_SECRETS_CHECKSUM_ANNOTATION]: createHash("sha256").update(JSON.stringify(sealed)).digest("hex") };
}

/** The same, as pod-template metadata to spread: no `annotations` key at all when none is sealed. */
export function sealedSecretsAnnotations(settings: Settings, reads: Iterable<SecretRead>): { annotations?: Record<string, string> } {
  const annotations = sealedSecretsChecksum(settings, reads);
  return Object.keys(annotations).length > 0 ? { annotations } : {};
}
