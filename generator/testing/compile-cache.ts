/**
 * Preloaded by `npm run test:unit` (`node --import`). Every test file runs in
 * a Node process of its own, and each would parse and compile the same few
 * hundred modules (kubernetes-models, zod, the generator) again: Node's own
 * compile cache (module.enableCompileCache, Node >= 22.1) keeps V8's code
 * cache for them in .cache/node-compile/ (ignored by Git; deleting it is
 * safe), which took about a quarter off each file's start here. Set in the
 * environment too, so the Node processes the tests start use it as well.
 */
import { enableCompileCache } from "node:module";
import { fileURLToPath } from "node:url";

process.env.NODE_COMPILE_CACHE ||= fileURLToPath(new URL("../../.cache/node-compile/", import.meta.url));
enableCompileCache(process.env.NODE_COMPILE_CACHE);
