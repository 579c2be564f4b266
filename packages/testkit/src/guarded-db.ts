import type { Db } from "@openchami/db";
import type { Kysely } from "kysely";

/**
 * A Db that throws on every use while `forbidden` is set: proof that a code path makes
 * no database query (Kysely queries, transactions, pings and notifications alike).
 */
export function guardedDb(db: Db): { db: Db; forbid(on: boolean): void; attempts(): number } {
  let forbidden = false;
  let attempts = 0;
  const check = () => {
    if (!forbidden) return;
    attempts++;
    throw new Error("database used while forbidden");
  };
  const checked = <T>(use: () => T): T => {
    check();
    return use();
  };
  const kysely = (db.kysely as Kysely<unknown>).withPlugin({
    transformQuery(args) {
      check();
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  });
  const guarded: Db = {
    kind: db.kind,
    kysely,
    ping: () => checked(() => db.ping()),
    transaction: (fn) => checked(() => db.transaction(fn)),
    notify: (channel, payload) => checked(() => db.notify(channel, payload)),
    listen: (channel, handler) => db.listen(channel, handler),
    onResync: (handler) => db.onResync(handler),
    migrate: (sets) => db.migrate(sets),
    close: () => db.close(),
  };
  return { db: guarded, forbid: (on) => (forbidden = on), attempts: () => attempts };
}
