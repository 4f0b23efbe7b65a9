/**
 * Arguments for a child `node` that runs one of the repository's TypeScript
 * entry points, as package.json's scripts do. Node runs the sources directly
 * (type stripping, Node >= 22.18). kubernetes-models' validator loads
 * ajv-formats-draft2019, which calls require("punycode") and so gets Node's
 * deprecated built-in (DEP0040); the warning says nothing about this project,
 * and tests compare stderr exactly.
 */
export const NODE_ARGS: readonly string[] = ["--disable-warning=DEP0040"];
