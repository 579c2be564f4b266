import { errors } from "@openchami/core";
import type { Db, Tx } from "@openchami/db";
import { type Kysely, type RawBuilder, type SqlBool, sql } from "kysely";
import {
  type EthernetInterface,
  type InterfaceFilter,
  type InterfacePatch,
  type IpMapping,
  type NewInterface,
  noSuchInterface,
} from "../domain/ethernet-interface.ts";
import { recordChange } from "./changes.ts";
import type { SmdTables } from "./schema.ts";
import { anyText } from "./selection-sql.ts";
import { deleteOneOrAll, kyselyOf } from "./write.ts";

export const INTERFACES_RESOURCE = "EthernetInterfaces";

const DUPLICATE_MAC =
  "operation would conflict with an existing component ethernet interface that has the same MAC address.";

/** LastUpdate as RFC 3339 in UTC with microseconds, formatted by the database (no Date rounding). */
const LAST_UPDATE = sql<string>`to_char(last_update AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const COLUMNS = [
  "id",
  "mac_address as macAddress",
  "description",
  "component_id as componentId",
  "type",
  LAST_UPDATE.as("lastUpdate"),
  "ip_addresses as ipAddresses",
] as const;

function toRow(i: NewInterface) {
  return {
    id: i.id,
    mac_address: i.macAddress,
    description: i.description,
    component_id: i.componentId,
    type: i.type,
    ip_addresses: JSON.stringify(i.ipAddresses),
  };
}

/**
 * Inserts interfaces in one statement. `create`: an existing MAC is a 409 (the caller's
 * transaction rolls back); `replace`: it is overwritten (RedfishEndpoint PUT, §5.4).
 */
export async function insertInterfaces(
  tx: Tx,
  interfaces: readonly NewInterface[],
  mode: "create" | "replace",
): Promise<void> {
  if (interfaces.length === 0) return;
  const written = await kyselyOf(tx)
    .insertInto("ethernet_interfaces")
    .values(interfaces.map(toRow))
    .onConflict((conflict) =>
      mode === "create"
        ? conflict.column("id").doNothing()
        : conflict.column("id").doUpdateSet((eb) => ({
            mac_address: eb.ref("excluded.mac_address"),
            description: eb.ref("excluded.description"),
            component_id: eb.ref("excluded.component_id"),
            type: eb.ref("excluded.type"),
            ip_addresses: eb.ref("excluded.ip_addresses"),
            last_update: sql`now()`,
          })),
    )
    .returning("id")
    .execute();
  if (written.length < interfaces.length) throw errors.conflict(DUPLICATE_MAC);
  recordChange(
    tx,
    INTERFACES_RESOURCE,
    "upsert",
    interfaces.map((i) => i.id),
  );
}

/** One filter value over the IP list: `""` means the list (or an entry's network) is empty. */
function ipCondition(key: "IPAddress" | "Network", value: string): RawBuilder<SqlBool> {
  if (value !== "") return sql`ip_addresses @> ${JSON.stringify([{ [key]: value }])}::jsonb`;
  if (key === "IPAddress") return sql`ip_addresses = '[]'::jsonb`;
  return sql`(ip_addresses = '[]'::jsonb OR EXISTS (SELECT 1 FROM jsonb_array_elements(ip_addresses) AS ip
    WHERE coalesce(ip->>'Network', '') = ''))`;
}

function filterConditions(filter: InterfaceFilter): RawBuilder<SqlBool>[] {
  const any = (column: string, values: string[] | undefined) =>
    values ? [sql<SqlBool>`${sql.ref(column)} = ${anyText(values)}`] : [];
  const anyIp = (key: "IPAddress" | "Network", values: string[] | undefined) =>
    values
      ? [
          sql<SqlBool>`(${sql.join(
            values.map((v) => ipCondition(key, v)),
            sql` OR `,
          )})`,
        ]
      : [];
  return [
    ...any("id", filter.ids),
    ...any("mac_address", filter.macAddresses),
    ...anyIp("IPAddress", filter.ipAddresses),
    ...anyIp("Network", filter.networks),
    ...any("component_id", filter.componentIds),
    ...any("type", filter.types),
    ...(filter.olderThan ? [sql<SqlBool>`last_update < ${filter.olderThan}::timestamptz`] : []),
    ...(filter.newerThan ? [sql<SqlBool>`last_update > ${filter.newerThan}::timestamptz`] : []),
  ];
}

/** SQL for Inventory/EthernetInterfaces (§3.7); every write is one transaction with a change event. */
export class EthernetInterfaceStore {
  constructor(private readonly db: Db) {}

  private get kysely(): Kysely<SmdTables> {
    return this.db.kysely as Kysely<SmdTables>;
  }

  async list(filter: InterfaceFilter = {}): Promise<EthernetInterface[]> {
    let query = this.kysely.selectFrom("ethernet_interfaces").select(COLUMNS);
    for (const condition of filterConditions(filter)) query = query.where(condition);
    return (await query.orderBy("id").execute()) as EthernetInterface[];
  }

  async get(id: string): Promise<EthernetInterface | undefined> {
    const row = await this.kysely
      .selectFrom("ethernet_interfaces")
      .select(COLUMNS)
      .where("id", "=", id)
      .executeTakeFirst();
    return row as EthernetInterface | undefined;
  }

  create(iface: NewInterface): Promise<void> {
    return this.db.transaction((tx) => insertInterfaces(tx, [iface], "create"));
  }

  /** Applies a PATCH and bumps LastUpdate; undefined when there is no such interface. */
  update(id: string, patch: InterfacePatch): Promise<EthernetInterface | undefined> {
    return this.db.transaction(async (tx) => {
      const row = await kyselyOf(tx)
        .updateTable("ethernet_interfaces")
        .set({
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.component ? { component_id: patch.component.id, type: patch.component.type } : {}),
          ...(patch.ipAddresses ? { ip_addresses: JSON.stringify(patch.ipAddresses) } : {}),
          last_update: sql`now()`,
        })
        .where("id", "=", id)
        .returning(COLUMNS)
        .executeTakeFirst();
      if (row) recordChange(tx, INTERFACES_RESOURCE, "upsert", [id]);
      return row as EthernetInterface | undefined;
    });
  }

  /** Deletes one interface, or all when `id` is undefined; returns how many went. */
  delete(id?: string): Promise<number> {
    return deleteOneOrAll(this.db, INTERFACES_RESOURCE, "ethernet_interfaces", id);
  }

  /** Adds an IP; 404 without the interface, 409 when it already has that IP. */
  addIp(id: string, mapping: IpMapping): Promise<void> {
    return this.editIps(id, (ips) => {
      if (ips.some((ip) => ip.IPAddress === mapping.IPAddress)) {
        throw errors.conflict(
          "operation would conflict with an existing IP Address on the same ethernet interface.",
        );
      }
      return { ips: [...ips, mapping], result: undefined };
    });
  }

  /** Sets (`undefined`: keeps) an IP's network; 404 when the interface or the IP is missing. */
  setIpNetwork(id: string, ipAddress: string, network: string | undefined): Promise<IpMapping> {
    return this.editIps(
      id,
      (ips) => {
        const index = ips.findIndex((ip) => ip.IPAddress === ipAddress);
        if (index < 0) throw errors.notFound("no such IP address in component ethernet interface.");
        const current = ips[index]!;
        const updated: IpMapping =
          network === undefined
            ? current
            : network
              ? { IPAddress: ipAddress, Network: network }
              : { IPAddress: ipAddress };
        return { ips: ips.with(index, updated), result: updated };
      },
      () => errors.notFound("no such IP address in component ethernet interface."),
    );
  }

  /** Removes an IP; 404 when the interface or the IP is missing. */
  deleteIp(id: string, ipAddress: string): Promise<void> {
    return this.editIps(id, (ips) => {
      const kept = ips.filter((ip) => ip.IPAddress !== ipAddress);
      if (kept.length === ips.length)
        throw errors.notFound("component ethernet interface has no such ip address.");
      return { ips: kept, result: undefined };
    });
  }

  /** Read-modify-write of one interface's IP list under a row lock, bumping LastUpdate. */
  private editIps<T>(
    id: string,
    edit: (ips: IpMapping[]) => { ips: IpMapping[]; result: T },
    missing: () => Error = () => noSuchInterface(id),
  ): Promise<T> {
    return this.db.transaction(async (tx) => {
      const kysely = kyselyOf(tx);
      const row = await kysely
        .selectFrom("ethernet_interfaces")
        .select("ip_addresses")
        .where("id", "=", id)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw missing();
      const { ips, result } = edit(row.ip_addresses as IpMapping[]);
      await kysely
        .updateTable("ethernet_interfaces")
        .set({ ip_addresses: JSON.stringify(ips), last_update: sql`now()` })
        .where("id", "=", id)
        .execute();
      recordChange(tx, INTERFACES_RESOURCE, "upsert", [id]);
      return result;
    });
  }
}
