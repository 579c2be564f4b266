import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Db } from "@openchami/db";
import { createMetrics } from "@openchami/http";
import { DHCP_PAGE_ROWS, smdMigrations } from "@openchami/smd";
import { eventually, type ReplicaPair, replicaPair, skipWithoutPostgres } from "@openchami/testkit";
import { sql } from "kysely";
import { parseIpv4 } from "../ip.ts";
import { LocalHostSource } from "./local.ts";
import { addNode, startTestSmd, type TestSmd, viewWhere } from "./test-smd.ts";

const HOUR = 3_600_000;

/** Makes SMD's reads fail (and work again) without touching its code. */
function renameTable(db: Db, from: string, to: string): Promise<void> {
  return db.kysely.schema.alterTable(from).renameTo(to).execute();
}

async function withSource(
  options: { db?: (smd: TestSmd) => Db; resyncMs?: number },
  body: (smd: TestSmd, source: LocalHostSource) => Promise<void>,
): Promise<void> {
  const smd = await startTestSmd();
  const source = new LocalHostSource({
    db: options.db?.(smd) ?? smd.db,
    resyncMs: options.resyncMs ?? HOUR,
    retryMs: 20,
  });
  try {
    await body(smd, source);
  } finally {
    await source.close();
    await smd.close();
  }
}

