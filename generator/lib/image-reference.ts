/**
 * Image references as the kubelet reads them, in the grammar of
 * distribution/reference (reference.go, vendored by kubernetes/kubernetes):
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *
 * With a digest the container runtime pulls exactly that manifest (for a
 * multi-platform image, the index `docker pull name:tag` resolves) and
 * ignores the tag; the tag stays beside it for people and for the
 * app.kubernetes.io/version label. One function writes the references every
 * component renders and one reads them back (the policy bar, the Dockerfile
 * rules), so the two cannot disagree.
 */

/**
 * A digest this repository accepts: SHA-256, the only algorithm the
 * registries serve and the OCI image spec requires, in its canonical form
 * (lowercase hex, distribution/reference's `identifier`).
 */
export const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The rule an invalid digest breaks, shared by the settings, the release command and the Dockerfile rules. */
export const IMAGE_DIGEST_RULE = "must be a sha256 digest: sha256: and 64 lowercase hex digits (what `docker buildx imagetools inspect <image>:<tag>` prints as Digest)";

export interface ImageRef {
  repository: string;
  tag: string;
  /** The manifest (list) digest the tag pointed at when it was pinned; absent: the tag alone. */
  digest?: string | undefined;
}

/** `repository:tag`, or `repository:tag@sha256:…` when a digest is pinned. */
export function formatImageReference(image: ImageRef): string {
  return `${image.repository}:${image.tag}${image.digest ? `@${image.digest}` : ""}`;
}

export interface ParsedImageReference {
  repository: string;
  tag?: string;
  digest?: string;
}

/**
 * Splits a reference into repository, tag and digest: the digest is what
 * follows `@`, the tag what follows the last `:` after the last `/` (a
 * registry's `host:port/` is part of the repository).
 */
export function parseImageReference(reference: string): ParsedImageReference {
  const at = reference.indexOf("@");
  const name = at < 0 ? reference : reference.slice(0, at);
  const digest = at < 0 ? undefined : reference.slice(at + 1);
  const slash = name.lastIndexOf("/");
  const colon = name.lastIndexOf(":");
  const hasTag = colon > slash;
  return {
    repository: hasTag ? name.slice(0, colon) : name,
    ...(hasTag ? { tag: name.slice(colon + 1) } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** Whether the reference names its content by a valid digest (so a re-pushed tag cannot change what runs). */
export function isPinnedByDigest(reference: string | undefined): boolean {
  const { digest } = parseImageReference(reference ?? "");
  return digest !== undefined && IMAGE_DIGEST.test(digest);
}
