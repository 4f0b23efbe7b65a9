/**
 * `npm run diff | head`, `npm run release -- … | head -3`: when whoever reads
 * the output goes away, the next write fails with EPIPE, which Node raises as
 * an unhandled 'error' event: a stack trace, and exit 1 after a release had
 * already been committed (exit 1 says "refused, nothing changed"). A command
 * whose reader has gone finishes what it does, writing nothing more, and
 * exits with its own code, as `git log | head` does not kill a commit.
 */
function ignoreClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

/** For the process entry points: stdout and stderr closed by their reader are not an error of the command. */
export function tolerateClosedOutput(): void {
  ignoreClosedPipe(process.stdout);
  ignoreClosedPipe(process.stderr);
}
