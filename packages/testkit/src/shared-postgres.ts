import { silentLogger } from "@openchami/core";
import { type Db, type MigrationSet, openDb } from "@openchami/db";
import pg from "pg";
import { type PostgresServer, startPostgres } from "./postgres.ts";
import { migratedPglite } from "./snapshot.ts";

let shared: Promise<PostgresServer> | undefined;
let databases = 0;

/**
 * A fresh, empty database on one PostgreSQL server shared by the whole test process
 * (started on first use, killed at exit), for suites that run once per backend: creating a
 * database takes milliseconds where starting a server takes a second.
 */
export async function freshPostgresDatabase(): Promise<string> {
  shared ??= startPostgres();
  const server = await shared;
  const name = `t${process.pid}_${++databases}`;
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Which backend suites that run on both should use: `OPENCHAMI_TEST_DB=postgres` or PGlite. */
export function testBackend(): "postgres" | "pglite" {
  return process.env.OPENCHAMI_TEST_DB === "postgres" ? "postgres" : "pglite";
}

/**
 * A migrated database on the backend `testBackend()` names: a fresh PostgreSQL database,
 * or a PGlite loaded from the shared snapshot. Suites built on it run on both backends.
 */
export async function migratedTestDb(sets: MigrationSet[]): Promise<Db> {
  if (testBackend() === "pglite") return migratedPglite(sets);
  const db = await openDb({ url: await freshPostgresDatabase() }, { logger: silentLogger(), poolSize: 5 });
  await db.migrate(sets);
  return db;
}

export interface ReplicaPair {
  /** Two connections to one migrated PostgreSQL database, as two replicas would hold. */
  reader: Db;
  writer: Db;
  close(): Promise<void>;
}

/**
 * Two replicas' view of one database: a write through `writer` reaches a LISTEN on `reader`
 * only through PostgreSQL's NOTIFY, as between two processes.
 */
export async function replicaPair(sets: MigrationSet[]): Promise<ReplicaPair> {
  const url = await freshPostgresDatabase();
  const reader = await openDb({ url }, { logger: silentLogger() });
  const writer = await openDb({ url }, { logger: silentLogger() });
  await reader.migrate(sets);
  return {
    reader,
    writer,
    async close() {
      await reader.close();
      await writer.close();
    },
  };
}
