import type { Logger } from "@openchami/core";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { ChangeHub } from "./changes.ts";
import { createDb } from "./db.ts";
import { PgListener } from "./pg-listener.ts";
import { TransactionScope } from "./scope.ts";
import { TYPE_PARSERS } from "./type-parsers.ts";
import type { Db } from "./types.ts";

/** Parsers for this pool's connections only; the process-wide pg.types stay untouched. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    (format !== "binary" && TYPE_PARSERS[oid]) ||
    pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

/** A real PostgreSQL through a pg.Pool; notifications travel by NOTIFY/LISTEN. */
export function openPostgres<DB>(url: string, logger: Logger, poolSize: number): Db<DB> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types, application_name: "openchami" });
  // An idle connection that breaks is replaced on next use; without a listener it would crash the process.
  pool.on("error", (err) => logger.warn({ err }, "idle PostgreSQL connection failed"));
  const hub = new ChangeHub(logger);
  const resyncHandlers = new Set<() => void>();
  const listener = new PgListener(
    url,
    logger,
    (channel, text) => hub.receive(channel, text),
    () => {
      for (const handler of resyncHandlers) handler();
    },
  );
  return createDb<DB>({
    kind: "postgres",
    kysely: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }),
    logger,
    hub,
    scope: new TransactionScope(),
    remote: {
      async publish(executor, notifications) {
        const channels = notifications.map((n) => n.channel);
        const texts = notifications.map((n) => n.text);
        // WITH ORDINALITY keeps the order in which the transaction queued them.
        await sql`select pg_notify(c, t) from unnest(${channels}::text[], ${texts}::text[])
          with ordinality as n(c, t, i) order by i`.execute(executor);
      },
      listen: (channel) => listener.listen(channel),
      unlisten: (channel) => listener.unlisten(channel),
      onResync(handler) {
        resyncHandlers.add(handler);
        return () => resyncHandlers.delete(handler);
      },
      close: () => listener.close(),
    },
  });
}
