import type { Db } from "@openchami/db";
import { type Kysely, type SqlBool, sql, type Transaction } from "kysely";
import type {
  HistoryEvent,
  HistoryEventType,
  HistoryFilter,
  HistoryKey,
  StoredHistoryEvent,
} from "../domain/hardware-history.ts";
import { recordChange } from "./changes.ts";
import type { SmdTables } from "./schema.ts";
import { anyText } from "./selection-sql.ts";
import { kyselyOf } from "./write.ts";

/** Change events for history carry location xnames, whichever collection was written. */
export const HISTORY_RESOURCE = "HardwareHistory";

/**
 * Appends events in one statement and prunes what has outgrown the configured age, in the
 * writing transaction (so history never needs a timer). Returns the locations that got events.
 */
export async function appendHistory(
  tx: Transaction<SmdTables>,
  events: readonly HistoryEvent[],
  maxAgeDays: number,
): Promise<string[]> {
  if (events.length > 0) {
    await tx
      .insertInto("hw_inv_history")
      .columns(["component_id", "fru_id", "event_type"])
      .expression(
        sql`select * from unnest(${events.map((e) => e.id)}::text[], ${events.map((e) => e.fruId)}::text[], ${events.map((e) => e.eventType)}::text[])`,
      )
      .execute();
  }
  await tx
    .deleteFrom("hw_inv_history")
    .where("timestamp", "<", sql<Date>`now() - ${maxAgeDays}::float8 * interval '1 day'`)
    .execute();
  return [...new Set(events.map((e) => e.id))];
}

/** Which events a history DELETE removes: one location's, one FRU's, or all. */
export type HistoryScope = { id: string } | { fruId: string } | Record<string, never>;

/** SQL for the hardware history collections (§3.8); events are written by HardwareStore. */
export class HardwareHistoryStore {
  constructor(private readonly db: Db) {}

  private get kysely(): Kysely<SmdTables> {
    return this.db.kysely as Kysely<SmdTables>;
  }

  /** Matching events ordered by `key`, then time (and insertion within one transaction). */
  async list(filter: HistoryFilter, key: HistoryKey): Promise<StoredHistoryEvent[]> {
    const rows = await this.kysely
      .selectFrom("hw_inv_history")
      .select(["component_id", "fru_id", "event_type", "timestamp"])
      .where((eb) => {
        const conditions = [];
        if (filter.ids) conditions.push(eb("component_id", "=", anyText(filter.ids)));
        if (filter.fruIds) conditions.push(eb("fru_id", "=", anyText(filter.fruIds)));
        if (filter.eventTypes) conditions.push(eb("event_type", "=", anyText(filter.eventTypes)));
        if (filter.after) conditions.push(eb("timestamp", ">", filter.after));
        if (filter.before) conditions.push(eb("timestamp", "<", filter.before));
        return eb.and(conditions);
      })
      .orderBy(key === "id" ? "component_id" : "fru_id")
      .orderBy("timestamp")
      .orderBy("seq")
      .execute();
    return rows.map((row) => ({
      id: row.component_id,
      fruId: row.fru_id,
      eventType: row.event_type as HistoryEventType,
      timestamp: row.timestamp,
    }));
  }

  /** Deletes the events in `scope`; returns how many went. */
  async delete(scope: HistoryScope): Promise<number> {
    return this.db.transaction(async (tx) => {
      const kysely = kyselyOf(tx);
      // Counted per location so the change event names locations without returning every row.
      const perLocation = await kysely
        .with("gone", (db) =>
          db
            .deleteFrom("hw_inv_history")
            .where((eb) => {
              if ("id" in scope) return eb("component_id", "=", scope.id);
              if ("fruId" in scope) return eb("fru_id", "=", scope.fruId);
              return sql<SqlBool>`true`;
            })
            .returning("component_id"),
        )
        .selectFrom("gone")
        .select((eb) => ["component_id", eb.fn.countAll<number>().as("count")])
        .groupBy("component_id")
        .orderBy("component_id")
        .execute();
      if (perLocation.length > 0) {
        recordChange(
          tx,
          HISTORY_RESOURCE,
          "delete",
          perLocation.map((row) => row.component_id),
        );
      }
      return perLocation.reduce((sum, row) => sum + Number(row.count), 0);
    });
  }
}
