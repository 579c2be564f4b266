import type { Db, Tx } from "@openchami/db";
import { type Expression, type Kysely, type RawBuilder, type SqlBool, sql, type Transaction } from "kysely";
import {
  type HardwareFilter,
  type HardwareFru,
  type HardwareLocation,
  type HardwareQueryPlan,
  lastPerKey,
  locationAncestors,
} from "../domain/hardware.ts";
import { eventsForWrites, type HistoryEvent } from "../domain/hardware-history.ts";
import { recordChange } from "./changes.ts";
import { appendHistory, HISTORY_RESOURCE } from "./hardware-history.ts";
import type { SmdTables } from "./schema.ts";
import { allOf, anyText } from "./selection-sql.ts";
import { kyselyOf } from "./write.ts";

/** Change events: ids are location xnames, or FRU IDs when FRUs are deleted. */
const RESOURCE = "Hardware";

/** Serialises hardware writes, so each location's FRU change is seen (and historied) once. */
const WRITE_LOCK = sql.lit(0x736d642d6877); // "smd-hw"

interface LocationRow {
  id: string;
  type: string;
  ordinal: number;
  location_info: unknown;
  fru_id: string | null;
  fru_type: string | null;
  subtype: string | null;
  fru_info: unknown;
}

function fromRow(row: LocationRow): HardwareLocation {
  return {
    id: row.id,
    type: row.type,
    ordinal: row.ordinal,
    info: row.location_info,
    fru:
      row.fru_id === null
        ? undefined
        : {
            fruId: row.fru_id,
            type: row.fru_type ?? row.type,
            subtype: row.subtype ?? "",
            info: row.fru_info,
          },
  };
}

function fruFromRow(row: SmdTables["hw_inv_by_fru"]): HardwareFru {
  return { fruId: row.fru_id, type: row.type, subtype: row.subtype, info: row.fru_info };
}

/** `\`, `%` and `_` taken literally in a LIKE pattern. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The FRU filters on the FRU columns of table alias `f` (upstream: manufacturer is a substring). */
function fruConditions(filter: HardwareFilter, withType: boolean): RawBuilder<SqlBool>[] {
  const conditions: RawBuilder<SqlBool>[] = [];
  if (withType && filter.types) conditions.push(sql<SqlBool>`f.type = ${anyText(filter.types)}`);
  if (filter.manufacturers) {
    const patterns = filter.manufacturers.map((m) => `%${likeLiteral(m)}%`);
    conditions.push(sql<SqlBool>`f.fru_info ->> 'Manufacturer' ilike any(${patterns}::text[])`);
  }
  if (filter.partNumbers)
    conditions.push(sql<SqlBool>`f.fru_info ->> 'PartNumber' = ${anyText(filter.partNumbers)}`);
  if (filter.serialNumbers)
    conditions.push(sql<SqlBool>`f.fru_info ->> 'SerialNumber' = ${anyText(filter.serialNumbers)}`);
  if (filter.fruIds) conditions.push(sql<SqlBool>`f.fru_id = ${anyText(filter.fruIds)}`);
  return conditions;
}

/**
 * Locations enclosed by (or equal to) one of `roots`, resolved by an earlier query and bound
 * as one array: `= any(<bound array>)` is hashed, so a row costs a few probes however many
 * roots there are, and the plan does not hinge on table statistics (PGlite gathers none).
 */
