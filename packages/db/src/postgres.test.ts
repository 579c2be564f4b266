import assert from "node:assert/strict";
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

    it("leaves int8 parsing of other pg clients in the process alone", async () => {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query("select count(*) as n from pg_class where false");
      await client.end();
      assert.deepEqual(rows, [{ n: "0" }]);
    });

    it("reconnects its LISTEN connection after the server drops it", async () => {
      const received: unknown[] = [];
      const unlisten = await b.listen("resilient", (payload) => received.push(payload));
      const terminated = await sql`select pg_terminate_backend(pid) from pg_stat_activity
        where application_name = 'openchami-listener'`.execute(a.kysely);
      assert.ok(terminated.rows.length > 0, "a LISTEN connection was terminated");
      let sent = 0;
      await eventually(() => {
        void a.notify("resilient", { attempt: ++sent });
        assert.ok(received.length > 0, "nothing received yet");
      }, 10_000);
      await unlisten();
    });
  });
});
