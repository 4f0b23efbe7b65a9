/**
 * Reads one line from a terminal without showing it: the terminal is put in
 * raw mode, so nothing typed is echoed (not even a `*` per character, which
 * would show the value's length), and the line is assembled here: Enter
 * ends it, Backspace deletes, Ctrl-U clears, Ctrl-C aborts, pasted text and
 * escape sequences (arrow keys) are taken as the terminal sends them, the
 * escapes dropped.
 */
import type { Readable } from "node:stream";
import type { Output } from "../commands/cli-program.ts";

/** A terminal's input: a readable stream that can be put in raw mode (process.stdin when it is a TTY). */
export interface TerminalInput extends Readable {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export class InputAborted extends Error {
  constructor() {
    super("aborted (Ctrl-C)");
    this.name = "InputAborted";
  }
}

export function askHidden(input: TerminalInput, output: Output, question: string): Promise<string> {
  if (!input.isTTY || typeof input.setRawMode !== "function") {
    return Promise.reject(new Error("hidden input needs a terminal"));
  }
  const setRawMode = input.setRawMode.bind(input);
  output.write(question);
  return new Promise((resolve, reject) => {
    let line = "";
    const finish = (error?: Error) => {
      input.off("data", onData);
      input.off("end", onEnd);
      setRawMode(false);
      input.pause();
      // The Enter the terminal did not echo.
      output.write("\n");
      if (error) reject(error);
      else resolve(line);
    };
    const onEnd = () => finish();
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === "string" ? chunk : chunk.toString("utf8");
      for (let i = 0; i < text.length; i++) {
        const c = text[i]!;
        if (c === "\r" || c === "\n") return finish();
        if (c === "\u0003") return finish(new InputAborted());
        if (c === "\u0004") {
          if (line === "") return finish();
          continue;
        }
        if (c === "\u007f" || c === "\b") {
          line = [...line].slice(0, -1).join("");
          continue;
        }
        if (c === "\u0015") {
          line = "";
          continue;
        }
        if (c === "\u001b") {
          // An escape sequence (arrow keys, bracketed paste markers): skip to its final byte.
          if (text[i + 1] === "[") {
            i += 2;
            while (i < text.length && !/[@-~]/.test(text[i]!)) i++;
          } else i++;
          continue;
        }
        if (c < " ") continue;
        line += c;
      }
    };
    setRawMode(true);
    input.on("data", onData);
    input.on("end", onEnd);
    input.resume();
  });
}
