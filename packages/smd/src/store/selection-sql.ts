import { type Expression, type RawBuilder, type SqlBool, sql } from "kysely";
import type { Selection } from "../domain/component-filter.ts";

type Condition = RawBuilder<SqlBool>;

/** `= any($1::text[])`: one parameter however long the list. */
export function anyText(values: readonly string[]) {
  return sql<string>`any(${values}::text[])`;
}

/** All of `conditions` (TRUE when there are none). */
export function allOf(conditions: readonly Condition[]): Condition {
  return conditions.length === 0 ? sql<SqlBool>`TRUE` : sql<SqlBool>`(${sql.join(conditions, sql` AND `)})`;
}

/**
 * `column = ANY(include)` and `column <> ALL(exclude)`, each one array parameter of
 * `pgType[]`; none for a side the selection leaves empty.
 */
export function selectionConditions<T>(
  column: Expression<unknown>,
  selection: Selection<T> | undefined,
  pgType = "text",
): Condition[] {
  if (!selection) return [];
  const cast = sql.raw(`::${pgType}[]`);
  const conditions: Condition[] = [];
  if (selection.include.length > 0) conditions.push(sql`${column} = ANY(${[...selection.include]}${cast})`);
  if (selection.exclude.length > 0) conditions.push(sql`${column} <> ALL(${[...selection.exclude]}${cast})`);
  return conditions;
}

/** A text column's selection as one condition, TRUE when nothing is selected. */
export function selectionCondition(
  column: Expression<unknown>,
  selection: Selection<string> | undefined,
): Condition {
  return allOf(selectionConditions(column, selection));
}
