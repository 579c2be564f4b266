import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Db } from "@openchami/db";
import { smdMigrations } from "@openchami/smd";
import { type ReplicaPair, replicaPair, skipWithoutPostgres } from "@openchami/testkit";
import { runInventoryConformance } from "./conformance.ts";
import { LocalInventory } from "./local.ts";
import { startTestSmd, type TestSmd } from "./test-smd.ts";
import type { InventoryIndex } from "./types.ts";

runInventoryConformance("LocalInventory (PGlite, in-process change feed)", async () => {
  const smd = await startTestSmd();
  return {
    smdUrl: smd.url,
    db: smd.db,
    source: new LocalInventory({ db: smd.db }),
    close: () => smd.close(),
  };
});

async function post(smd: TestSmd, component: object): Promise<void> {
  const response = await fetch(`${smd.url}/State/Components`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ Components: [component] }),
  });
  assert.equal(response.status, 204);
}

/** Makes SMD's reads fail (and work again) without touching its code. */
function renameTable(db: Db, from: string, to: string): Promise<void> {
  return db.kysely.schema.alterTable(from).renameTo(to).execute();
}

describe("LocalInventory", () => {
  it("applies a local write before the writer's response is used: settled() right after sees it", async () => {
    const smd = await startTestSmd();
    const inventory = new LocalInventory({ db: smd.db });
    try {
      await inventory.start();
      assert.equal(inventory.loaded, true);
      assert.equal(inventory.current().size, 0);
      await post(smd, { ID: "x1c0s0b0n0", State: "Ready", NID: 5 });
      await inventory.settled();
      assert.equal(inventory.current().byNid(5)?.xname, "x1c0s0b0n0");
    } finally {
      await inventory.close();
      await smd.close();
    }
  });

  it("keeps the last index while reloads fail, and recovers on its own", async () => {
    const smd = await startTestSmd();
    const inventory = new LocalInventory({ db: smd.db, retryMs: 20 });
    try {
      await post(smd, { ID: "x1c0s0b0n0", State: "Ready", NID: 5 });
      await inventory.start();
      const loaded = inventory.current();
      await renameTable(smd.db, "ethernet_interfaces", "ethernet_interfaces_away");
      await post(smd, { ID: "x1c0s1b0n0", State: "Ready", NID: 6 });
      await inventory.settled();
      assert.equal(inventory.current(), loaded, "the failed reload left the index alone");
      const recovered = new Promise<InventoryIndex>((resolve) => inventory.onChange(resolve));
      await renameTable(smd.db, "ethernet_interfaces_away", "ethernet_interfaces");
      assert.equal((await recovered).byNid(6)?.xname, "x1c0s1b0n0");
    } finally {
      await inventory.close();
      await smd.close();
    }
  });

  it("reloads when the database reports that notifications may have been lost", async () => {
    const smd = await startTestSmd();
    let resync = () => {};
    const db: Db = {
      ...smd.db,
      onResync(handler) {
        resync = handler;
        return () => {};
      },
    };
    const inventory = new LocalInventory({ db });
    try {
      await inventory.start();
      // A write whose notification never arrived.
      await smd.db.kysely.insertInto("components").values({ id: "x1c0s0b0n0", type: "Node" }).execute();
      assert.equal(inventory.current().size, 0);
      resync();
      await inventory.settled();
      assert.equal(inventory.current().byXname("x1c0s0b0n0")?.type, "Node");
    } finally {
      await inventory.close();
      await smd.close();
    }
  });

  describe("on PostgreSQL", { skip: skipWithoutPostgres }, () => {
    let replicas: ReplicaPair;
    let reader: Db;
    let writer: Db;

    before(async () => {
      replicas = await replicaPair([smdMigrations]);
      ({ reader, writer } = replicas);
    });

    after(() => replicas?.close());

    it("sees a write made through another Db (another replica) via NOTIFY", async () => {
      const smd = await startTestSmd({ db: writer });
      const inventory = new LocalInventory({ db: reader });
      try {
        await inventory.start();
        const changed = new Promise<InventoryIndex>((resolve) => {
          inventory.onChange((index) => {
            if (index.byXname("x2c0s0b0n0")) resolve(index);
          });
        });
        await post(smd, { ID: "x2c0s0b0n0", State: "Ready", NID: 12 });
        const index = await changed;
        assert.equal(index.byNid(12)?.xname, "x2c0s0b0n0");
      } finally {
        await inventory.close();
        await smd.close();
      }
    });
  });
});
