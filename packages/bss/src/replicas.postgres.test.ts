import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "@openchami/core";
import { type Db, openDb } from "@openchami/db";
import { StaticInventory } from "@openchami/inventory";
import { type PostgresServer, skipWithoutPostgres, startPostgres } from "@openchami/testkit";
import { sql } from "kysely";
import { bssMigrations } from "./migrations.ts";
import { call, smdNode, startBss, type TestBss } from "./test-support.ts";

const BP = "/boot/v1/bootparameters";
const XNAME = "x1000c0s0b0n0";

/** Polls until `check` passes (another replica learns of a write through NOTIFY, asynchronously). */
async function eventually(check: () => Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** Two BSS replicas, each with its own connection pool, on one PostgreSQL. */
describe("BSS replicas on PostgreSQL", { skip: skipWithoutPostgres }, () => {
  let pg: PostgresServer;
  let dbs: Db[];
  let a: TestBss;
  let b: TestBss;
  before(async () => {
    pg = await startPostgres();
    dbs = [
      await openDb({ url: pg.url }, { logger: silentLogger() }),
      await openDb({ url: pg.url }, { logger: silentLogger() }),
    ];
    await dbs[0]!.migrate([bssMigrations]);
    const inventory = () => new StaticInventory(smdNode(XNAME, { nid: 1, macs: ["52:54:00:be:ef:01"] }));
    a = await startBss({ db: dbs[0]!, inventory: inventory() });
    b = await startBss({ db: dbs[1]!, inventory: inventory() });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    for (const db of dbs ?? []) await db.close();
    await pg?.stop();
  });

  const script = async (bss: TestBss) => (await call(bss, "GET", `/boot/v1/bootscript?name=${XNAME}`)).text;

  test("a write on one replica reaches the other's index through bss_changed", async () => {
    await call(a, "POST", BP, { hosts: [XNAME], kernel: "http://k/a", params: "one" });
    assert.match(await script(a), /http:\/\/k\/a one /, "the writer sees it at once");
    await eventually(async () => assert.match(await script(b), /http:\/\/k\/a one /));
    await call(b, "PATCH", BP, { hosts: [XNAME], params: "two" });
    await eventually(async () => assert.match(await script(a), /http:\/\/k\/a two /));
    await call(a, "POST", BP, { kernel: "http://k/a", params: "image" });
    await eventually(async () => assert.match(await script(b), /http:\/\/k\/a two image /));
    await call(a, "DELETE", BP, { hosts: [XNAME] });
    await eventually(async () => assert.match(await script(b), /^#!ipxe\nsleep 10\n/));
  });

  test("a change too large to list in a NOTIFY reloads everything", async () => {
    const macs = Array.from(
      { length: 600 },
      (_, i) =>
        `02:00:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${(i & 255).toString(16).padStart(2, "0")}`,
    );
    await call(a, "PUT", BP, { macs, hosts: ["Default"], kernel: "http://k/bulk" });
    await eventually(async () => assert.match(await script(b), /http:\/\/k\/bulk xname=/));
    await eventually(async () => assert.equal((await call(b, "GET", BP)).json()[0].macs.length, 600));
  });

  test("after the LISTEN connection drops, notifications sent meanwhile are recovered by a full reload", async () => {
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'openchami-listener'`.execute(
      dbs[0]!.kysely,
    );
    await call(a, "PUT", BP, { hosts: ["Default"], kernel: "http://k/after-drop" });
    await eventually(async () => assert.match(await script(b), /http:\/\/k\/after-drop /), 15_000);
  });

  test("racing POSTs of one key across replicas: exactly one 201, the rest 400 Already exists", async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(i % 2 ? a : b, "POST", BP, { nids: [42], kernel: `http://k/${i}` }),
      ),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [201, ...Array(9).fill(400)]);
    for (const result of results.filter((r) => r.status === 400)) {
      assert.equal(result.json().detail, "Bad Request: Already exists: 42");
    }
  });
});
