import type { Db } from "@openchami/db";
import { type Kysely, sql } from "kysely";
import type { ServiceEndpointFilter } from "../domain/endpoint-filters.ts";
import type { SmdTables } from "./schema.ts";
import { selectionCondition } from "./selection-sql.ts";
import { writeTransaction } from "./write.ts";

export const SERVICE_ENDPOINTS_RESOURCE = "ServiceEndpoints";

/** A ServiceEndpoint as on the wire (§3.6), RedfishEndpointFQDN joined from its endpoint. */
export interface ServiceEndpoint {
  RedfishEndpointID: string;
  RedfishType: string;
  RedfishSubtype?: string;
  UUID: string;
  OdataID: string;
  RedfishEndpointFQDN: string;
  RedfishURL: string;
  ServiceInfo: unknown;
}

/** SQL for Inventory/ServiceEndpoints (§3.6); rows come from a Redfish collector. */
export class ServiceEndpointStore {
  constructor(private readonly db: Db) {}

  private get kysely(): Kysely<SmdTables> {
    return this.db.kysely as Kysely<SmdTables>;
  }

  async list(filter: ServiceEndpointFilter): Promise<ServiceEndpoint[]> {
    const rows = await this.kysely
      .selectFrom("service_endpoints as se")
      .innerJoin("redfish_endpoints as rfe", "rfe.id", "se.redfish_endpoint_id")
      .select([
        "se.redfish_endpoint_id as RedfishEndpointID",
        "se.redfish_type as RedfishType",
        "se.redfish_subtype as RedfishSubtype",
        "se.uuid as UUID",
        "se.odata_id as OdataID",
        "rfe.fqdn as RedfishEndpointFQDN",
        "se.redfish_url as RedfishURL",
        "se.service_info as ServiceInfo",
      ])
      .where(selectionCondition(sql.ref("se.redfish_endpoint_id"), filter.redfishEndpointId))
      .where(selectionCondition(sql.ref("se.redfish_type"), filter.service))
      .orderBy("se.redfish_type")
      .orderBy("se.redfish_endpoint_id")
      .execute();
    // RedfishSubtype is omitted when empty, as upstream does.
    return rows.map(({ RedfishSubtype, ...row }) => (RedfishSubtype ? { ...row, RedfishSubtype } : row));
  }

  /** Deletes the matching service endpoints; returns how many went. */
  async delete(filter: ServiceEndpointFilter): Promise<number> {
    const write = { resource: SERVICE_ENDPOINTS_RESOURCE, op: "delete" } as const;
    const deleted = await writeTransaction(this.db, write, async (tx) => {
      const rows = await tx
        .deleteFrom("service_endpoints")
        .where(selectionCondition(sql.ref("redfish_endpoint_id"), filter.redfishEndpointId))
        .where(selectionCondition(sql.ref("redfish_type"), filter.service))
        .returning(["redfish_type", "redfish_endpoint_id"])
        .execute();
      return rows.map((r) => `${r.redfish_type}/${r.redfish_endpoint_id}`);
    });
    return deleted.length;
  }
}
