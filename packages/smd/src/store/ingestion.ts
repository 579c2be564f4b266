import type { Tx } from "@openchami/db";
import { sql } from "kysely";
import type { ComponentEndpoint } from "../domain/component-endpoint.ts";
import type { IngestedComponent, IngestionPlan } from "../domain/ingestion.ts";
import { recordChange } from "./changes.ts";
import { COMPONENTS_RESOURCE } from "./components.ts";
import { insertInterfaces } from "./ethernet-interfaces.ts";
import { kyselyOf } from "./write.ts";

/**
 * What RedfishEndpoint ingestion (smd.md §5.4) and the endpoint deletes (§5.6) write to
 * components, ComponentEndpoints and EthernetInterfaces, always inside the caller's
 * transaction so a request stores all of it or nothing (D2).
 */

export const COMPONENT_ENDPOINTS_RESOURCE = "ComponentEndpoints";

/**
 * Serialises NID allocation across processes: transaction-scoped, so it is released at
 * commit or rollback. The key is arbitrary but fixed ("SMDNID" in ASCII).
 */
const NID_ALLOCATION_LOCK = 0x534d444e4944;

/** Writes an ingestion plan. `create` (POST): an existing interface is a 409; `replace` (PUT) overwrites it. */
export async function writeIngestion(tx: Tx, plan: IngestionPlan, mode: "create" | "replace"): Promise<void> {
  await upsertIngestedComponents(tx, plan.components);
  await upsertComponentEndpoints(tx, plan.componentEndpoints);
  await insertInterfaces(tx, plan.interfaces, mode);
}

const NODE_TYPES = ["Node", "VirtualNode"];

/**
 * Inserts new components and on conflict updates only State and Flag, and only with
 * non-empty values: ingestion never carries Subtype, NetType, Arch or Class, so those, like
 * NIDs and roles, survive (§5.4). A new node takes its NodeMap's NID and roles; one without
 * a NodeMap gets the next free NIDs (D2). One statement unless such nodes are new.
 */
async function upsertIngestedComponents(tx: Tx, components: readonly IngestedComponent[]): Promise<void> {
  if (components.length === 0) return;
  const column = <T>(pick: (c: IngestedComponent) => T) => components.map(pick);
  const { rows } = await sql<{ id: string; needsNid: boolean }>`
    INSERT INTO components (id, type, state, flag, enabled, nid, role, sub_role)
    SELECT c.id, c.type, c.state, c.flag, c.enabled, coalesce(m.nid, -1), coalesce(m.role, ''), coalesce(m.sub_role, '')
    FROM unnest(${column((c) => c.id)}::text[], ${column((c) => c.type)}::text[], ${column((c) => c.state)}::text[],
      ${column((c) => c.flag)}::text[], ${column((c) => c.enabled)}::bool[]) WITH ORDINALITY AS c (id, type, state, flag, enabled, ord)
    LEFT JOIN node_maps AS m ON m.id = c.id AND c.type = ANY(${NODE_TYPES}::text[])
    ORDER BY c.ord
    ON CONFLICT (id) DO UPDATE SET
      state = coalesce(nullif(excluded.state, ''), components.state),
      flag = coalesce(nullif(excluded.flag, ''), components.flag)
    RETURNING id, (xmax = 0 AND nid = -1 AND type = ANY(${NODE_TYPES}::text[])) AS "needsNid"`.execute(
    tx.kysely,
  );
  const needNids = new Set(rows.filter((r) => r.needsNid).map((r) => r.id));
  // In body order, so a BMC's n0 gets a lower NID than its n1.
  if (needNids.size > 0)
    await assignFreeNids(
      tx,
      column((c) => c.id).filter((id) => needNids.has(id)),
    );
  recordChange(
    tx,
    COMPONENTS_RESOURCE,
    "upsert",
    components.map((c) => c.id),
  );
}

