import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Generated, type Insertable, sql } from "kysely";
import { mapDbError } from "./errors.ts";
import type { Db, MigrationSet } from "./types.ts";

interface Tables {
  conformance_items: {
    id: string;
    size: number;
    price: number | null;
    data: unknown;
    tags: string[] | null;
    created_at: Generated<Date>;
  };
  conformance_children: { id: string; item_id: string };
  conformance_counters: { name: string; value: number };
}

const MIGRATIONS: Record<string, string> = {
  "0001_items.sql": `
    create table if not exists conformance_items (
      id text primary key,
      size int8 not null default 0,
      price numeric,
      data jsonb,
      tags text[],
      created_at timestamptz not null default now()
    );
    create table if not exists conformance_counters (name text primary key, value int8 not null);`,
  "0002_children.sql": `
    create table if not exists conformance_children (
      id text primary key,
      item_id text not null references conformance_items (id)
    );`,
};

/** Long enough for a NOTIFY to come back over LISTEN, to prove it is not delivered twice. */
const ECHO_WAIT_MS = 150;

async function writeMigrations(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "openchami-db-conformance-"));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

/**
 * The behaviour every backend must share, as one node:test `describe` block. `open` is
 * called once; the database may be shared with other runs (names are made unique).
 */
export function runDbConformanceSuite(label: string, open: () => Promise<Db>): void {
  describe(`db conformance: ${label}`, () => {
    let db: Db<Tables>;
    let set: MigrationSet;
    let firstRun: string[];
    const dirs: string[] = [];

    async function migrationSet(files: Record<string, string>): Promise<MigrationSet> {
      const dir = await writeMigrations(files);
      dirs.push(dir);
      return { name: `conformance-${randomUUID()}`, dir };
    }

    const item = (
      id: string,
      fields: Partial<Insertable<Tables["conformance_items"]>> = {},
    ): Insertable<Tables["conformance_items"]> => ({
      id,
      size: 0,
      price: null,
      data: null,
      tags: null,
      ...fields,
    });

    before(async () => {
      set = await migrationSet(MIGRATIONS);
      db = (await open()) as Db<Tables>;
      firstRun = await db.migrate([set]);
      await sql`truncate conformance_children, conformance_items, conformance_counters`.execute(db.kysely);
    });

    after(async () => {
      await db?.close();
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    });

    it("answers ping", async () => {
      await db.ping();
    });

    it("applies migration files once, in lexical order", async () => {
      assert.deepEqual(firstRun, [`${set.name}/0001_items.sql`, `${set.name}/0002_children.sql`]);
      assert.deepEqual(await db.migrate([set]), []);
    });

    it("never re-runs a recorded migration, even when its file changed", async () => {
      await writeFile(join(set.dir, "0001_items.sql"), "select 1 / 0;");
      assert.deepEqual(await db.migrate([set]), []);
    });

    it("names the failing migration file and records nothing from it", async () => {
      const broken = await migrationSet({
        "0001_ok.sql": "select 1;",
        "0002_broken.sql": "create table conformance_never (id int); select no_such_column;",
      });
      await assert.rejects(db.migrate([broken]), new RegExp(`${broken.name}/0002_broken\\.sql failed`));
      await assert.rejects(db.migrate([broken]), /0002_broken\.sql/);
      const recorded = await sql<{ name: string }>`
        select name from schema_migrations where set_name = ${broken.name}`.execute(db.kysely);
      assert.deepEqual(recorded.rows, [{ name: "0001_ok.sql" }]);
      const table = await sql<{
        t: string | null;
      }>`select to_regclass('conformance_never')::text as t`.execute(db.kysely);
      assert.equal(table.rows[0]?.t, null);
    });

    it("creates, reads, updates and deletes through Kysely", async () => {
      const k = db.kysely;
      const inserted = await k
        .insertInto("conformance_items")
        .values(item("crud", { size: 1 }))
        .executeTakeFirst();
      assert.equal(inserted.numInsertedOrUpdatedRows, 1n);
      const updated = await k
        .updateTable("conformance_items")
        .set({ size: 2 })
        .where("id", "=", "crud")
        .returning(["id", "size"])
        .execute();
      assert.deepEqual(updated, [{ id: "crud", size: 2 }]);
      const deleted = await k.deleteFrom("conformance_items").where("id", "=", "crud").executeTakeFirst();
      assert.equal(deleted.numDeletedRows, 1n);
      assert.equal(
        await k.selectFrom("conformance_items").where("id", "=", "crud").executeTakeFirst(),
        undefined,
      );
    });

    it("reads int8, count and numeric as numbers, and int8 beyond 2^53 as bigint", async () => {
      const k = db.kysely;
      await k
        .insertInto("conformance_items")
        .values([item("n1", { size: 5_000_000_000, price: 1.25 }), item("n2", { size: 1, price: 2 })])
        .execute();
      const row = await k
        .selectFrom("conformance_items")
        .select((eb) => [
          eb.fn.countAll().as("count"),
          eb.fn.sum("size").as("total"),
          eb.fn.max("size").as("largest"),
          eb.fn.sum("price").as("price"),
        ])
        .where("id", "in", ["n1", "n2"])
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, { count: 2, total: 5_000_000_001, largest: 5_000_000_000, price: 3.25 });
      const big = await sql<{ big: unknown }>`select 9007199254740993::int8 as big`.execute(k);
      assert.equal(big.rows[0]?.big, 9007199254740993n);
    });

    it("round-trips jsonb, text[] and timestamptz", async () => {
      const data = { name: "x", nested: { list: [1, "two", null], flag: true } };
      const before = new Date();
      await db.kysely
        .insertInto("conformance_items")
        .values(item("json", { data, tags: ["a", "b c"] }))
        .execute();
      // Top-level JSON arrays must be passed as strings: node-postgres sends JS arrays as SQL arrays.
      await db.kysely
        .insertInto("conformance_items")
        .values(item("json-array", { data: JSON.stringify([1, { a: 2 }]) }))
        .execute();
      const rows = await db.kysely
        .selectFrom("conformance_items")
        .select(["id", "data", "tags", "created_at"])
        .where("id", "in", ["json", "json-array"])
        .orderBy("id")
        .execute();
      assert.deepEqual(
        rows.map(({ id, data, tags }) => ({ id, data, tags })),
        [
          { id: "json", data, tags: ["a", "b c"] },
          { id: "json-array", data: [1, { a: 2 }], tags: null },
        ],
      );
      assert.ok(rows[0]?.created_at instanceof Date);
      assert.ok(rows[0].created_at.getTime() >= before.getTime() - 5_000);
    });

    it("commits a transaction and rolls back a failed one", async () => {
      const value = await db.transaction(async (tx) => {
        await tx.kysely.insertInto("conformance_items").values(item("committed")).execute();
        return 42;
      });
      assert.equal(value, 42);
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.kysely.insertInto("conformance_items").values(item("rolled-back")).execute();
          throw new Error("boom");
        }),
        /boom/,
      );
      const ids = await db.kysely
        .selectFrom("conformance_items")
        .select("id")
        .where("id", "in", ["committed", "rolled-back"])
        .execute();
      assert.deepEqual(ids, [{ id: "committed" }]);
    });

    it("maps unique and foreign-key violations to 409 and bad input to 400", async () => {
      const k = db.kysely;
      await k.insertInto("conformance_items").values(item("dup")).execute();
      const duplicate = await k
        .insertInto("conformance_items")
        .values(item("dup"))
        .execute()
        .catch((err: unknown) => err);
      assert.equal(mapDbError(duplicate)?.status, 409);
      assert.match(mapDbError(duplicate)?.detail ?? "", /conflict with an existing/);
      const orphan = await k
        .insertInto("conformance_children")
        .values({ id: "c", item_id: "missing" })
        .execute()
        .catch((err: unknown) => err);
      assert.equal(mapDbError(orphan)?.status, 409);
      const badInt = await sql`select 'x'::int`.execute(k).catch((err: unknown) => err);
      assert.equal(mapDbError(badInt)?.status, 400);
      const outOfRange = await sql`select 99999999999::int4`.execute(k).catch((err: unknown) => err);
      assert.equal(mapDbError(outOfRange)?.status, 400);
      const syntax = await sql`selec 1`.execute(k).catch((err: unknown) => err);
      assert.equal(mapDbError(syntax), undefined);
    });

    it("delivers a notification after commit, exactly once, as JSON without the origin tag", async () => {
      const channel = 'Odd "channel"';
      const received: unknown[] = [];
      const unlisten = await db.listen(channel, (payload) => received.push(payload));
      await db.transaction(async (tx) => {
        tx.notify(channel, { id: "n", at: new Date(0) });
        await tx.kysely.insertInto("conformance_items").values(item("notified")).execute();
        assert.deepEqual(received, [], "not before commit");
      });
      assert.deepEqual(received, [{ id: "n", at: "1970-01-01T00:00:00.000Z" }]);
      await sleep(ECHO_WAIT_MS);
      assert.equal(received.length, 1);
      await unlisten();
    });

    it("notifies nobody when the transaction rolls back", async () => {
      const received: unknown[] = [];
      const unlisten = await db.listen("conformance", (payload) => received.push(payload));
      await assert.rejects(
        db.transaction(async (tx) => {
          tx.notify("conformance", { id: "never" });
          throw new Error("roll back");
        }),
        /roll back/,
      );
      await sleep(ECHO_WAIT_MS);
      assert.deepEqual(received, []);
      await unlisten();
    });

    it("sends db.notify at once and stops delivering after unsubscribe", async () => {
      const received: unknown[] = [];
      const unlisten = await db.listen("conformance", (payload) => received.push(payload));
      await db.notify("conformance", { n: 1 });
      assert.deepEqual(received, [{ n: 1 }]);
      await unlisten();
      await unlisten();
      await db.notify("conformance", { n: 2 });
      await sleep(ECHO_WAIT_MS);
      assert.deepEqual(received, [{ n: 1 }]);
    });

    it("keeps delivering when a handler throws", async () => {
      const received: unknown[] = [];
      const unlistenBad = await db.listen("conformance", () => {
        throw new Error("handler bug");
      });
      const unlistenAsync = await db.listen("conformance", async () => {
        throw new Error("async handler bug");
      });
      const unlisten = await db.listen("conformance", (payload) => received.push(payload));
      await db.transaction(async (tx) => tx.notify("conformance", { ok: true }));
      assert.deepEqual(received, [{ ok: true }]);
      await Promise.all([unlistenBad(), unlistenAsync(), unlisten()]);
    });

    it("refuses a payload too large for NOTIFY when it is queued", async () => {
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.kysely.insertInto("conformance_items").values(item("too-large")).execute();
          tx.notify("conformance", { blob: "x".repeat(8000) });
        }),
        /bytes; the limit is 7900/,
      );
      await assert.rejects(db.notify("conformance", { blob: "x".repeat(8000) }), /the limit is 7900/);
      const row = await db.kysely
        .selectFrom("conformance_items")
        .where("id", "=", "too-large")
        .executeTakeFirst();
      assert.equal(row, undefined);
    });

    it("serialises concurrent read-modify-write transactions on one row", async () => {
      await db.kysely.insertInto("conformance_counters").values({ name: "hits", value: 0 }).execute();
      await Promise.all(
        Array.from({ length: 20 }, () =>
          db.transaction(async (tx) => {
            const { value } = await tx.kysely
              .selectFrom("conformance_counters")
              .select("value")
              .where("name", "=", "hits")
              .forUpdate()
              .executeTakeFirstOrThrow();
            await tx.kysely
              .updateTable("conformance_counters")
              .set({ value: value + 1 })
              .where("name", "=", "hits")
              .execute();
          }),
        ),
      );
      const { value } = await db.kysely
        .selectFrom("conformance_counters")
        .select("value")
        .where("name", "=", "hits")
        .executeTakeFirstOrThrow();
      assert.equal(value, 20);
    });

    it("never lets a query outside a transaction see its uncommitted writes", async () => {
      let inserted!: () => void;
      const insertedSignal = new Promise<void>((resolve) => {
        inserted = resolve;
      });
      let finish!: () => void;
      const finishSignal = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const transaction = db.transaction(async (tx) => {
        await tx.kysely.insertInto("conformance_items").values(item("ghost")).execute();
        inserted();
        await finishSignal;
        throw new Error("roll back");
      });
      await insertedSignal;
      const outside = db.kysely
        .selectFrom("conformance_items")
        .select("id")
        .where("id", "=", "ghost")
        .execute();
      await sleep(20);
      finish();
      await assert.rejects(transaction, /roll back/);
      assert.deepEqual(await outside, []);
    });

    it("refuses nested transactions and db.notify inside a transaction", async () => {
      await assert.rejects(
        db.transaction(() => db.transaction(async () => {})),
        /db\.transaction\(\) inside db\.transaction\(\)/,
      );
      await assert.rejects(
        db.transaction(() => db.notify("conformance", {})),
        /db\.notify\(\) inside db\.transaction\(\)/,
      );
    });
  });
}
