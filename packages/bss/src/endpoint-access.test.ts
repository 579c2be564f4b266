import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "@openchami/core";
import type { Db } from "@openchami/db";
import { StaticInventory } from "@openchami/inventory";
import { migratedPglite } from "@openchami/testkit";
import { EndpointAccessLog } from "./endpoint-access.ts";
import { bssMigrations } from "./migrations.ts";
import { EndpointAccessStore } from "./store/endpoint-access.ts";
import { call, smdNode, startBss } from "./test-support.ts";

describe("endpoint access (§4.5)", () => {
  let db: Db;
  before(async () => {
    db = await migratedPglite([bssMigrations]);
  });
  after(() => db.close());

  const rows = (table: "bss_endpoint_access" | "bss_endpoint_access_history") =>
    db.kysely.selectFrom(table).selectAll().orderBy("name").execute();

  test("one batched upsert keeps the newest epoch; the history keeps the newest N per pair", async () => {
    const store = new EndpointAccessStore(db);
    const log = new EndpointAccessLog(store, 3, silentLogger());
    for (const epoch of [100, 105, 101, 107, 108]) log.record("x1c0s0b0n0", "bootscript", epoch);
    log.record("x1c0s1b0n0", "bootscript", 50);
    assert.deepEqual(log.pending({ name: "x1c0s1b0n0" }), [
      { name: "x1c0s1b0n0", endpoint: "bootscript", epoch: 50 },
    ]);
    await log.flush();
    assert.deepEqual(log.pending({}), []);
    log.record("x1c0s0b0n0", "bootscript", 90); // late and older: the stored newest stays
    await log.close();
    assert.deepEqual(
      (await rows("bss_endpoint_access")).map((r) => [r.name, Number(r.last_epoch)]),
      [
        ["x1c0s0b0n0", 108],
        ["x1c0s1b0n0", 50],
      ],
    );
    const history = (await rows("bss_endpoint_access_history")).filter((r) => r.name === "x1c0s0b0n0");
    assert.deepEqual(
      history.map((r) => Number(r.epoch)).sort((a, b) => a - b),
      [101, 107, 108],
      "the newest three by epoch",
    );
    assert.deepEqual(await store.list({ name: "x1c0s1b0n0", endpoint: "bootscript" }), [
      { name: "x1c0s1b0n0", endpoint: "bootscript", epoch: 50 },
    ]);
  });

  test("a plugin closing writes what it recorded", async () => {
    const bssDb = await migratedPglite([bssMigrations]);
    const inventory = new StaticInventory(smdNode("x1c0s0b0n0", { nid: 1 }));
    const bss = await startBss({ db: bssDb, inventory });
    await call(bss, "PUT", "/boot/v1/bootparameters", { hosts: ["Default"], kernel: "http://k" });
    await call(bss, "GET", "/boot/v1/bootscript?nid=1");
    assert.equal((await bssDb.kysely.selectFrom("bss_endpoint_access").selectAll().execute()).length, 0);
    await bss.close();
    assert.deepEqual(
      await bssDb.kysely.selectFrom("bss_endpoint_access").select(["name", "endpoint"]).execute(),
      [{ name: "x1c0s0b0n0", endpoint: "bootscript" }],
    );
    await bssDb.close();
  });
});
