import type { Logger } from "@openchami/core";
import type { Kysely, Transaction } from "kysely";

/** Where the data lives: a PGlite data directory, an in-memory PGlite, or a PostgreSQL URL. */
export type DbTarget = { dataDir: string } | { memory: true; loadDataDir?: Blob } | { url: string };

export interface DbOptions {
  logger?: Logger;
  /** PostgreSQL only: the most connections the pool opens (default 10). */
  poolSize?: number;
}

/**
 * A notification handler. It gets the payload as JSON carries it (dates arrive as
 * strings). A throw or a rejected promise is logged, never propagated.
 */
// biome-ignore lint/suspicious/noExplicitAny: lets a handler declare its own payload type
export type ChangeHandler = (payload: any) => void;

// biome-ignore lint/suspicious/noExplicitAny: an untyped schema, as with Kysely<any>
export interface Db<DB = any> {
  readonly kind: "pglite" | "postgres";
  readonly kysely: Kysely<DB>;
  /** Throws if the database is unreachable. */
  ping(): Promise<void>;
  /**
   * Runs `fn` in one transaction. Notifications sent with `tx.notify` reach listeners
   * only after commit, and nobody if it rolls back. Nesting throws: use the outer `tx`.
   */
  transaction<T>(fn: (tx: Tx<DB>) => Promise<T>): Promise<T>;
  /** Sends a notification now (outside any transaction). */
  notify(channel: string, payload: object): Promise<void>;
  /** Subscribes to a channel; resolves to the unsubscribe function. */
  listen(channel: string, handler: ChangeHandler): Promise<() => Promise<void>>;
  /**
   * Called when notifications may have been missed: PostgreSQL's LISTEN connection dropped
   * and came back (NOTIFYs sent meanwhile are lost). In-memory views reload on it. Never
   * called on PGlite, whose notifications cannot be lost. Returns the unsubscribe.
   */
  onResync(handler: () => void): () => void;
  /** Applies pending migration files; returns the `set/file` names applied this time. */
  migrate(sets: MigrationSet[]): Promise<string[]>;
  /** PGlite only: the data directory as a tarball, for `{ memory: true, loadDataDir }`. */
  dumpDataDir?(): Promise<Blob>;
  close(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: an untyped schema, as with Kysely<any>
export interface Tx<DB = any> {
  readonly kysely: Transaction<DB>;
  /** Queues a notification for commit. Throws if the payload is too large for NOTIFY. */
  notify(channel: string, payload: object): void;
}

/** A named directory of `0001_name.sql` files, applied in lexical order. */
export interface MigrationSet {
  name: string;
  /** Absolute path. */
  dir: string;
}
