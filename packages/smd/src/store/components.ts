import type { Db, Tx } from "@openchami/db";
import { type Kysely, type RawBuilder, type SqlBool, sql } from "kysely";
import {
  type Component,
  type ComponentRecord,
  type NewComponent,
  type NodeDefaults,
  needsNodeDefaults,
  type ResolvedComponent,
  type StateChange,
  type UpsertResult,
  VIEW_FIELDS,
  withDefaults,
} from "../domain/component.ts";
import { type ComponentFilter, type ComponentView, descendantPattern } from "../domain/component-filter.ts";
import { recordChange } from "./changes.ts";
import { applyComponentFilter } from "./component-filter-sql.ts";
import type { SmdTables } from "./schema.ts";
import { anyText } from "./selection-sql.ts";
import { deleteOneOrAll, kyselyOf } from "./write.ts";

/** The change-feed resource name of every write here. */
export const COMPONENTS_RESOURCE = "Components";

const COLUMNS: Readonly<Record<keyof Component, string>> = {
  id: "id",
  type: "type",
  state: "state",
  flag: "flag",
  enabled: "enabled",
  softwareStatus: "software_status",
  role: "role",
  subRole: "sub_role",
  nid: "nid",
  subtype: "subtype",
  netType: "net_type",
  arch: "arch",
  class: "class",
  reservationDisabled: "reservation_disabled",
  locked: "locked",
};

/** A projection's columns, aliased to the domain's names so rows need no conversion. */
const SELECTIONS = Object.fromEntries(
  Object.entries(VIEW_FIELDS).map(([view, fields]) => [
    view,
    fields.map((field) => sql.ref(`c.${COLUMNS[field]}`).as(field)),
  ]),
) as Record<ComponentView, ReturnType<RawBuilder<unknown>["as"]>[]>;

/** The ids `Query/{x}` covers: none (everything), exactly these, or these and their descendants. */
export type ComponentScope = { kind: "all" } | { kind: "exact" | "descendants"; ids: readonly string[] };

/**
 * `id` is `root` or continues it with a letter (`x1c0s1` covers `x1c0s1b0n0`, not
 * `x1c0s10`): an indexed prefix match (text_pattern_ops), then the letter check.
 */
function descendantOf(root: string): RawBuilder<SqlBool> {
  return sql`(c.id = ${root} OR (c.id LIKE ${descendantPattern(root)} AND ascii(substr(c.id, ${root.length + 1}, 1)) BETWEEN 97 AND 122))`;
}

/** NodeMap defaults for the nodes that need them, in one query. */
async function nodeDefaults(kysely: Kysely<SmdTables>, input: readonly NewComponent[]) {
  const ids = input.filter(needsNodeDefaults).map((c) => c.id);
  const maps = new Map<string, NodeDefaults>();
  if (ids.length === 0) return maps;
  const rows = await kysely
    .selectFrom("node_maps")
    .select(["id", "nid", "role", "sub_role as subRole"])
    .where("id", "=", anyText(ids))
    .execute();
  for (const row of rows) maps.set(row.id, row);
  return maps;
}

/**
 * Inserts new components and, with `force`, overwrites State, Flag, Subtype, NetType, Arch
 * and Class of existing ones (§5.1), in one statement over `unnest` arrays. Reads first the
 * NodeMap defaults (one query) and, when forced, the current states (locked, for the
 * notifications). Unchanged rows are not written; the written ids go on the change feed.
 * For use inside a caller's transaction too (ingestion).
 */
export async function upsertComponents(
  tx: Tx,
  input: readonly NewComponent[],
  force: boolean,
): Promise<UpsertResult> {
  if (input.length === 0) return { written: [], created: [], restated: [] };
  const kysely = kyselyOf(tx);
  const maps = await nodeDefaults(kysely, input);
  const components = input.map((c) => withDefaults(c, maps.get(c.id)));
  const ids = components.map((c) => c.id);
  const before = new Map<string, string>();
  if (force) {
    const rows = await kysely
      .selectFrom("components")
      .select(["id", "state"])
      .where("id", "=", anyText(ids))
      .forUpdate()
      .execute();
    for (const row of rows) before.set(row.id, row.state);
  }
  const column = <K extends keyof ResolvedComponent>(key: K) => components.map((c) => c[key]);
  const rows = await kysely
    .insertInto("components")
    .columns([
      "id",
      "type",
      "state",
      "flag",
      "enabled",
      "software_status",
      "role",
      "sub_role",
      "nid",
      "subtype",
      "net_type",
      "arch",
      "class",
    ])
    .expression(
      sql`SELECT * FROM unnest(${ids}::text[], ${column("type")}::text[], ${column("state")}::text[],
        ${column("flag")}::text[], ${column("enabled")}::bool[], ${column("softwareStatus")}::text[],
        ${column("role")}::text[], ${column("subRole")}::text[], ${column("nid")}::int4[],
        ${column("subtype")}::text[], ${column("netType")}::text[], ${column("arch")}::text[],
        ${column("class")}::text[])`,
    )
    .onConflict((conflict) =>
      force
        ? conflict
            .column("id")
            .doUpdateSet((eb) => ({
              state: eb.ref("excluded.state"),
              flag: eb.ref("excluded.flag"),
              subtype: eb.ref("excluded.subtype"),
              net_type: eb.ref("excluded.net_type"),
              arch: eb.ref("excluded.arch"),
              class: eb.ref("excluded.class"),
            }))
            .where(
              sql<SqlBool>`(components.state, components.flag, components.subtype, components.net_type, components.arch, components.class)
                IS DISTINCT FROM (excluded.state, excluded.flag, excluded.subtype, excluded.net_type, excluded.arch, excluded.class)`,
            )
        : conflict.column("id").doNothing(),
    )
    .returning("id")
    .execute();
  const written = rows.map((row) => row.id);
  if (written.length > 0) recordChange(tx, COMPONENTS_RESOURCE, "upsert", written);
  const wrote = new Set(written);
  const changed = components.filter((c) => wrote.has(c.id));
  return {
    written,
    created: changed.filter((c) => !before.has(c.id)),
    restated: changed.filter((c) => before.has(c.id) && before.get(c.id) !== c.state),
  };
}

