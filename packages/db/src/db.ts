import type { Logger } from "@openchami/core";
import { type Kysely, type QueryExecutorProvider, sql } from "kysely";
import type { ChangeHub, Notification } from "./changes.ts";
import { runMigrations } from "./migrate.ts";
import type { TransactionScope } from "./scope.ts";
import type { ChangeHandler, Db, MigrationSet, Tx } from "./types.ts";

/** Carries notifications to and from other processes (PostgreSQL's NOTIFY/LISTEN). */
export interface RemoteChannel {
  /** Sends on `executor` in one round trip, so inside a transaction they go out at commit. */
  publish(executor: QueryExecutorProvider, notifications: readonly Notification[]): Promise<void>;
  listen(channel: string): Promise<void>;
  unlisten(channel: string): Promise<void>;
  onResync(handler: () => void): () => void;
  close(): Promise<void>;
}

export interface DbParts<DB> {
  kind: Db["kind"];
  kysely: Kysely<DB>;
  logger: Logger;
  hub: ChangeHub;
  scope: TransactionScope;
  remote?: RemoteChannel;
  dumpDataDir?: () => Promise<Blob>;
  /** Runs after Kysely is destroyed, which skips its pool if it never connected. */
  shutdown?: () => Promise<void>;
}

/** The behaviour both backends share, over a Kysely instance and an optional remote channel. */
export function createDb<DB>(parts: DbParts<DB>): Db<DB> {
  const { kind, kysely, logger, hub, scope, remote } = parts;

  function refuseInsideTransaction(what: string): void {
    if (scope.inside) throw new Error(`${what} inside db.transaction(): use the tx argument instead`);
  }

  const db: Db<DB> = {
    kind,
    kysely,

    async ping() {
      await sql`select 1`.execute(kysely);
    },

    async transaction(fn) {
      refuseInsideTransaction("db.transaction()");
      const queued: Notification[] = [];
      const result = await kysely.transaction().execute(async (trx) => {
        let open = true;
        const tx: Tx<DB> = {
          kysely: trx,
          notify(channel, payload) {
            if (!open) throw new Error("tx.notify() called after the transaction ended");
            queued.push(hub.prepare(channel, payload));
          },
        };
        const value = await scope
          .run(() => fn(tx))
          .finally(() => {
            open = false;
          });
        if (queued.length > 0) await remote?.publish(trx, queued);
        return value;
      });
      for (const notification of queued) hub.deliver(notification);
      return result;
    },

    async notify(channel, payload) {
      refuseInsideTransaction("db.notify()");
      const notification = hub.prepare(channel, payload);
      await remote?.publish(kysely, [notification]);
      hub.deliver(notification);
    },

    async listen(channel: string, handler: ChangeHandler) {
      hub.add(channel, handler);
      try {
        await remote?.listen(channel);
      } catch (err) {
        hub.remove(channel, handler);
        throw err;
      }
      let subscribed = true;
      return async () => {
        if (!subscribed) return;
        subscribed = false;
        if (hub.remove(channel, handler)) await remote?.unlisten(channel);
      };
    },

    onResync(handler) {
      return remote ? remote.onResync(handler) : () => {};
    },

    migrate(sets: MigrationSet[]) {
      return runMigrations(kysely, sets, logger);
    },

    async close() {
      await remote?.close();
      await kysely.destroy();
      await parts.shutdown?.();
    },
  };
  if (parts.dumpDataDir) db.dumpDataDir = parts.dumpDataDir;
  return db;
}
