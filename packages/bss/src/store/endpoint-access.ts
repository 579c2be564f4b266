import type { Db } from "@openchami/db";
import { type Kysely, sql } from "kysely";
import type { BssTables } from "./schema.ts";

/** One access: `name` is the node's xname, `endpoint` what it fetched (`bootscript`). */
export interface Access {
  name: string;
  endpoint: string;
  epoch: number;
}

export interface AccessFilter {
  name?: string;
  endpoint?: string;
}

/** Endpoint access (spec bss.md §4.5): the last access per pair, and an optional bounded history. */
export class EndpointAccessStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Writes a batch in one transaction: one upsert keeping the newest epoch per pair, and,
   * with `historyMax` > 0, the accesses themselves, pruned to the newest `historyMax` per pair.
   */
  async write(latest: readonly Access[], history: readonly Access[], historyMax: number): Promise<void> {
    await this.#db.transaction(async (tx) => {
      const kysely = tx.kysely as Kysely<BssTables>;
      await sql`INSERT INTO bss_endpoint_access (name, endpoint, last_epoch)
        SELECT * FROM unnest(${latest.map((a) => a.name)}::text[], ${latest.map((a) => a.endpoint)}::text[],
          ${latest.map((a) => a.epoch)}::bigint[])
        ON CONFLICT (name, endpoint)
        DO UPDATE SET last_epoch = GREATEST(bss_endpoint_access.last_epoch, EXCLUDED.last_epoch)`.execute(
        kysely,
      );
      if (historyMax <= 0 || history.length === 0) return;
      await sql`INSERT INTO bss_endpoint_access_history (name, endpoint, epoch)
        SELECT * FROM unnest(${history.map((a) => a.name)}::text[], ${history.map((a) => a.endpoint)}::text[],
          ${history.map((a) => a.epoch)}::bigint[])`.execute(kysely);
      const names = [...new Set(history.map((a) => a.name))];
      await sql`DELETE FROM bss_endpoint_access_history WHERE id IN (
        SELECT id FROM (
          SELECT id, row_number() OVER (PARTITION BY name, endpoint ORDER BY epoch DESC, id DESC) AS newest
          FROM bss_endpoint_access_history WHERE name = ANY(${names}::text[])
        ) ranked WHERE newest > ${historyMax})`.execute(kysely);
    });
  }

  /** Last accesses matching the filter, by name then endpoint. */
  async list(filter: AccessFilter): Promise<Access[]> {
    let query = (this.#db.kysely as Kysely<BssTables>)
      .selectFrom("bss_endpoint_access")
      .select(["name", "endpoint", "last_epoch as epoch"])
      .orderBy("name")
      .orderBy("endpoint");
    if (filter.name !== undefined) query = query.where("name", "=", filter.name);
    if (filter.endpoint !== undefined) query = query.where("endpoint", "=", filter.endpoint);
    return (await query.execute()).map((row) => ({ ...row, epoch: Number(row.epoch) }));
  }
}
