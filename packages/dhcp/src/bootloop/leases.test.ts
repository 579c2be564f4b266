import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLogger, silentLogger } from "@openchami/core";
import { type Db, openDb } from "@openchami/db";
import { freshPostgresDatabase, migratedPglite, skipWithoutPostgres } from "@openchami/testkit";
import fc from "fast-check";
import { BootloopLeases, type BootloopLeases as Leases } from "./leases.ts";
import { dhcpMigrations } from "./migrations.ts";
import { ip, noSmd, pool } from "./test-pools.ts";

const POOL = pool("10.0.0.0/24", "10.0.0.10", "10.0.0.13");
const LEASE_S = 300;
const T0 = Date.parse("2030-01-01T00:00:00Z");
const MAC1 = "52:54:00:00:00:01";
const MAC2 = "52:54:00:00:00:02";
const MAC3 = "52:54:00:00:00:03";

/** Makes the leases table unwritable (and writable again) without touching the code. */
function renameTable(db: Db, from: string, to: string): Promise<void> {
  return db.kysely.schema.alterTable(from).renameTo(to).execute();
}

async function rows(db: Db): Promise<{ leases: number; quarantine: number }> {
  const count = async (table: string) =>
    Number(
      (
        await db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    leases: await count("dhcp_bootloop_leases4"),
    quarantine: await count("dhcp_bootloop_quarantine"),
  };
}

const BACKENDS: { name: string; skip: string | false; open(): Promise<Db> }[] = [
  { name: "PGlite", skip: false, open: () => migratedPglite([dhcpMigrations]) },
  {
    name: "PostgreSQL",
    skip: skipWithoutPostgres,
    async open() {
      const db = await openDb(
        { url: await freshPostgresDatabase() },
        { logger: silentLogger(), poolSize: 2 },
      );
      await db.migrate([dhcpMigrations]);
      return db;
    },
  },
];

for (const backend of BACKENDS) {
  describe(`BootloopLeases on ${backend.name}`, { skip: backend.skip }, () => {
    /** A store on a fresh database and a clock the test moves; both closed afterwards. */
    async function withStore(
      body: (ctx: {
        db: Db;
        store: Leases;
        clock: { now: number };
        reopen(): Promise<Leases>;
      }) => Promise<void>,
    ): Promise<void> {
      const db = await backend.open();
      const clock = { now: T0 };
      const stores: Leases[] = [];
      const open = async () => {
        const store = await BootloopLeases.open(db, silentLogger(), () => clock.now);
        stores.push(store);
        return store;
      };
      try {
        const store = await open();
        await body({
          db,
          store,
          clock,
          async reopen() {
            for (const s of stores) await s.close();
            return open();
          },
        });
      } finally {
        for (const s of stores) await s.close();
        await db.close();
      }
    }

    it("offers the lowest free address, the same one again to the same MAC, skipping SMD's", async () => {
      await withStore(async ({ store }) => {
        const smd = (a: number) => a === ip("10.0.0.10");
        const first = store.offer(MAC1, POOL, LEASE_S, smd);
        assert.deepEqual(first, {
          mac: MAC1,
          ip: ip("10.0.0.11"),
          state: "offered",
          expiresAt: T0 + LEASE_S * 1000,
          hostname: undefined,
        });
        assert.equal(store.offer(MAC2, POOL, LEASE_S, smd)?.ip, ip("10.0.0.12"));
        assert.equal(store.offer(MAC1, POOL, LEASE_S, smd)?.ip, ip("10.0.0.11"));
        assert.deepEqual(store.lease(MAC1), first);
      });
    });

    it("binds durably: the lease is stored before bind resolves and survives a restart", async () => {
      await withStore(async ({ store, clock, reopen }) => {
        const offer = store.offer(MAC1, POOL, LEASE_S, noSmd)!;
        clock.now += 1000;
        const bound = await store.bind(MAC1, offer.ip, LEASE_S, "client-1");
        assert.deepEqual(bound, {
          mac: MAC1,
          ip: offer.ip,
          state: "bound",
          expiresAt: clock.now + LEASE_S * 1000,
          hostname: "client-1",
        });
        const reopened = await reopen();
        assert.deepEqual(reopened.lease(MAC1), bound);
        assert.equal(
          reopened.offer(MAC2, POOL, LEASE_S, noSmd)?.ip,
          ip("10.0.0.11"),
          "its address stays taken",
        );
      });
    });

    it("renews: a later bind extends the expiry and keeps the hostname", async () => {
      await withStore(async ({ store, clock, reopen }) => {
        const offer = store.offer(MAC1, POOL, LEASE_S, noSmd)!;
        await store.bind(MAC1, offer.ip, LEASE_S, "client-1");
        clock.now += 200_000;
        const renewed = await store.bind(MAC1, offer.ip, LEASE_S);
        assert.equal(renewed.expiresAt, clock.now + LEASE_S * 1000);
        assert.equal(renewed.hostname, "client-1");
        assert.deepEqual((await reopen()).lease(MAC1), renewed);
      });
    });

    it("refuses to bind an address another client holds", async () => {
      await withStore(async ({ store }) => {
        const offer = store.offer(MAC1, POOL, LEASE_S, noSmd)!;
        await assert.rejects(store.bind(MAC2, offer.ip, LEASE_S), /held by another client/);
        assert.equal(store.lease(MAC2), undefined);
      });
    });

    it("releases: the lease goes, in memory and in the database, and the address is free again", async () => {
      await withStore(async ({ db, store, reopen }) => {
        const offer = store.offer(MAC1, POOL, LEASE_S, noSmd)!;
        await store.bind(MAC1, offer.ip, LEASE_S);
        await store.release(MAC1);
        assert.equal(store.lease(MAC1), undefined);
        assert.deepEqual(await rows(db), { leases: 0, quarantine: 0 });
        await store.release(MAC1);
        const reopened = await reopen();
        assert.equal(reopened.offer(MAC2, POOL, LEASE_S, noSmd)?.ip, offer.ip);
      });
    });

    it("declines: the lease goes and the address is quarantined, durably, until its time is up", async () => {
      await withStore(async ({ db, store, clock, reopen }) => {
        const offer = store.offer(MAC1, POOL, LEASE_S, noSmd)!;
        await store.bind(MAC1, offer.ip, LEASE_S);
        await store.decline(MAC1, offer.ip, 60);
        assert.equal(store.lease(MAC1), undefined);
        assert.deepEqual(await rows(db), { leases: 0, quarantine: 1 });
        const reopened = await reopen();
        assert.equal(reopened.offer(MAC1, POOL, LEASE_S, noSmd)?.ip, ip("10.0.0.11"));

        await reopened.decline(MAC1, ip("10.0.0.13"), 60);
        assert.equal(reopened.lease(MAC1), undefined);
        assert.deepEqual(
          await rows(db),
          { leases: 0, quarantine: 1 },
          "an address it did not hold stays free",
        );

        clock.now += 60_000;
        assert.equal(
          reopened.offer(MAC2, POOL, LEASE_S, noSmd)?.ip,
          ip("10.0.0.11"),
          "unrecorded addresses first",
        );
        await reopened.sweep();
        assert.equal(reopened.offer(MAC3, POOL, LEASE_S, noSmd)?.ip, ip("10.0.0.10"), "then the swept one");
      });
    });

    it("runs dry: no offer once every address is taken, until a lease expires", async () => {
      await withStore(async ({ store, clock }) => {
        const macs = ["01", "02", "03", "04"].map((n) => `52:54:00:00:01:${n}`);
        for (const mac of macs) assert.ok(store.offer(mac, POOL, LEASE_S, noSmd));
        await store.bind(macs[1]!, ip("10.0.0.11"), 2 * LEASE_S);
        assert.equal(store.offer(MAC1, POOL, LEASE_S, noSmd), undefined);
        clock.now += LEASE_S * 1000;
        assert.equal(store.lease(macs[0]!), undefined, "expired");
        assert.equal(store.lease(macs[1]!)?.state, "bound");
        assert.equal(store.offer(MAC1, POOL, LEASE_S, noSmd)?.ip, ip("10.0.0.10"), "the lowest expired one");
        // The expired lease's row gives way in the database too.
        assert.equal((await store.bind(MAC1, ip("10.0.0.10"), LEASE_S)).state, "bound");
      });
    });

    it("loads only unexpired leases and quarantines, and sweeps expired rows from the database", async () => {
      await withStore(async ({ db, store, clock, reopen }) => {
        const short = store.offer(MAC1, POOL, 10, noSmd)!;
        const long = store.offer(MAC2, POOL, LEASE_S, noSmd)!;
        const declined = store.offer(MAC3, POOL, LEASE_S, noSmd)!;
        await store.decline(MAC3, declined.ip, 10);
        clock.now += 10_000;
        const reopened = await reopen();
        assert.equal(reopened.lease(MAC1), undefined);
        assert.deepEqual(reopened.lease(MAC2), long);
        // The expired row still holds its address in the database: the new lease's write replaces it.
        assert.equal(
          reopened.offer(MAC3, POOL, LEASE_S, noSmd)?.ip,
          short.ip,
          "the expired lease's address is free",
        );
        const next = reopened.offer(MAC1, POOL, LEASE_S, noSmd);
        assert.equal(next?.ip, declined.ip, "the expired quarantine was not loaded");
        await reopened.bind(MAC3, short.ip, LEASE_S);
        clock.now += 2 * LEASE_S * 1000;
        await reopened.sweep();
        assert.deepEqual(await rows(db), { leases: 0, quarantine: 0 });
      });
    });

    it("keeps serving when offer writes fail, fails bind, and catches up once the database works", async () => {
      await withStore(async ({ db, store, reopen }) => {
        const lines: { msg: string }[] = [];
        const logger = createLogger({
          level: "error",
          destination: { write: (l: string) => lines.push(JSON.parse(l)) },
        });
        await store.close();
        const failing = await BootloopLeases.open(db, logger, () => T0);
        await renameTable(db, "dhcp_bootloop_leases4", "leases_away");
        const offer = failing.offer(MAC1, POOL, LEASE_S, noSmd);
        assert.equal(offer?.ip, ip("10.0.0.10"), "the OFFER does not wait for the database");
        await assert.rejects(failing.bind(MAC1, offer!.ip, LEASE_S));
        await failing.release(MAC2);
        assert.ok(lines.some((l) => l.msg.includes("writing bootloop leases failed")));

        await renameTable(db, "leases_away", "dhcp_bootloop_leases4");
        await failing.sweep();
        await failing.close();
        assert.equal((await reopen()).lease(MAC1)?.state, "bound", "the failed write was retried");
      });
    });

    it("keeps memory and database in step through any sequence of operations", async () => {
      const macs = [MAC1, MAC2, MAC3, "52:54:00:00:00:04", "52:54:00:00:00:05", "52:54:00:00:00:06"];
      // Mostly client traffic, so the small pool runs dry and expired addresses change hands.
      const op = fc.oneof(
        {
          weight: 8,
          arbitrary: fc.record({
            kind: fc.constantFrom("offer", "offer", "bind", "release", "decline"),
            mac: fc.constantFrom(...macs),
          }),
        },
        {
          weight: 2,
          arbitrary: fc.record({ kind: fc.constant("advance"), s: fc.integer({ min: 0, max: LEASE_S }) }),
        },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant("sweep") }) },
      );
      const db = await backend.open();
      try {
        await fc.assert(
          fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (sequence) => {
            await db.kysely.deleteFrom("dhcp_bootloop_leases4").execute();
            await db.kysely.deleteFrom("dhcp_bootloop_quarantine").execute();
            const clock = { now: T0 };
            const store = await BootloopLeases.open(db, silentLogger(), () => clock.now);
            for (const step of sequence) {
              if (step.kind === "advance") clock.now += step.s * 1000;
              else if (step.kind === "sweep") await store.sweep();
              else if (step.kind === "offer") store.offer(step.mac, POOL, LEASE_S, noSmd);
              else if (step.kind === "release") await store.release(step.mac);
              else {
                const lease = store.lease(step.mac);
                if (lease && step.kind === "bind") await store.bind(step.mac, lease.ip, LEASE_S);
                if (lease && step.kind === "decline") await store.decline(step.mac, lease.ip, LEASE_S);
              }
              const held = macs.flatMap((m) => store.lease(m)?.ip ?? []);
              assert.equal(new Set(held).size, held.length, "no address held by two MACs");
              for (const a of held) assert.ok(a >= POOL.start && a <= POOL.end, "inside the pool");
            }
            await store.close();
            const reopened = await BootloopLeases.open(db, silentLogger(), () => clock.now);
            assert.deepEqual(
              macs.map((m) => reopened.lease(m)),
              macs.map((m) => store.lease(m)),
              "a restart finds what memory had",
            );
          }),
          { numRuns: 60 },
        );
      } finally {
        await db.close();
      }
    });
  });
}