describe("LocalHostSource", () => {
  it("loads SMD's components and interfaces of every type, then follows its writes", async () => {
    await withSource({}, async (smd, source) => {
      await addNode(smd, { ID: "x1c0s0b0n0", NID: 1 }, "52:54:00:00:00:01", "10.0.0.1");
      await source.start();
      assert.equal(source.loaded, true);
      assert.equal(source.current().byMac("52:54:00:00:00:01")?.component.nid, 1);

      await addNode(smd, { ID: "x1c0s0b0" }, "52-54-00-00-00-0B", "10.0.0.11");
      await source.settled();
      const bmc = source.current().byMac("52:54:00:00:00:0b");
      assert.equal(bmc?.component.type, "NodeBMC");
      assert.equal(source.current().nameNid(bmc!.component), 1);
      assert.deepEqual(bmc?.ipv4, [parseIpv4("10.0.0.11")]);
    });
  });

  it("applies Enabled changes and interface deletions from the change feed", async () => {
    await withSource({}, async (smd, source) => {
      await addNode(smd, { ID: "x1c0s0b0n0", NID: 1 }, "52:54:00:00:00:01", "10.0.0.1");
      await source.start();
      const before = source.current();
      assert.equal(before.byMac("52:54:00:00:00:01")?.component.enabled, true);

      await smd.write("PATCH", "/State/Components/x1c0s0b0n0/Enabled", { Enabled: false });
      await source.settled();
      assert.equal(source.current().byMac("52:54:00:00:00:01")?.component.enabled, false);
      assert.ok(source.current().version > before.version);

      await smd.write("DELETE", "/Inventory/EthernetInterfaces/525400000001");
      await source.settled();
      assert.equal(source.current().byMac("52:54:00:00:00:01"), undefined);
    });
  });

  it("reloads when the database reports that notifications may have been lost", async () => {
    let resync = () => {};
    const withoutFeed = (smd: TestSmd): Db => ({
      ...smd.db,
      onResync(handler) {
        resync = handler;
        return () => {};
      },
    });
    await withSource({ db: withoutFeed }, async (smd, source) => {
      await source.start();
      // A write whose notification never arrived.
      await smd.db.kysely
        .insertInto("components")
        .values({ id: "x1c0s0b0n0", type: "Node", nid: 4 })
        .execute();
      assert.equal(source.current().byXname("x1c0s0b0n0"), undefined);
      resync();
      await source.settled();
      assert.equal(source.current().byXname("x1c0s0b0n0")?.nid, 4);
    });
  });

  it("resyncs in full every resyncMs even when no change event comes", async () => {
    const deaf = (smd: TestSmd): Db => ({ ...smd.db, listen: async () => async () => {} });
    await withSource({ db: deaf, resyncMs: 30 }, async (smd, source) => {
      await source.start();
      const seen = viewWhere(source, (view) => view.byXname("x1c0s0b0n0") !== undefined);
      await smd.db.kysely.insertInto("components").values({ id: "x1c0s0b0n0", type: "Node" }).execute();
      assert.equal((await seen).byXname("x1c0s0b0n0")?.type, "Node");
    });
  });

  it("an idle resync keeps the view and its indexes, only renewing its age", async () => {
    await withSource({ resyncMs: 30 }, async (smd, source) => {
      await addNode(smd, { ID: "x1c0s0b0n0", NID: 1 }, "52:54:00:00:00:01", "10.0.0.1");
      await source.start();
      const first = source.current();
      let rebuilt = false;
      source.onChange(() => {
        rebuilt = true;
      });
      await eventually(async () => source.current().loadedAt > first.loadedAt);
      const later = source.current();
      assert.equal(later.version, first.version);
      assert.equal(later.hosts(), first.hosts(), "same indexes");
      assert.equal(rebuilt, false, "listeners not told");
    });
  });

  it("reads more rows than one page holds, in pages, and keeps every one", async () => {
    await withSource({}, async (smd, source) => {
      const count = DHCP_PAGE_ROWS * 2 + 345;
      await sql`INSERT INTO components (id, type, nid)
        SELECT 'x1c0s' || g || 'b0n0', 'Node', g FROM generate_series(1, ${count}::int) g`.execute(
        smd.db.kysely,
      );
      await sql`INSERT INTO ethernet_interfaces (id, mac_address, component_id, ip_addresses)
        SELECT lpad(to_hex(g), 12, '0'), lpad(to_hex(g), 12, '0'), 'x1c0s' || g || 'b0n0',
          jsonb_build_array(jsonb_build_object('IPAddress', '10.1.' || (g / 256) || '.' || (g % 256)))
        FROM generate_series(1, ${count}::int) g`.execute(smd.db.kysely);
      await source.start();
      const view = source.current();
      assert.equal(view.hosts().length, count);
      assert.equal(view.byMac("00:00:00:00:00:01")?.component.nid, 1);
      assert.equal(
        view.byMac(
          `00:00:00:00:${((count >> 8) & 255).toString(16).padStart(2, "0")}:${(count & 255).toString(16).padStart(2, "0")}`,
        )?.component.nid,
        count,
      );
    });
  });

  it("keeps the last view while reloads fail, counts the failures, and recovers on its own", async () => {
    const smd = await startTestSmd();
    const metrics = createMetrics();
    // The periodic full resync is what fails here (a change event re-reads only its rows).
    const source = new LocalHostSource({ db: smd.db, resyncMs: 50, retryMs: 20, metrics });
    try {
      await addNode(smd, { ID: "x1c0s0b0n0", NID: 1 }, "52:54:00:00:00:01", "10.0.0.1");
      await source.start();
      const loaded = source.current();
      await renameTable(smd.db, "ethernet_interfaces", "ethernet_interfaces_away");
      await eventually(async () => /^dhcp_inventory_refresh_failures_total [1-9]/m.test(metrics.render()));
      await smd.write("POST", "/State/Components", { Components: [{ ID: "x1c0s1b0n0", State: "Ready" }] });
      await source.settled();
      assert.equal(source.current(), loaded, "the failed reload left the view alone");
      assert.equal(source.loaded, true);

      const recovered = viewWhere(source, (view) => view.byXname("x1c0s1b0n0") !== undefined);
      await renameTable(smd.db, "ethernet_interfaces_away", "ethernet_interfaces");
      assert.equal((await recovered).byMac("52:54:00:00:00:01")?.component.xname, "x1c0s0b0n0");
    } finally {
      await source.close();
      await smd.close();
    }
  });

  it("is not loaded until a first load succeeds", async () => {
    await withSource({}, async (smd, source) => {
      await renameTable(smd.db, "components", "components_away");
      await source.start();
      assert.equal(source.loaded, false);
      assert.equal(source.current().loadedAt, 0);
      const first = viewWhere(source, () => true);
      await renameTable(smd.db, "components_away", "components");
      assert.ok((await first).loadedAt > 0);
      assert.equal(source.loaded, true);
    });
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
      const source = new LocalHostSource({ db: reader, resyncMs: HOUR });
      try {
        await source.start();
        const seen = viewWhere(source, (view) => view.byMac("52:54:00:00:00:07") !== undefined);
        await addNode(smd, { ID: "x2c0s0b0n0", NID: 12 }, "52:54:00:00:00:07", "10.0.0.7");
        assert.equal((await seen).byMac("52:54:00:00:00:07")?.component.nid, 12);
      } finally {
        await source.close();
        await smd.close();
      }
    });
  });
});
