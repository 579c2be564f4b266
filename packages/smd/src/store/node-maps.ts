import type { Db } from "@openchami/db";
import type { Kysely } from "kysely";
import type { NodeMap } from "../domain/node-map.ts";
import type { NodeMapsTable, SmdTables } from "./schema.ts";
import { deleteOneOrAll, writeTransaction } from "./write.ts";

const RESOURCE = "NodeMaps";

function fromRow(row: NodeMapsTable): NodeMap {
  return { id: row.id, nid: row.nid, role: row.role, subRole: row.sub_role, nodeInfo: row.node_info };
}

function toRow(map: NodeMap): NodeMapsTable {
  return {
    id: map.id,
    nid: map.nid,
    role: map.role,
    sub_role: map.subRole,
    node_info: map.nodeInfo === null ? null : JSON.stringify(map.nodeInfo),
  };
}

/** SQL for Defaults/NodeMaps; every write is one transaction that also emits a change event. */
export class NodeMapStore {
  constructor(private readonly db: Db) {}

  private get kysely(): Kysely<SmdTables> {
    return this.db.kysely as Kysely<SmdTables>;
  }

  async list(): Promise<NodeMap[]> {
    const rows = await this.kysely.selectFrom("node_maps").selectAll().orderBy("id").execute();
    return rows.map(fromRow);
  }

  async get(id: string): Promise<NodeMap | undefined> {
    const row = await this.kysely.selectFrom("node_maps").selectAll().where("id", "=", id).executeTakeFirst();
    return row && fromRow(row);
  }

  /** Insert or replace; a NID held by another node violates `node_maps_nid_unique` (→ 409). */
  async upsert(maps: readonly NodeMap[]): Promise<void> {
    if (maps.length === 0) return;
    await writeTransaction(this.db, { resource: RESOURCE }, async (tx) => {
      await tx
        .insertInto("node_maps")
        .values(maps.map(toRow))
        .onConflict((oc) =>
          oc.column("id").doUpdateSet((eb) => ({
            nid: eb.ref("excluded.nid"),
            role: eb.ref("excluded.role"),
            sub_role: eb.ref("excluded.sub_role"),
            node_info: eb.ref("excluded.node_info"),
          })),
        )
        .execute();
      return maps.map((m) => m.id);
    });
  }

  /** Deletes one NodeMap, or all when `id` is undefined; returns how many went. */
  delete(id?: string): Promise<number> {
    return deleteOneOrAll(this.db, RESOURCE, "node_maps", id);
  }
}
