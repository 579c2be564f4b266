import type { Db } from "@openchami/db";
import { type Kysely, sql } from "kysely";
import type { ComponentEndpointRow } from "../domain/component-endpoint.ts";
import type { ComponentEndpointFilter } from "../domain/endpoint-filters.ts";
import { recordChange } from "./changes.ts";
import { COMPONENT_ENDPOINTS_RESOURCE, type EndpointsDeleted, markComponentsEmpty } from "./ingestion.ts";
import type { SmdTables } from "./schema.ts";
import { selectionCondition } from "./selection-sql.ts";
import { kyselyOf } from "./write.ts";

/** SQL for Inventory/ComponentEndpoints (§3.5); written only by ingestion (store/ingestion.ts). */
export class ComponentEndpointStore {
  constructor(private readonly db: Db) {}

  private get kysely(): Kysely<SmdTables> {
    return this.db.kysely as Kysely<SmdTables>;
  }

  /** The info blob comes back as the database's JSON text, to be spliced, not re-encoded. */
  private select() {
    return this.kysely
      .selectFrom("component_endpoints as ce")
      .innerJoin("redfish_endpoints as rfe", "rfe.id", "ce.redfish_endpoint_id")
      .select([
        "ce.id",
        "ce.type",
        "ce.domain",
        "ce.fqdn",
        "ce.redfish_type as redfishType",
        "ce.redfish_subtype as redfishSubtype",
        "ce.mac_addr as macAddr",
        "ce.uuid",
        "ce.odata_id as odataId",
        "ce.redfish_endpoint_id as redfishEndpointId",
        "ce.enabled",
        "rfe.fqdn as redfishEndpointFqdn",
        "ce.redfish_url as redfishUrl",
        "ce.component_endpoint_type as componentEndpointType",
        sql<string>`ce.info::text`.as("infoJson"),
      ]);
  }

  list(filter: ComponentEndpointFilter = {}): Promise<ComponentEndpointRow[]> {
    return this.select()
      .where(selectionCondition(sql.ref("ce.id"), filter.id))
      .where(selectionCondition(sql.ref("ce.redfish_endpoint_id"), filter.redfishEndpointId))
      .where(selectionCondition(sql.ref("ce.type"), filter.type))
      .where(selectionCondition(sql.ref("ce.redfish_type"), filter.redfishType))
      .orderBy("ce.id")
      .execute();
  }

  get(id: string): Promise<ComponentEndpointRow | undefined> {
    return this.select().where("ce.id", "=", id).executeTakeFirst();
  }

  /** Deletes one, or all when `id` is undefined; their components stay, set Empty/OK (§5.6). */
  delete(id?: string): Promise<EndpointsDeleted> {
    return this.db.transaction(async (tx) => {
      let query = kyselyOf(tx).deleteFrom("component_endpoints");
      if (id !== undefined) query = query.where("id", "=", id);
      const deleted = (await query.returning("id").execute()).map((r) => r.id);
      if (deleted.length > 0) recordChange(tx, COMPONENT_ENDPOINTS_RESOURCE, "delete", deleted);
      return { count: deleted.length, emptied: await markComponentsEmpty(tx, deleted) };
    });
  }
}