/**
 * Gives `ids`, in order, the smallest integers ≥ 1 held by no component and reserved by no
 * NodeMap. The allocation lock is taken first, in its own statement, so the allocating
 * statement's snapshot sees every NID committed by an ingestion that held the lock before:
 * parallel ingestions never hand out the same NID.
 */
async function assignFreeNids(tx: Tx, ids: readonly string[]): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${NID_ALLOCATION_LOCK}::int8)`.execute(tx.kysely);
  // Among 1..(used + count) at least `count` are free, so the series is long enough.
  await sql`
    WITH used AS (
      SELECT nid FROM components WHERE nid > 0
      UNION SELECT nid FROM node_maps
    ),
    free AS (
      SELECT n::int4 AS nid, row_number() OVER (ORDER BY n) AS ord
      FROM generate_series(1, (SELECT count(*) FROM used) + ${ids.length}::int4) AS n
      WHERE n NOT IN (SELECT nid FROM used)
      ORDER BY n
      LIMIT ${ids.length}::int4
    )
    UPDATE components AS c SET nid = free.nid
    FROM unnest(${ids}::text[]) WITH ORDINALITY AS t (id, ord)
    JOIN free ON free.ord = t.ord
    WHERE c.id = t.id`.execute(tx.kysely);
}

async function upsertComponentEndpoints(tx: Tx, endpoints: readonly ComponentEndpoint[]): Promise<void> {
  if (endpoints.length === 0) return;
  await kyselyOf(tx)
    .insertInto("component_endpoints")
    .values(
      endpoints.map((e) => ({
        id: e.id,
        type: e.type,
        domain: e.domain,
        fqdn: e.fqdn,
        redfish_type: e.redfishType,
        redfish_subtype: e.redfishSubtype,
        mac_addr: e.macAddr,
        uuid: e.uuid,
        odata_id: e.odataId,
        redfish_endpoint_id: e.redfishEndpointId,
        enabled: e.enabled,
        redfish_url: e.redfishUrl,
        component_endpoint_type: e.componentEndpointType,
        info: JSON.stringify(e.info),
      })),
    )
    .onConflict((conflict) =>
      conflict.column("id").doUpdateSet((eb) => ({
        type: eb.ref("excluded.type"),
        domain: eb.ref("excluded.domain"),
        fqdn: eb.ref("excluded.fqdn"),
        redfish_type: eb.ref("excluded.redfish_type"),
        redfish_subtype: eb.ref("excluded.redfish_subtype"),
        mac_addr: eb.ref("excluded.mac_addr"),
        uuid: eb.ref("excluded.uuid"),
        odata_id: eb.ref("excluded.odata_id"),
        redfish_endpoint_id: eb.ref("excluded.redfish_endpoint_id"),
        enabled: eb.ref("excluded.enabled"),
        redfish_url: eb.ref("excluded.redfish_url"),
        component_endpoint_type: eb.ref("excluded.component_endpoint_type"),
        info: eb.ref("excluded.info"),
      })),
    )
    .execute();
  recordChange(
    tx,
    COMPONENT_ENDPOINTS_RESOURCE,
    "upsert",
    endpoints.map((e) => e.id),
  );
}

/**
 * Deleting a ComponentEndpoint or its RedfishEndpoint leaves the component, set to
 * Empty/OK (§5.6); rows already so are not written. Returns the ids changed (for SCN).
 */
export async function markComponentsEmpty(tx: Tx, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<{ id: string }>`
    UPDATE components SET state = 'Empty', flag = 'OK'
    WHERE id = ANY(${ids}::text[]) AND (state, flag) IS DISTINCT FROM ('Empty', 'OK')
    RETURNING id`.execute(tx.kysely);
  const changed = rows.map((r) => r.id);
  if (changed.length > 0) recordChange(tx, COMPONENTS_RESOURCE, "upsert", changed);
  return changed;
}

/** What a delete of endpoints did: how many went, and which components it set Empty. */
export interface EndpointsDeleted {
  count: number;
  emptied: string[];
}