/** Field updates of the PATCH routes: column name -> new value. */
type FieldValues = Partial<
  Record<"enabled" | "software_status" | "role" | "sub_role" | "flag" | "nid", unknown>
>;

/** SQL for State/Components; every write is one transaction that also emits a change event. */
export class ComponentStore {
  constructor(private readonly db: Db) {}

  private get kysely(): Kysely<SmdTables> {
    return this.db.kysely as Kysely<SmdTables>;
  }

  /** A projection of the components `filter` selects within `scope`, sorted by id. */
  async list(
    filter: ComponentFilter,
    view: ComponentView = "default",
    scope: ComponentScope = { kind: "all" },
  ): Promise<ComponentRecord[]> {
    let query = this.kysely.selectFrom("components as c").select(SELECTIONS[view]);
    query = applyComponentFilter(query, filter, "c");
    if (scope.kind === "exact") query = query.where("c.id", "=", anyText(scope.ids));
    if (scope.kind === "descendants") {
      query = query.where(sql<SqlBool>`(${sql.join(scope.ids.map(descendantOf), sql` OR `)})`);
    }
    return (await query.orderBy("c.id").execute()) as ComponentRecord[];
  }

  async get(id: string): Promise<Component | undefined> {
    const row = await this.kysely
      .selectFrom("components as c")
      .select(SELECTIONS.default)
      .where("c.id", "=", id)
      .executeTakeFirst();
    return row as Component | undefined;
  }

  /** The first component (by id) holding `nid`; BulkNID does not keep NIDs unique. */
  async getByNid(nid: number): Promise<Component | undefined> {
    const row = await this.kysely
      .selectFrom("components as c")
      .select(SELECTIONS.default)
      .where("c.nid", "=", nid)
      .orderBy("c.id")
      .limit(1)
      .executeTakeFirst();
    return row as Component | undefined;
  }

  upsert(components: readonly NewComponent[], force: boolean): Promise<UpsertResult> {
    return this.db.transaction((tx) => upsertComponents(tx, components, force));
  }

  /** Deletes one component (memberships and reservation cascade), or all; returns the count. */
  delete(id?: string): Promise<number> {
    return deleteOneOrAll(this.db, COMPONENTS_RESOURCE, "components", id);
  }

  /** Writes `values` to those of `ids` where they differ; returns the ids changed. */
  setFields(ids: readonly string[], values: FieldValues): Promise<string[]> {
    const columns = Object.keys(values);
    const current = sql.join(columns.map((c) => sql.ref(c)));
    const wanted = sql.join(columns.map((c) => sql`${values[c as keyof FieldValues]}`));
    return this.update(ids, values, sql<SqlBool>`(${current}) IS DISTINCT FROM (${wanted})`);
  }

  /**
   * A StateData change (§5.2): only components in an allowed start state, a Locked flag
   * stays Locked, and rows already at the target are not written.
   */
  setState(ids: readonly string[], change: StateChange): Promise<string[]> {
    const flag = sql<string>`CASE WHEN flag = 'Locked' THEN flag ELSE ${change.flag} END`;
    const allowed = change.from ? sql`state = ${anyText(change.from)}` : sql`TRUE`;
    return this.update(
      ids,
      { state: change.state, flag },
      sql<SqlBool>`${allowed} AND (state <> ${change.state} OR flag <> ${flag})`,
    );
  }

  /** BulkNID: each id its own NID (the first entry per id wins); unknown ids are skipped. */
  setNids(entries: readonly { id: string; nid: number }[]): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      const { rows } = await sql<{ id: string }>`
        UPDATE components AS c SET nid = v.nid
        FROM unnest(${entries.map((e) => e.id)}::text[], ${entries.map((e) => e.nid)}::int4[]) AS v (id, nid)
        WHERE c.id = v.id AND c.nid <> v.nid
        RETURNING c.id`.execute(tx.kysely);
      return this.recordWritten(tx, rows);
    });
  }

  private update(
    ids: readonly string[],
    values: Record<string, unknown>,
    changed: RawBuilder<SqlBool>,
  ): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      const rows = await kyselyOf(tx)
        .updateTable("components")
        .set(values)
        .where("id", "=", anyText(ids))
        .where(changed)
        .returning("id")
        .execute();
      return this.recordWritten(tx, rows);
    });
  }

  /** RETURNING has no defined order; sorted ids keep events identical on every backend. */
  private recordWritten(tx: Tx, rows: readonly { id: string }[]): string[] {
    const ids = rows.map((r) => r.id).sort();
    if (ids.length > 0) recordChange(tx, COMPONENTS_RESOURCE, "upsert", ids);
    return ids;
  }
}
