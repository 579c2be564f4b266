import type { Db } from "@openchami/db";
import { type Kysely, sql } from "kysely";
import type { PowerMap } from "../domain/power-map.ts";
import type { SmdTables } from "./schema.ts";
import { deleteOneOrAll, writeTransaction } from "./write.ts";

const RESOURCE = "powermaps";

/** SQL for sysinfo/powermaps. */
export class PowerMapStore {
  constructor(private readonly db: Db) {}

  private get kysely(): Kysely<SmdTables> {
    return this.db.kysely as Kysely<SmdTables>;
  }

  async list(): Promise<PowerMap[]> {
    return this.kysely
      .selectFrom("power_maps")
      .select(["id", "powered_by as poweredBy"])
      .orderBy("id")
      .execute();
  }

  async get(id: string): Promise<PowerMap | undefined> {
    return this.kysely
      .selectFrom("power_maps")
      .select(["id", "powered_by as poweredBy"])
      .where("id", "=", id)
      .executeTakeFirst();
  }

  /** Inserts or replaces, in one statement over `unnest` (ids are unique within `maps`). */
  async upsert(maps: readonly PowerMap[]): Promise<void> {
    if (maps.length === 0) return;
    await writeTransaction(this.db, { resource: RESOURCE }, async (tx) => {
      // unnest cannot take a ragged text[][], so each map's supplies travel as a JSON array.
      await tx
        .insertInto("power_maps")
        .columns(["id", "powered_by"])
        .expression(
          sql`select id, array(select jsonb_array_elements_text(supplies))
              from unnest(${maps.map((m) => m.id)}::text[], ${maps.map((m) => JSON.stringify(m.poweredBy))}::jsonb[]) as u(id, supplies)`,
        )
        .onConflict((oc) =>
          oc.column("id").doUpdateSet((eb) => ({ powered_by: eb.ref("excluded.powered_by") })),
        )
        .execute();
      return maps.map((m) => m.id);
    });
  }

  /** Deletes one map, or all when `id` is undefined; returns how many went. */
  delete(id?: string): Promise<number> {
    return deleteOneOrAll(this.db, RESOURCE, "power_maps", id);
  }
}
