import type { Problem } from "@openchami/core";
import type { Db, Tx } from "@openchami/db";
import type { Selectable, Transaction } from "kysely";
import { recordChange, type SmdChange } from "./changes.ts";
import type { SmdTables } from "./schema.ts";

/** A transaction's Kysely, typed with SMD's tables (`Tx` knows none). */
export function kyselyOf(tx: Tx): Transaction<SmdTables> {
  return tx.kysely as unknown as Transaction<SmdTables>;
}

/** Spec-specific answers for violations of named constraints. */
export type ConstraintProblems = Readonly<Record<string, () => Problem>>;

/**
 * The error a failed write answers with, chosen by the violated constraint's name (both
 * node-postgres and PGlite report it as `constraint`), so a spec-specific 409 or 400 never
 * depends on message text. Anything else is returned unchanged for the app's fallback mapper.
 */
export function byConstraint(err: unknown, problems: ConstraintProblems): unknown {
  const constraint =
    typeof err === "object" && err !== null && "constraint" in err ? err.constraint : undefined;
  const build = typeof constraint === "string" ? problems[constraint] : undefined;
  return build ? build() : err;
}

export interface WriteOptions {
  resource: string;
  op?: SmdChange["op"];
  constraints?: ConstraintProblems;
}

/**
 * Runs `fn` in one transaction and records a change event for the ids it returns (none:
 * nothing changed, no event). Constraint violations become the spec's answers.
 */
export async function writeTransaction(
  db: Db,
  { resource, op = "upsert", constraints = {} }: WriteOptions,
  fn: (tx: Transaction<SmdTables>) => Promise<string[]>,
): Promise<string[]> {
  try {
    return await db.transaction(async (tx) => {
      const ids = await fn(kyselyOf(tx));
      if (ids.length > 0) recordChange(tx, resource, op, ids);
      return ids;
    });
  } catch (err) {
    throw byConstraint(err, constraints);
  }
}

/** The tables with an `id` column. */
type IdTable = { [T in keyof SmdTables]: "id" extends keyof SmdTables[T] ? T : never }[keyof SmdTables];
type IdOf<T extends IdTable> = Selectable<SmdTables[T]> extends { id: infer K } ? K : never;

/**
 * Deletes the row `id`, or every row when `id` is undefined, in one transaction with one
 * change event for the ids that went; returns how many went.
 */
export async function deleteOneOrAll<T extends IdTable>(
  db: Db,
  resource: string,
  table: T,
  id?: IdOf<T>,
): Promise<number> {
  const deleted = await writeTransaction(db, { resource, op: "delete" }, async (tx) => {
    let query = tx.deleteFrom(table as IdTable);
    if (id !== undefined) query = query.where("id", "=", id as string | number);
    return (await query.returning("id").execute()).map((row) => String(row.id));
  });
  return deleted.length;
}
