import type { Problem } from "@openchami/core";
import type { Db } from "@openchami/db";
import type { Transaction } from "kysely";
import { recordChange, type SmdChange } from "./changes.ts";
import type { SmdTables } from "./schema.ts";

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
      const ids = await fn(tx.kysely as unknown as Transaction<SmdTables>);
      if (ids.length > 0) recordChange(tx, resource, op, ids);
      return ids;
    });
  } catch (err) {
    throw byConstraint(err, constraints);
  }
}
