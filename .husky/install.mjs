// `npm ci` / `npm install` run this (package.json "prepare"): husky points Git at .husky/ for
// this clone's hooks (git config core.hooksPath .husky/_). Outside a Git checkout husky says so
// and changes nothing; with dev dependencies omitted (npm ci --omit=dev) husky is not installed
// and there is nothing to install. Neither fails the install.
let husky;
try {
  husky = (await import("husky")).default;
} catch {
  console.log("husky is not installed (dev dependencies omitted): no Git hooks");
  process.exit(0);
}
const message = husky();
if (message) console.log(`husky: ${message}`);
