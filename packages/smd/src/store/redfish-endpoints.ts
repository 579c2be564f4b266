import { errors } from "@openchami/core";
import type { Db } from "@openchami/db";
import { type Kysely, sql } from "kysely";
import type { EndpointFilter } from "../domain/endpoint-filters.ts";
import type { IngestionPlan } from "../domain/ingestion.ts";
import type { DiscoveryInfo, RedfishEndpoint, StoredEndpoint } from "../domain/redfish-endpoint.ts";
import { recordChange } from "./changes.ts";
import {
  COMPONENT_ENDPOINTS_RESOURCE,
  type EndpointsDeleted,
  markComponentsEmpty,
  writeIngestion,
} from "./ingestion.ts";
import type { RedfishEndpointsTable, SmdTables } from "./schema.ts";
import { selectionCondition } from "./selection-sql.ts";
import { byConstraint, kyselyOf } from "./write.ts";

export const ENDPOINTS_RESOURCE = "RedfishEndpoints";

/**
 * How an endpoint's password is kept at rest (D3). Stored as given for now; a configured
 * secret key will swap in a vault that encrypts (AES-256-GCM) here, and only the Redfish
 * collector will ever read it back.
 */
export interface PasswordVault {
  seal(password: string): string;
}

export const PASSWORDS_AS_GIVEN: PasswordVault = { seal: (password) => password };

const SAME_FQDN = "operation would conflict with an existing resource that has the same FQDN";
const SAME_FQDN_OR_ID = `${SAME_FQDN} or xname ID.`;

const FQDN_TAKEN = { redfish_endpoints_fqdn_unique: () => errors.conflict(SAME_FQDN) };

type Row = Omit<RedfishEndpointsTable, "discovery_info" | "password"> & { discovery_info: unknown };

function fromRow(row: Row): StoredEndpoint {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    hostname: row.hostname,
    domain: row.domain,
    fqdn: row.fqdn,
    enabled: row.enabled,
    uuid: row.uuid,
    user: row.username,
    password: "",
    useSsdp: row.use_ssdp,
    macRequired: row.mac_required,
    macAddr: row.mac_addr,
    ipAddress: row.ip_address,
    rediscoverOnUpdate: row.rediscover_on_update,
    templateId: row.template_id,
    discoveryInfo: row.discovery_info as DiscoveryInfo,
  };
}

/** Every column but the password, which is never read back here (D3). */
const COLUMNS = [
  "id",
  "type",
  "name",
  "hostname",
  "domain",
  "fqdn",
  "enabled",
  "uuid",
  "username",
  "use_ssdp",
  "mac_required",
  "mac_addr",
  "ip_address",
  "rediscover_on_update",
  "template_id",
  "discovery_info",
] as const;

/** SQL for Inventory/RedfishEndpoints (§3.4); each write, ingestion included, is one transaction. */
export class RedfishEndpointStore {
  constructor(
    private readonly db: Db,
    private readonly passwords: PasswordVault = PASSWORDS_AS_GIVEN,
  ) {}

  private get kysely(): Kysely<SmdTables> {
    return this.db.kysely as Kysely<SmdTables>;
  }

  private toRow(e: RedfishEndpoint) {
    return {
      id: e.id,
      type: e.type,
      name: e.name,
      hostname: e.hostname,
      domain: e.domain,
      fqdn: e.fqdn,
      enabled: e.enabled,
      uuid: e.uuid,
      username: e.user,
      password: e.password === "" ? "" : this.passwords.seal(e.password),
      use_ssdp: e.useSsdp,
      mac_required: e.macRequired,
      mac_addr: e.macAddr,
      ip_address: e.ipAddress,
      rediscover_on_update: e.rediscoverOnUpdate,
      template_id: e.templateId,
    };
  }

  async list(filter: EndpointFilter = {}): Promise<StoredEndpoint[]> {
    const rows = await this.kysely
      .selectFrom("redfish_endpoints")
      .select(COLUMNS)
      .where(selectionCondition(sql.ref("id"), filter.id))
      .where(selectionCondition(sql.ref("fqdn"), filter.fqdn))
      .where(selectionCondition(sql.ref("type"), filter.type))
      .where(selectionCondition(sql.ref("uuid"), filter.uuid))
      .where(selectionCondition(sql.ref("mac_addr"), filter.macAddr))
      .where(selectionCondition(sql.ref("ip_address"), filter.ipAddress))
      .where(selectionCondition(sql`discovery_info->>'LastDiscoveryStatus'`, filter.lastStatus))
      .orderBy("id")
      .execute();
    return rows.map(fromRow);
  }

