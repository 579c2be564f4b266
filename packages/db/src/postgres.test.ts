import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { silentLogger } from "@openchami/core";
import { type PostgresServer, skipWithoutPostgres, startPostgres } from "@openchami/testkit";
import { sql } from "kysely";
import pg from "pg";
import { runDbConformanceSuite } from "./conformance.ts";
import { openDb } from "./open.ts";
import type { Db } from "./types.ts";

/** Polls until `check` passes or the deadline passes (delivery across connections is asynchronous). */
async function eventually(check: () => void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(20);
    }
  }
}

describe("postgres", { skip: skipWithoutPostgres }, () => {
  let server: PostgresServer;
  const open = () => openDb({ url: server.url }, { logger: silentLogger(), poolSize: 5 });

  before(async () => {
    server = await startPostgres();
  });

  after(() => server?.stop());

  runDbConformanceSuite("postgres", open);

  describe("across processes", () => {
    let a: Db;
    let b: Db;

    before(async () => {
      [a, b] = await Promise.all([open(), open()]);
    });

    after(async () => {
      await Promise.all([a?.close(), b?.close()]);
    });

    it("delivers one instance's commit to another's listener, and once to its own", async () => {
      const atA: unknown[] = [];
      const atB: unknown[] = [];
      const unlistenA = await a.listen("cross", (payload) => atA.push(payload));
      const unlistenB = await b.listen("cross", (payload) => atB.push(payload));
      await a.transaction(async (tx) => tx.notify("cross", { from: "a" }));
      assert.deepEqual(atA, [{ from: "a" }]);
      await eventually(() => assert.deepEqual(atB, [{ from: "a" }]));
      await sleep(100);
      assert.deepEqual(atA, [{ from: "a" }]);
      await Promise.all([unlistenA(), unlistenB()]);
    });

    it("applies each migration once when two instances migrate at the same time", async () => {
      const dir = await mkdtemp(join(tmpdir(), "openchami-db-race-"));
      try {
        for (let i = 1; i <= 5; i++) {
          await writeFile(
            join(dir, `000${i}_step.sql`),
            `create table race_${i} (id int); select pg_sleep(0.01);`,
          );
        }
        const set = { name: "race", dir };
        const [fromA, fromB] = await Promise.all([a.migrate([set]), b.migrate([set])]);
        assert.deepEqual(
          [...fromA, ...fromB].sort(),
          [1, 2, 3, 4, 5].map((i) => `race/000${i}_step.sql`),
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("leaves int8 parsing of other pg clients in the process alone", async () => {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query("select count(*) as n from pg_class where false");
      await client.end();
      assert.deepEqual(rows, [{ n: "0" }]);
    });

    it("reconnects its LISTEN connection after the server drops it, and asks for a resync", async () => {
      const received: unknown[] = [];
      let resyncs = 0;
      const stopResync = b.onResync(() => resyncs++);
      const unlisten = await b.listen("resilient", (payload) => received.push(payload));
      const terminated = await sql`select pg_terminate_backend(pid) from pg_stat_activity
        where application_name = 'openchami-listener'`.execute(a.kysely);
      assert.ok(terminated.rows.length > 0, "a LISTEN connection was terminated");
      // Keep sending until one gets through: those sent before the reconnect are lost.
      const deadline = Date.now() + 10_000;
      for (let attempt = 1; received.length === 0; attempt++) {
        assert.ok(Date.now() < deadline, "nothing received after the LISTEN connection was dropped");
        await a.notify("resilient", { attempt });
        await sleep(50);
      }
      assert.ok(resyncs >= 1, "resync handlers ran after the reconnect");
      stopResync();
      await unlisten();
    });
  });
});
