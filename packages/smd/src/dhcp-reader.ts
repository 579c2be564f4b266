import type { Db } from "@openchami/db";
import { type Kysely, type SelectQueryBuilder, type SqlBool, sql } from "kysely";
import { COMPONENTS_RESOURCE } from "./store/components.ts";
import { INTERFACES_RESOURCE } from "./store/ethernet-interfaces.ts";
import type { SmdTables } from "./store/schema.ts";
import { anyText } from "./store/selection-sql.ts";

/** A component as DHCP needs it: the fields of `GET /State/Components` it reads. */
export interface DhcpComponentRow {
  ID: string;
  Type: string;
  Enabled: boolean;
  /** Absent when SMD has none (−1). */
  NID?: number;
}

/** An interface as DHCP needs it: the fields of `GET /Inventory/EthernetInterfaces` it reads. */
export interface DhcpInterfaceRow {
  ID: string;
  MACAddress: string;
  ComponentID: string;
  IPAddresses: { IPAddress: string }[];
}

/** Change-feed resources whose writes change what DHCP reads. */
export const DHCP_RESOURCES: ReadonlySet<string> = new Set([COMPONENTS_RESOURCE, INTERFACES_RESOURCE]);
export { COMPONENTS_RESOURCE as DHCP_COMPONENTS, INTERFACES_RESOURCE as DHCP_INTERFACES };

/**
 * Rows per query of a full read. PGlite runs each query synchronously on the event loop, so a
 * full read of 10,000 rows in one query stalls DHCP for a quarter of a second; pages of this
 * size take a few milliseconds each, and the caller yields between them.
 */
export const DHCP_PAGE_ROWS = 250;

export interface DhcpRowQuery {
  /** Keyset paging: rows with an id after this one. */
  after?: string;
  /** Only these ids (a change event's). */
  ids?: readonly string[];
  limit?: number;
}

function kysely(db: Db): Kysely<SmdTables> {
  return db.kysely as unknown as Kysely<SmdTables>;
}

/** Narrows a select on an `id`-keyed table to the page or the ids `query` asks for. */
function rowsAsked<TB extends keyof SmdTables, O>(
  select: SelectQueryBuilder<SmdTables, TB, O>,
  query: DhcpRowQuery,
): SelectQueryBuilder<SmdTables, TB, O> {
  let narrowed = select;
  if (query.after !== undefined) narrowed = narrowed.where(sql<SqlBool>`id > ${query.after}`);
  if (query.ids) narrowed = narrowed.where(sql<SqlBool>`id = ${anyText(query.ids)}`);
  return query.limit === undefined ? narrowed : narrowed.limit(query.limit);
}

/** Components of every type (BMCs and switches get addresses too), ordered by id. */
export async function readDhcpComponents(db: Db, query: DhcpRowQuery = {}): Promise<DhcpComponentRow[]> {
  const select = kysely(db).selectFrom("components").select(["id", "type", "enabled", "nid"]).orderBy("id");
  const rows = await select.$call((q) => rowsAsked(q, query)).execute();
  return rows.map((r) => ({
    ID: r.id,
    Type: r.type,
    Enabled: r.enabled,
    ...(r.nid >= 0 ? { NID: r.nid } : {}),
  }));
}

/** Every EthernetInterface, ordered by id. */
export async function readDhcpInterfaces(db: Db, query: DhcpRowQuery = {}): Promise<DhcpInterfaceRow[]> {
  const select = kysely(db)
    .selectFrom("ethernet_interfaces")
    .select(["id", "mac_address", "component_id", "ip_addresses"])
    .orderBy("id");
  const rows = await select.$call((q) => rowsAsked(q, query)).execute();
  return rows.map((r) => ({
    ID: r.id,
    MACAddress: r.mac_address,
    ComponentID: r.component_id,
    IPAddresses: r.ip_addresses as { IPAddress: string }[],
  }));
}
