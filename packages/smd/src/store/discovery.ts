import type { Db } from "@openchami/db";
import type { Kysely } from "kysely";
import type { DiscoveryState, DiscoveryStatus } from "../domain/discovery.ts";
import type { SmdTables } from "./schema.ts";
import { writeTransaction } from "./write.ts";

const RESOURCE = "DiscoveryStatus";

/** The RedfishEndpoint columns discovery reads (the table belongs to the RFE store). */
interface EndpointView {
  redfish_endpoints: { id: string; enabled: boolean };
}

export interface EndpointRef {
  id: string;
  enabled: boolean;
}

interface StatusRow {
  id: number;
  status: string;
  last_update: Date;
  details: unknown;
}

function fromRow(row: StatusRow): DiscoveryStatus {
  return {
    id: row.id,
    status: row.status as DiscoveryState,
    lastUpdate: row.last_update,
    details: row.details,
  };
}

/** SQL for DiscoveryStatus and the RedfishEndpoint lookups of POST /Inventory/Discover. */
export class DiscoveryStore {
  constructor(private readonly db: Db) {}

  private get kysely(): Kysely<SmdTables> {
    return this.db.kysely as Kysely<SmdTables>;
  }

  async list(): Promise<DiscoveryStatus[]> {
    const rows = await this.kysely.selectFrom("discovery_status").selectAll().orderBy("id").execute();
    return rows.map(fromRow);
  }

  async get(id: number): Promise<DiscoveryStatus | undefined> {
    const row = await this.kysely
      .selectFrom("discovery_status")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  async set(id: number, status: DiscoveryState, details: unknown): Promise<void> {
    await writeTransaction(this.db, { resource: RESOURCE }, async (tx) => {
      const row = { id, status, details: details === null ? null : JSON.stringify(details) };
      await tx
        .insertInto("discovery_status")
        .values(row)
        .onConflict((oc) =>
          oc.column("id").doUpdateSet((eb) => ({
            status: eb.ref("excluded.status"),
            details: eb.ref("excluded.details"),
            last_update: eb.fn("now"),
          })),
        )
        .execute();
      return [String(id)];
    });
  }

  /** The endpoints with these IDs (all when undefined), sorted by ID. */
  async endpoints(ids?: readonly string[]): Promise<EndpointRef[]> {
    if (ids?.length === 0) return [];
    let query = (this.db.kysely as Kysely<EndpointView>)
      .selectFrom("redfish_endpoints")
      .select(["id", "enabled"])
      .orderBy("id");
    if (ids !== undefined) query = query.where("id", "in", ids);
    return query.execute();
  }
}
