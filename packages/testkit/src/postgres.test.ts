import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";
import { silentLogger } from "@openchami/core";
import { mapDbError, openDb } from "@openchami/db";
import { postgresBinDir, skipWithoutPostgres, startPostgres } from "./postgres.ts";

const run = promisify(execFile);

async function reachable(url: string): Promise<unknown> {
  const db = await openDb({ url }, { logger: silentLogger() });
  try {
    await db.ping();
    return true;
  } catch (err) {
    return err;
  } finally {
    await db.close();
  }
}

describe("startPostgres", { skip: skipWithoutPostgres }, () => {
  it("finds the newest installed PostgreSQL", () => {
    const bin = postgresBinDir();
    assert.ok(bin && existsSync(join(bin, "initdb")) && existsSync(join(bin, "pg_ctl")));
  });

  it("starts a reachable server, and stop() shuts it down", async (t) => {
    const started = performance.now();
    const server = await startPostgres();
    t.diagnostic(`startPostgres took ${Math.round(performance.now() - started)} ms`);
    try {
      assert.match(server.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/test$/);
      assert.equal(await reachable(server.url), true);
    } finally {
      await server.stop();
      await server.stop();
    }
    assert.equal(mapDbError(await reachable(server.url))?.status, 503);
  });

  it("kills servers left running when the process exits", async () => {
    const script = `
      import { startPostgres } from "@openchami/testkit";
      const server = await startPostgres();
      console.log(server.url);`;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script]);
    const url = stdout.trim();
    assert.match(url, /^postgres:/);
    assert.equal(mapDbError(await reachable(url))?.status, 503);
  });
});
