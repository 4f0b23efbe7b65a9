import pkg from "../package.json" with { type: "json" };

/**
 * `app.kubernetes.io/version` of objects that belong to no image (the
 * Namespace, its quota and policies): the version of this repository's
 * generator, so a release of the app does not touch them.
 */
export const GENERATOR_VERSION: string = pkg.version;
