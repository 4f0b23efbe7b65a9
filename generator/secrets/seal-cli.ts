/** Entry point of `npm run seal -- <env> [options]`; see seal-command.ts. */
import { sealCommand } from "./seal-command.ts";

await sealCommand().parseAsync();
