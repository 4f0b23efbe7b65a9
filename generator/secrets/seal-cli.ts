/** Entry point of `node generator/secrets/seal-cli.ts <env> [options]`, the seal command from the sources (`npm run seal` runs it from the bundle); see seal-command.ts. */
import { run } from "./seal-command.ts";
import { tolerateClosedOutput } from "../commands/closed-output.ts";

tolerateClosedOutput();
process.exitCode = await run({ argv: ["seal", ...process.argv.slice(2)] });