function enclosedBy(roots: readonly string[]): RawBuilder<SqlBool> {
  if (roots.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`exists (select 1 from unnest(l.ancestors) as a(id) where a.id = ${anyText(roots)})`;
}

/** `ids ∧ within ∧ types` (the GIN index serves `within`). */
function selection({ ids, within, types }: Pick<HardwareQueryPlan, "ids" | "within" | "types">) {
  const parts: RawBuilder<SqlBool>[] = [];
  if (ids) parts.push(sql<SqlBool>`l.id = ${anyText(ids)}`);
  if (within !== undefined) parts.push(sql<SqlBool>`l.ancestors @> array[${within}]::text[]`);
  if (types) parts.push(sql<SqlBool>`l.type = ${anyText(types)}`);
  return allOf(parts);
}

/** The WHERE of a Query/{x} plan (see HardwareQueryPlan), its expansion roots and partition members resolved. */
function planCondition(
  plan: HardwareQueryPlan,
  expandRoots?: readonly string[],
  members?: readonly string[],
) {
  // What an expanded selection encloses lies within its `within` too: that keeps the index in play.
  let condition = expandRoots
    ? allOf([selection({ within: plan.within }), enclosedBy(expandRoots)])
    : selection(plan);
  if (plan.alsoIds.length > 0) condition = sql<SqlBool>`(${condition} or l.id = ${anyText(plan.alsoIds)})`;
  if (members) condition = allOf([condition, enclosedBy(members)]);
  return condition;
}

/** Upstream's default for SMD_HWINVHIST_AGE_MAX_DAYS. */
const DEFAULT_HISTORY_MAX_AGE_DAYS = 365;

/** SQL for Inventory/Hardware and Inventory/HardwareByFRU (spec smd.md §3.8). */
export class HardwareStore {
  /** History older than this is pruned by the writes that append to it. */
  private readonly historyMaxAgeDays: number;

  constructor(
    private readonly db: Db,
    historyMaxAgeDays = DEFAULT_HISTORY_MAX_AGE_DAYS,
  ) {
    if (!(historyMaxAgeDays > 0))
      throw new Error(`hardware history max age must be positive, got ${historyMaxAgeDays}`);
    this.historyMaxAgeDays = historyMaxAgeDays;
  }

  private get kysely(): Kysely<SmdTables> {
    return this.db.kysely as Kysely<SmdTables>;
  }

  /** Locations with their FRUs, sorted by xname, matching `where`. */
  private async locations(where: Expression<SqlBool>): Promise<HardwareLocation[]> {
    const rows = await this.kysely
      .selectFrom("hw_inv_by_loc as l")
      .leftJoin("hw_inv_by_fru as f", "f.fru_id", "l.fru_id")
      .select([
        "l.id",
        "l.type",
        "l.ordinal",
        "l.location_info",
        "l.fru_id",
        "f.type as fru_type",
        "f.subtype",
        "f.fru_info",
      ])
      .where(where)
      .orderBy("l.id")
      .execute();
    return rows.map(fromRow);
  }

  async list(filter: HardwareFilter): Promise<HardwareLocation[]> {
    const conditions = fruConditions(filter, false);
    conditions.push(selection({ ids: filter.ids, types: filter.types }));
    if (filter.partitions) conditions.push(enclosedBy(await this.partitionMembers(filter.partitions)));
    return this.locations(allOf(conditions));
  }

  async get(id: string): Promise<HardwareLocation | undefined> {
    return (await this.locations(sql<SqlBool>`l.id = ${id}`))[0];
  }

  async query(plan: HardwareQueryPlan): Promise<HardwareLocation[]> {
    const expandRoots = plan.expand ? await this.ids(selection(plan)) : undefined;
    const members = plan.partitions && (await this.partitionMembers(plan.partitions));
    return this.locations(planCondition(plan, expandRoots, members));
  }

  private async ids(where: Expression<SqlBool>): Promise<string[]> {
    const rows = await this.kysely.selectFrom("hw_inv_by_loc as l").select("l.id").where(where).execute();
    return rows.map((row) => row.id);
  }

  private async partitionMembers(partitions: readonly string[]): Promise<string[]> {
    const rows = await this.kysely
      .selectFrom("partition_members")
      .select("component_id")
      .where("partition_name", "=", anyText(partitions))
      .execute();
    return rows.map((row) => row.component_id);
  }

  async listFrus(filter: HardwareFilter): Promise<HardwareFru[]> {
    const rows = await this.kysely
      .selectFrom("hw_inv_by_fru as f")
      .selectAll()
      .where(allOf(fruConditions(filter, true)))
      .orderBy("f.fru_id")
      .execute();
    return rows.map(fruFromRow);
  }

  async getFru(fruId: string): Promise<HardwareFru | undefined> {
    const row = await this.kysely
      .selectFrom("hw_inv_by_fru")
      .selectAll()
      .where("fru_id", "=", fruId)
      .executeTakeFirst();
    return row && fruFromRow(row);
  }

  /**
   * Creates or replaces locations and their FRUs (the last entry per ID wins) and records the
   * history the FRU changes make, all in one transaction of set-based statements.
   */
  async upsert(input: readonly HardwareLocation[]): Promise<void> {
    const locations = lastPerKey(input, (l) => l.id);
    if (locations.length === 0) return;
    const frus = lastPerKey(
      locations.flatMap((l) => (l.fru ? [l.fru] : [])),
      (f) => f.fruId,
    );
    const ids = locations.map((l) => l.id);
    await this.write(async (kysely, tx) => {
      const current = await kysely
        .selectFrom("hw_inv_by_loc")
        .select(["id", "fru_id"])
        .where("id", "=", anyText(ids))
        .where("fru_id", "is not", null)
        .execute();
      const latest = await kysely
        .selectFrom("hw_inv_history")
        .distinctOn("component_id")
        .select(["component_id", "fru_id", "event_type"])
        .where("component_id", "=", anyText(ids))
        .orderBy("component_id")
        .orderBy("timestamp", "desc")
        .orderBy("seq", "desc")
        .execute();

      if (frus.length > 0) {
        await kysely
          .insertInto("hw_inv_by_fru")
          .columns(["fru_id", "type", "subtype", "fru_info"])
          .expression(
            sql`select * from unnest(${frus.map((f) => f.fruId)}::text[], ${frus.map((f) => f.type)}::text[], ${frus.map((f) => f.subtype)}::text[], ${frus.map((f) => JSON.stringify(f.info))}::jsonb[])`,
          )
          .onConflict((oc) =>
            oc.column("fru_id").doUpdateSet((eb) => ({
              type: eb.ref("excluded.type"),
              subtype: eb.ref("excluded.subtype"),
              fru_info: eb.ref("excluded.fru_info"),
            })),
          )
          .execute();
      }
      await kysely
        .insertInto("hw_inv_by_loc")
        .columns(["id", "type", "ordinal", "location_info", "fru_id", "ancestors"])
        .expression(
          // Ancestor lists travel as comma-joined text: unnest cannot take a ragged text[][].
          sql`select id, type, ordinal, info, fru, string_to_array(ancestors, ',') from unnest(
            ${ids}::text[],
            ${locations.map((l) => l.type)}::text[],
            ${locations.map((l) => l.ordinal)}::int[],
            ${locations.map((l) => JSON.stringify(l.info))}::jsonb[],
            ${locations.map((l) => l.fru?.fruId ?? null)}::text[],
            ${locations.map((l) => locationAncestors(l.id).join(","))}::text[]
          ) as u(id, type, ordinal, info, fru, ancestors)`,
        )
        .onConflict((oc) =>
          oc.column("id").doUpdateSet((eb) => ({
            type: eb.ref("excluded.type"),
            ordinal: eb.ref("excluded.ordinal"),
            location_info: eb.ref("excluded.location_info"),
            fru_id: eb.ref("excluded.fru_id"),
            ancestors: eb.ref("excluded.ancestors"),
          })),
        )
        .execute();

      const events = eventsForWrites(
        locations.flatMap((l) => (l.fru ? [{ id: l.id, fruId: l.fru.fruId }] : [])),
        new Map(current.map((row) => [row.id, row.fru_id as string])),
        new Map(latest.map((row) => [row.component_id, { fruId: row.fru_id, eventType: row.event_type }])),
      );
      await this.recordHistory(kysely, tx, events);
      recordChange(tx, RESOURCE, "upsert", ids);
    });
  }

  /** Deletes one location, or all; each FRU they held gets a `Removed` event. FRUs stay. */
  async delete(id?: string): Promise<number> {
    return this.write(async (kysely, tx) => {
      const held = await heldFrus(kysely, "id", id);
      const gone = await kysely
        .deleteFrom("hw_inv_by_loc")
        .$if(id !== undefined, (q) => q.where("id", "=", id as string))
        .returning("id")
        .execute();
      const goneIds = gone.map((row) => row.id);
      return this.recordRemovals(kysely, tx, held, goneIds);
    });
  }

  /**
   * Deletes one FRU, or all. Locations holding it become Empty (the foreign key sets their
   * `fru_id` to NULL) and get a `Removed` event.
   */
  async deleteFrus(fruId?: string): Promise<number> {
    return this.write(async (kysely, tx) => {
      const held = await heldFrus(kysely, "fru_id", fruId);
      const gone = await kysely
        .deleteFrom("hw_inv_by_fru")
        .$if(fruId !== undefined, (q) => q.where("fru_id", "=", fruId as string))
        .returning("fru_id")
        .execute();
      const goneIds = gone.map((row) => row.fru_id);
      const count = await this.recordRemovals(kysely, tx, held, goneIds);
      // The locations that held them changed too: they are Empty now.
      if (held.length > 0) {
        recordChange(
          tx,
          RESOURCE,
          "upsert",
          held.map((row) => row.id),
        );
      }
      return count;
    });
  }

  private async write<T>(fn: (kysely: Transaction<SmdTables>, tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const kysely = kyselyOf(tx);
      await sql`select pg_advisory_xact_lock(${WRITE_LOCK})`.execute(kysely);
      return fn(kysely, tx);
    });
  }

  private async recordHistory(kysely: Transaction<SmdTables>, tx: Tx, events: readonly HistoryEvent[]) {
    const ids = await appendHistory(kysely, events, this.historyMaxAgeDays);
    if (ids.length > 0) recordChange(tx, HISTORY_RESOURCE, "upsert", ids);
  }

  /** The end of both deletes: `Removed` events for the FRUs `held` lost, `gone` on the feed. */
  private async recordRemovals(
    kysely: Transaction<SmdTables>,
    tx: Tx,
    held: readonly { id: string; fru_id: string | null }[],
    gone: readonly string[],
  ): Promise<number> {
    const removals = held.map(
      (row): HistoryEvent => ({ id: row.id, fruId: row.fru_id!, eventType: "Removed" }),
    );
    await this.recordHistory(kysely, tx, removals);
    if (gone.length > 0) recordChange(tx, RESOURCE, "delete", gone);
    return gone.length;
  }
}

/** Locations holding a FRU, narrowed to `column = value` when a value is given. */
function heldFrus(kysely: Transaction<SmdTables>, column: "id" | "fru_id", value: string | undefined) {
  return kysely
    .selectFrom("hw_inv_by_loc")
    .select(["id", "fru_id"])
    .where("fru_id", "is not", null)
    .$if(value !== undefined, (q) => q.where(column, "=", value as string))
    .execute();
}
