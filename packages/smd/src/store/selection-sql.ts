import { type Expression, type RawBuilder, type SqlBool, sql } from "kysely";
import type { Selection } from "../domain/component-filter.ts";

/** `column = ANY(include) AND column <> ALL(exclude)`, or TRUE when nothing is selected. */
export function selectionCondition(
  column: Expression<unknown> | RawBuilder<unknown>,
  selection: Selection<string> | undefined,
): RawBuilder<SqlBool> {
  const conditions: RawBuilder<SqlBool>[] = [];
  if (selection?.include.length) conditions.push(sql`${column} = ANY(${[...selection.include]}::text[])`);
  if (selection?.exclude.length) conditions.push(sql`${column} <> ALL(${[...selection.exclude]}::text[])`);
  return conditions.length === 0 ? sql<SqlBool>`TRUE` : sql<SqlBool>`(${sql.join(conditions, sql` AND `)})`;
}
