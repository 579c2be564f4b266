import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "@openchami/core";
import { type Kysely, type QueryExecutorProvider, sql } from "kysely";
import type { MigrationSet } from "./types.ts";

interface MigrationTables {
  schema_migrations: { set_name: string; name: string };
}

/** This runner's advisory-lock key: "opencham" in ASCII, any fixed int8 would do. */
const MIGRATION_LOCK_KEY = 0x6f70656e6368616dn;

/**
 * Applies each set's `*.sql` files in lexical order, each in its own transaction, and
 * records them in `schema_migrations`. A recorded name is never run again, even if its
 * file changed. Every transaction takes a transaction-scoped advisory lock and re-checks
 * the record, so replicas starting together apply each file exactly once.
 */
export async function runMigrations<DB>(
  db: Kysely<DB>,
  sets: readonly MigrationSet[],
  logger: Logger,
): Promise<string[]> {
  // The runner reads and writes only its own table, whatever the caller's schema type.
  const kysely = db as unknown as Kysely<MigrationTables>;
  await kysely.transaction().execute(async (trx) => {
    await lock(trx);
    await sql`create table if not exists schema_migrations (
      set_name text not null,
      name text not null,
      applied_at timestamptz not null default now(),
      primary key (set_name, name)
    )`.execute(trx);
  });
  const recorded = await kysely.selectFrom("schema_migrations").select(["set_name", "name"]).execute();
  const done = new Set(recorded.map((row) => `${row.set_name}/${row.name}`));

  const applied: string[] = [];
  for (const set of sets) {
    for (const file of await sqlFiles(set.dir)) {
      const id = `${set.name}/${file}`;
      if (done.has(id) || !(await applyOnce(kysely, set, file))) continue;
      logger.info({ migration: id }, "migration applied");
      applied.push(id);
    }
  }
  return applied;
}

async function sqlFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names.filter((name) => name.endsWith(".sql")).sort();
}

/** Applies one file unless another process recorded it meanwhile; true if applied here. */
async function applyOnce(kysely: Kysely<MigrationTables>, set: MigrationSet, file: string): Promise<boolean> {
  const script = await readFile(join(set.dir, file), "utf8");
  return kysely.transaction().execute(async (trx) => {
    await lock(trx);
    const existing = await trx
      .selectFrom("schema_migrations")
      .select("name")
      .where("set_name", "=", set.name)
      .where("name", "=", file)
      .executeTakeFirst();
    if (existing) return false;
    try {
      // No parameters: both backends send it as a simple query, so a file may hold many statements.
      await sql.raw(script).execute(trx);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new Error(`migration ${set.name}/${file} failed: ${reason}`, { cause: err });
    }
    await trx.insertInto("schema_migrations").values({ set_name: set.name, name: file }).execute();
    return true;
  });
}

function lock(trx: QueryExecutorProvider): Promise<unknown> {
  return sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(trx);
}
