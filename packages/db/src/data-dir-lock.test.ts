import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { silentLogger } from "@openchami/core";
import { openDb } from "./open.ts";

const dataDir = mkdtempSync(join(tmpdir(), "openchami-lock-"));
after(() => rmSync(dataDir, { recursive: true, force: true }));

test("a PGlite data dir opens in one place at a time, and again after close", async () => {
  const logger = silentLogger();
  const first = await openDb({ dataDir }, { logger });
  await assert.rejects(openDb({ dataDir }, { logger }), /is in use by process \d+/);
  await first.close();
  const second = await openDb({ dataDir }, { logger });
  await second.ping();
  await second.close();
});

test("a lock left by a dead process is taken over", async () => {
  writeFileSync(join(dataDir, "openchami.pid"), "999999999\n");
  const db = await openDb({ dataDir }, { logger: silentLogger() });
  await db.ping();
  await db.close();
});
