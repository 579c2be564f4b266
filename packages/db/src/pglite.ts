import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { PGlite, type Results } from "@electric-sql/pglite";
import type { Logger } from "@openchami/core";
import {
  Kysely,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
} from "kysely";
import { ChangeHub } from "./changes.ts";
import { lockDataDir } from "./data-dir-lock.ts";
import { createDb } from "./db.ts";
import { Mutex } from "./mutex.ts";
import { TransactionScope } from "./scope.ts";
import { TYPE_PARSERS } from "./type-parsers.ts";
import type { Db } from "./types.ts";

export type PgliteTarget = { dataDir: string } | { memory: true; loadDataDir?: Blob };

/**
 * PostgreSQL's default 128 MB of shared buffers is resident WASM memory in PGlite; the OS
 * page cache serves the data files anyway, so a small pool keeps an idle server small.
 */
const SETTINGS = ["shared_buffers=32MB"];

/**
 * initdb grows PGlite's WASM heap to ~700 MB, and WASM memory never shrinks. Creating a
 * new data directory in a short-lived child process keeps the server at its steady-state
 * size (~170 MB) from its very first start, for ~0.2 s more.
 */
async function initDataDirApart(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, "PG_VERSION"))) return;
  const script = new URL("./pglite-initdb.mjs", import.meta.url).pathname;
  await promisify(execFile)(process.execPath, [script, dataDir, JSON.stringify(SETTINGS)]);
}

/** Embedded PostgreSQL: a data directory, or memory (optionally seeded from a dump). */
export async function openPglite<DB>(target: PgliteTarget, logger: Logger): Promise<Db<DB>> {
  const unlock = "dataDir" in target ? lockDataDir(target.dataDir) : () => {};
  let pglite: PGlite;
  try {
    if ("dataDir" in target) await initDataDirApart(target.dataDir);
    pglite = await PGlite.create({
      ...("dataDir" in target ? { dataDir: target.dataDir } : { loadDataDir: target.loadDataDir }),
      parsers: TYPE_PARSERS,
      postgresqlconf: SETTINGS,
    });
  } catch (error) {
    unlock();
    throw error;
  }
  const scope = new TransactionScope();
  const pool = new SingleConnectionPool(pglite, scope);
  return createDb<DB>({
    kind: "pglite",
    kysely: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }),
    logger,
    hub: new ChangeHub(logger),
    scope,
    dumpDataDir: () => pool.exclusive(() => pglite.dumpDataDir("gzip")),
    shutdown: () => pool.end().finally(unlock),
  });
}

/** The PGlite package version: a dumped data directory loads only into the same build. */
export function pgliteVersion(): string {
  const manifest = new URL("../package.json", import.meta.resolve("@electric-sql/pglite"));
  return JSON.parse(readFileSync(manifest, "utf8")).version;
}

/**
 * PGlite is a single session, presented to Kysely's own PostgreSQL driver as a pool of
 * one connection: whoever holds it owns the session, so a transaction keeps it from
 * BEGIN to COMMIT and other queries wait rather than run inside someone's transaction.
 * Reusing Kysely's driver keeps transaction handling identical to the pg.Pool backend.
 */
class SingleConnectionPool implements PostgresPool {
  readonly #pglite: PGlite;
  readonly #scope: TransactionScope;
  readonly #mutex = new Mutex();
  #release: (() => void) | undefined;
  #ended: Promise<void> | undefined;
  readonly #client: PostgresPoolClient;

  constructor(pglite: PGlite, scope: TransactionScope) {
    this.#pglite = pglite;
    this.#scope = scope;
    this.#client = {
      query: ((text: string, parameters: readonly unknown[]) =>
        this.#query(text, parameters)) as PostgresPoolClient["query"],
      release: () => this.#release?.(),
    };
  }

  async connect(): Promise<PostgresPoolClient> {
    if (this.#scope.inside) {
      throw new Error("db.kysely used inside db.transaction(): use tx.kysely (PGlite has one connection)");
    }
    this.#release = await this.#mutex.lock();
    return this.#client;
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      return await fn();
    } finally {
      client.release();
    }
  }

  /** Waits for the session to be free, then closes the database; idempotent. */
  end(): Promise<void> {
    this.#ended ??= this.connect().then(() => this.#pglite.close());
    return this.#ended;
  }

  async #query(text: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<unknown>> {
    // Like node-postgres, a query without parameters goes as a simple query, which may
    // hold several statements (migration files); the last statement's result is returned.
    const result: Results =
      parameters.length === 0
        ? (await this.#pglite.exec(text)).at(-1)!
        : await this.#pglite.query(text, [...parameters]);
    return {
      command: result.command as PostgresQueryResult<unknown>["command"],
      rowCount: result.rowCount ?? 0,
      rows: result.rows,
    };
  }
}
