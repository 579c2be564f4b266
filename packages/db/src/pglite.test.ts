import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { silentLogger } from "@openchami/core";
import { migratedPglite } from "@openchami/testkit";
import { sql } from "kysely";
import { runDbConformanceSuite } from "./conformance.ts";
import { openDb } from "./open.ts";

// An empty migrated snapshot is a fresh database that loads in ~0.5 s instead of ~3 s.
runDbConformanceSuite("pglite (memory)", () => migratedPglite([]));

describe("pglite", () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "openchami-pglite-test-"));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps a data directory's contents across reopen, and dumps a loadable snapshot", async () => {
    const dataDir = join(dir, "data");
    const first = await openDb({ dataDir }, { logger: silentLogger() });
    assert.equal(first.kind, "pglite");
    await sql`create table kept (id int8 primary key)`.execute(first.kysely);
    await sql`insert into kept values (7)`.execute(first.kysely);
    await first.close();

    const reopened = await openDb({ dataDir }, { logger: silentLogger() });
    const snapshot = await reopened.dumpDataDir!();
    assert.deepEqual((await sql`select id from kept`.execute(reopened.kysely)).rows, [{ id: 7 }]);
    await reopened.close();

    const loaded = await openDb({ memory: true, loadDataDir: snapshot }, { logger: silentLogger() });
    assert.deepEqual((await sql`select id from kept`.execute(loaded.kysely)).rows, [{ id: 7 }]);
    await loaded.close();
  });

  it("fails fast, instead of deadlocking, when db.kysely is used inside a transaction", async () => {
    const db = await migratedPglite([]);
    await assert.rejects(
      db.transaction(() => sql`select 1`.execute(db.kysely)),
      /db\.kysely used inside db\.transaction\(\): use tx\.kysely/,
    );
    await db.ping();
    await db.close();
  });
});
