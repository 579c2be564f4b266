import assert from "node:assert/strict";
import { test } from "node:test";
import { createLogger } from "./logger.ts";

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
  return { logger, text: () => lines.join("") };
}

test("secrets are redacted: passwords, tokens, authorization headers", () => {
  const { logger, text } = capture();
  logger.info({
    body: { Password: "hunter2" },
    token: "eyJ.secret",
    req: { headers: { authorization: "Bearer eyJ.x" } },
  });
  assert.doesNotMatch(text(), /hunter2|eyJ/);
  assert.match(text(), /\[redacted\]/);
});

test("an error keeps its message and stack but not the database's bound parameters", () => {
  const { logger, text } = capture();
  const error = Object.assign(new Error("duplicate key"), {
    code: "23505",
    params: ["x1c0", "s3cret"],
    parameters: ["s3cret"],
  });
  logger.error({ err: error }, "failed");
  const line = JSON.parse(text());
  assert.equal(line.err.message, "duplicate key");
  assert.equal(line.err.code, "23505");
  assert.ok(line.err.stack);
  assert.doesNotMatch(text(), /s3cret/);
});
