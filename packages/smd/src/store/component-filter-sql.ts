import { type Expression, type RawBuilder, type SqlBool, sql } from "kysely";
import type { ComponentFilter, NidRange, Selection } from "../domain/component-filter.ts";
import { allOf, selectionConditions } from "./selection-sql.ts";

type Condition = RawBuilder<SqlBool>;

function rangeCondition(nid: Expression<unknown>, range: NidRange): Condition {
  return range.end === undefined
    ? sql`${nid} >= ${range.start}`
    : sql`(${nid} >= ${range.start} AND ${nid} <= ${range.end})`;
}

/** NID ranges OR each other and the plain NIDs; excluded NIDs still AND. */
function nidConditions(nid: Expression<unknown>, filter: ComponentFilter): Condition[] {
  const ranges = filter.nidRanges ?? [];
  if (ranges.length === 0) return selectionConditions(nid, filter.nid, "int4");
  const alternatives = ranges.map((range) => rangeCondition(nid, range));
  const [included, excluded] = [filter.nid?.include ?? [], filter.nid?.exclude ?? []];
  if (included.length > 0) alternatives.push(sql`${nid} = ANY(${[...included]}::int4[])`);
  return [
    sql`(${sql.join(alternatives, sql` OR `)})`,
    ...selectionConditions(nid, { include: [], exclude: excluded }, "int4"),
  ];
}

/** Where memberships live: groups by label, partitions by name. */
const MEMBERSHIPS = {
  group: { table: "group_members", name: "group_label" },
  partition: { table: "partition_members", name: "partition_name" },
} as const;

/**
 * Group/partition filters as EXISTS subqueries over the member tables (indexed by component):
 * included names OR (with `null` = in none), excluded names AND.
 */
function membershipConditions(
  id: Expression<unknown>,
  kind: keyof typeof MEMBERSHIPS,
  selection: Selection<string | null> | undefined,
): Condition[] {
  if (!selection) return [];
  const { table, name } = MEMBERSHIPS[kind];
  const member = sql`SELECT 1 FROM ${sql.table(table)} AS filter_m WHERE filter_m.component_id = ${id}`;
  const inAny = (names: (string | null)[]) => {
    const labels = names.filter((n) => n !== null);
    return sql<SqlBool>`EXISTS (${member} AND ${sql.ref(`filter_m.${name}`)} = ANY(${labels}::text[]))`;
  };
  const conditions: Condition[] = [];
  const { include, exclude } = selection;
  if (include.length > 0) {
    const alternatives: Condition[] = [];
    if (include.some((n) => n !== null)) alternatives.push(inAny([...include]));
    if (include.includes(null)) alternatives.push(sql`NOT EXISTS (${member})`);
    conditions.push(sql`(${sql.join(alternatives, sql` OR `)})`);
  }
  if (exclude.some((n) => n !== null)) conditions.push(sql`NOT ${inAny([...exclude])}`);
  if (exclude.includes(null)) conditions.push(sql`EXISTS (${member})`);
  return conditions;
}

/**
 * The SQL condition for `filter` over the components table as `alias` (for an update or a
 * join), or undefined when the filter selects every component.
 */
export function componentFilterCondition(
  filter: ComponentFilter,
  alias = "components",
): Condition | undefined {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  const conditions = [
    ...selectionConditions(column("id"), filter.id, "text"),
    ...selectionConditions(column("type"), filter.type, "text"),
    ...selectionConditions(column("state"), filter.state, "text"),
    ...selectionConditions(column("flag"), filter.flag, "text"),
    ...selectionConditions(column("enabled"), filter.enabled, "bool"),
    ...selectionConditions(column("software_status"), filter.softwareStatus, "text"),
    ...selectionConditions(column("role"), filter.role, "text"),
    ...selectionConditions(column("sub_role"), filter.subRole, "text"),
    ...selectionConditions(column("subtype"), filter.subtype, "text"),
    ...selectionConditions(column("arch"), filter.arch, "text"),
    ...selectionConditions(column("class"), filter.class, "text"),
    ...selectionConditions(column("reservation_disabled"), filter.reservationDisabled, "bool"),
    ...selectionConditions(column("locked"), filter.locked, "bool"),
    ...nidConditions(column("nid"), filter),
    ...membershipConditions(column("id"), "group", filter.group),
    ...membershipConditions(column("id"), "partition", filter.partition),
  ];
  return conditions.length === 0 ? undefined : allOf(conditions);
}

/** Anything with Kysely's `where(expression)`: select, update and delete builders. */
interface Filterable<Q> {
  where(expression: Expression<SqlBool>): Q;
}

/** Adds `filter` to a query over the components table as `alias`. */
export function applyComponentFilter<Q extends Filterable<Q>>(
  query: Q,
  filter: ComponentFilter,
  alias = "components",
): Q {
  const condition = componentFilterCondition(filter, alias);
  return condition ? query.where(condition) : query;
}