  async get(id: string): Promise<StoredEndpoint | undefined> {
    const row = await this.kysely
      .selectFrom("redfish_endpoints")
      .select(COLUMNS)
      .where("id", "=", id)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /**
   * POST: inserts the endpoints and writes the ingestion plan of a single-object body, all
   * or nothing (D2). An existing ID or FQDN is a 409.
   */
  async create(endpoints: readonly RedfishEndpoint[], plan?: IngestionPlan): Promise<void> {
    if (endpoints.length === 0) return;
    await this.db.transaction(async (tx) => {
      const inserted = await kyselyOf(tx)
        .insertInto("redfish_endpoints")
        .values(endpoints.map((e) => this.toRow(e)))
        .onConflict((conflict) => conflict.doNothing())
        .returning("id")
        .execute();
      if (inserted.length < endpoints.length) throw errors.conflict(SAME_FQDN_OR_ID);
      recordChange(
        tx,
        ENDPOINTS_RESOURCE,
        "upsert",
        endpoints.map((e) => e.id),
      );
      if (plan) await writeIngestion(tx, plan, "create");
    });
  }

  /**
   * PUT: replaces the endpoint, keeping its discovery info and, when none is given, its
   * password, or creates it; then ingests the body, forced. Returns the replaced endpoint,
   * or undefined when it was created. An FQDN held by another endpoint is a 409.
   */
  async put(endpoint: RedfishEndpoint, plan: IngestionPlan): Promise<StoredEndpoint | undefined> {
    const values = this.toRow(endpoint);
    const { id: _, ...replaced } = values;
    try {
      return await this.db.transaction(async (tx) => {
        const row = await kyselyOf(tx)
          .insertInto("redfish_endpoints")
          .values(values)
          .onConflict((conflict) =>
            conflict.column("id").doUpdateSet({
              ...replaced,
              password: sql`CASE WHEN excluded.password = '' THEN redfish_endpoints.password ELSE excluded.password END`,
            }),
          )
          .returning([...COLUMNS, sql<boolean>`xmax = 0`.as("created")])
          .executeTakeFirstOrThrow();
        recordChange(tx, ENDPOINTS_RESOURCE, "upsert", [endpoint.id]);
        await writeIngestion(tx, plan, "replace");
        return row.created ? undefined : fromRow(row);
      });
    } catch (err) {
      throw byConstraint(err, FQDN_TAKEN);
    }
  }

  /**
   * PATCH: `change` turns the stored endpoint into the new one (or throws), under a row
   * lock. Undefined when there is no such endpoint. An FQDN held by another is a 409.
   */
  async patch(
    id: string,
    change: (stored: StoredEndpoint) => RedfishEndpoint,
  ): Promise<StoredEndpoint | undefined> {
    try {
      return await this.db.transaction(async (tx) => {
        const kysely = kyselyOf(tx);
        const stored = await kysely
          .selectFrom("redfish_endpoints")
          .select(COLUMNS)
          .where("id", "=", id)
          .forUpdate()
          .executeTakeFirst();
        if (!stored) return undefined;
        const { id: _, password, ...fields } = this.toRow(change(fromRow(stored)));
        const row = await kysely
          .updateTable("redfish_endpoints")
          .set({ ...fields, ...(password === "" ? {} : { password }) })
          .where("id", "=", id)
          .returning(COLUMNS)
          .executeTakeFirstOrThrow();
        recordChange(tx, ENDPOINTS_RESOURCE, "upsert", [id]);
        return fromRow(row);
      });
    } catch (err) {
      throw byConstraint(err, FQDN_TAKEN);
    }
  }

  /**
   * Deletes one endpoint, or all when `id` is undefined; their ComponentEndpoints and
   * ServiceEndpoints go with them (foreign keys), their components stay, set Empty/OK (§5.6).
   */
  delete(id?: string): Promise<EndpointsDeleted> {
    return this.db.transaction(async (tx) => {
      const kysely = kyselyOf(tx);
      let children = kysely.selectFrom("component_endpoints").select("id");
      let doomed = kysely.deleteFrom("redfish_endpoints");
      if (id !== undefined) {
        children = children.where("redfish_endpoint_id", "=", id);
        doomed = doomed.where("id", "=", id);
      }
      const componentIds = (await children.execute()).map((r) => r.id);
      const deleted = (await doomed.returning("id").execute()).map((r) => r.id);
      if (deleted.length === 0) return { count: 0, emptied: [] };
      recordChange(tx, ENDPOINTS_RESOURCE, "delete", deleted);
      if (componentIds.length > 0) recordChange(tx, COMPONENT_ENDPOINTS_RESOURCE, "delete", componentIds);
      return { count: deleted.length, emptied: await markComponentsEmpty(tx, componentIds) };
    });
  }
}
