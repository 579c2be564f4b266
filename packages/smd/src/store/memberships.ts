import type { Db } from "@openchami/db";
import { type Kysely, sql } from "kysely";
import type { ComponentFilter } from "../domain/component-filter.ts";
import { applyComponentFilter } from "./component-filter-sql.ts";
import type { SmdTables } from "./schema.ts";

/** A component's partition (`""` when none) and group labels (sorted bytewise). */
export interface Membership {
  id: string;
  partitionName: string;
  groupLabels: string[];
}

/** memberships (spec smd.md §3.12): read-only views over components and their member rows. */
export class MembershipStore {
  constructor(private readonly db: Db) {}

  private get kysely(): Kysely<SmdTables> {
    return this.db.kysely as Kysely<SmdTables>;
  }

  /**
   * One statement for any number of components: the partition by a left join, the group
   * labels by an indexed sub-select per row, in `COLLATE "C"` so the order never depends on
   * the server's locale (cloud-init merges groups in this order).
   */
  list(filter: ComponentFilter, id?: string): Promise<Membership[]> {
    let query = this.kysely
      .selectFrom("components as c")
      .leftJoin("partition_members as pm", "pm.component_id", "c.id")
      .select([
        "c.id",
        sql<string>`coalesce(pm.partition_name, '')`.as("partitionName"),
        sql<
          string[]
        >`ARRAY(SELECT gm.group_label FROM group_members gm WHERE gm.component_id = c.id ORDER BY gm.group_label COLLATE "C")`.as(
          "groupLabels",
        ),
      ]);
    query = applyComponentFilter(query, filter, "c");
    if (id !== undefined) query = query.where("c.id", "=", id);
    return query.orderBy("c.id").execute();
  }
}
