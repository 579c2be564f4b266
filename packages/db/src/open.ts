import { createLogger } from "@openchami/core";
import { openPglite } from "./pglite.ts";
import { openPostgres } from "./postgres.ts";
import type { Db, DbOptions, DbTarget } from "./types.ts";

const DEFAULT_POOL_SIZE = 10;

/** Opens PostgreSQL for `{ url }`, else an embedded PGlite. */
// biome-ignore lint/suspicious/noExplicitAny: an untyped schema, as with Kysely<any>
export async function openDb<DB = any>(target: DbTarget, options: DbOptions = {}): Promise<Db<DB>> {
  const logger = options.logger ?? createLogger({ name: "db" });
  return "url" in target
    ? openPostgres<DB>(target.url, logger, options.poolSize ?? DEFAULT_POOL_SIZE)
    : openPglite<DB>(target, logger);
}
