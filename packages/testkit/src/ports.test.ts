import assert from "node:assert/strict";
import { createServer } from "node:net";
import { it } from "node:test";
import { freePort } from "./ports.ts";

it("freePort returns a port that can be bound on 127.0.0.1", async () => {
  const port = await freePort();
  assert.ok(port > 0 && port < 65536);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  await new Promise((resolve) => server.close(resolve));
});
