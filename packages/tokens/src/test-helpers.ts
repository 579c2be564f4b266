import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { after } from "node:test";
import { createLogger, type Logger } from "@openchami/core";

/** A fresh directory, removed when the test file ends. */
export async function tempDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "openchami-tokens-"));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A logger at trace level whose output the test can read back. */
export function capturingLogger(): { logger: Logger; output: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return { logger: createLogger({ level: "trace", destination }), output: () => chunks.join("") };
}

/** A clock the test moves by hand, in milliseconds. */
export function fakeClock(start = Date.now()): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}
