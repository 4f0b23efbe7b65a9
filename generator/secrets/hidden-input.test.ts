/**
 * `npm run seal` prompts for values on a terminal: what is typed must not
 * appear on it. A stand-in terminal (a stream with isTTY and setRawMode)
 * records everything the prompt writes.
 */
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { InputAborted } from "./hidden-input.ts";
import { terminalAsk } from "./seal-command.ts";

function terminal() {
  const input = Object.assign(new PassThrough(), {
    isTTY: true,
    rawModes: [] as boolean[],
    setRawMode(mode: boolean) {
      input.rawModes.push(mode);
      return input;
    },
  });
  const output = new PassThrough();
  let shown = "";
  output.on("data", (chunk: Buffer) => (shown += chunk.toString("utf8")));
  return { input, output, shown: () => shown };
}

describe("the seal prompt", () => {
  it("shows the question, never what is typed, and returns it", async () => {
    const term = terminal();
    const ask = terminalAsk(term.input, term.output);
    assert.ok(ask, "a terminal gets a prompt");
    const answer = ask("dev todo-backend-secret.OPENAI_API_KEY (hidden; empty to skip): ");
    term.input.write("sk-live-");
    term.input.write("hunter2\r");
    assert.equal(await answer, "sk-live-hunter2");
    assert.ok(term.shown().includes("dev todo-backend-secret.OPENAI_API_KEY (hidden; empty to skip): "), "the question is shown");
    assert.doesNotMatch(term.shown(), /hunter2|sk-live/, "the value was echoed");
    assert.deepEqual(term.input.rawModes, [true, false], "raw mode (no echo) on while reading, off afterwards");
  });

  it("edits like a line: Backspace, Ctrl-U; arrow keys are dropped; Ctrl-C aborts", async () => {
    const term = terminal();
    const ask = terminalAsk(term.input, term.output)!;
    const first = ask("a: ");
    term.input.write("wrong\u0015rigX\u007fht\u001b[Dvalue\r");
    assert.equal(await first, "rightvalue");
    const second = ask("b: ");
    term.input.write("abc\u0003");
    await assert.rejects(second, InputAborted);
    assert.doesNotMatch(term.shown(), /wrong|right|value|abc/);
  });

  it("is not offered without a terminal (the env file is then required)", () => {
    assert.equal(terminalAsk(Object.assign(new PassThrough(), { isTTY: false }), new PassThrough()), undefined);
  });
});
