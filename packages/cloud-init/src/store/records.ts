import { randomBytes } from "node:crypto";
import type { Db, Tx } from "@openchami/db";
import { type Kysely, sql } from "kysely";
import { type ClusterDefaults, completeDefaults, type GroupData, type InstanceInfo } from "../domain/wire.ts";

/** The channel replicas learn of each other's admin writes on (§5 "Replicas"). */
export const CLOUD_INIT_CHANGED = "cloud_init_changed";

/** What a write changed: `defaults`, `group:<name>`, `instance:<node>`, or `*`. */
export interface CloudInitChanged {
  origin: string;
  keys: string[];
}

export interface Snapshot {
  defaults: ClusterDefaults;
  groups: GroupData[];
  instances: InstanceInfo[];
  /** node ID → instance ID */
  ids: [string, string][];
}

// biome-ignore lint/suspicious/noExplicitAny: raw SQL only, as with Kysely<any>
type Q = Kysely<any>;

/** A fresh `i-` + 8 lowercase hex digits. */
export function newInstanceId(): string {
  return `i-${randomBytes(4).toString("hex")}`;
}

/** Every SQL statement of cloud-init (spec cloud-init.md §5). */
export class CloudInitStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async loadAll(): Promise<Snapshot> {
    const q = this.#db.kysely as Q;
    const [defaults, groups, instances, ids] = await Promise.all([
      this.loadDefaults(q),
      sql<{ data: GroupData }>`SELECT data FROM ci_groups ORDER BY name`.execute(q),
      sql<{ data: InstanceInfo }>`SELECT data FROM ci_instance_info ORDER BY node_id`.execute(q),
      sql<{ node_id: string; instance_id: string }>`SELECT node_id, instance_id FROM ci_instance_ids`.execute(
        q,
      ),
    ]);
    return {
      defaults,
      groups: groups.rows.map((r) => r.data),
      instances: instances.rows.map((r) => r.data),
      ids: ids.rows.map((r) => [r.node_id, r.instance_id]),
    };
  }

  async loadDefaults(q: Q = this.#db.kysely as Q): Promise<ClusterDefaults> {
    const { rows } = await sql<{ data: unknown }>`SELECT data FROM ci_cluster_defaults WHERE id = 1`.execute(
      q,
    );
    return completeDefaults(rows[0]?.data ?? {});
  }

  async loadGroup(name: string): Promise<GroupData | undefined> {
    const { rows } = await sql<{
      data: GroupData;
    }>`SELECT data FROM ci_groups WHERE name = ${name}`.execute(this.#db.kysely as Q);
    return rows[0]?.data;
  }

  async loadInstance(nodeId: string): Promise<{ info: InstanceInfo | undefined; id: string | undefined }> {
    const q = this.#db.kysely as Q;
    const [info, id] = await Promise.all([
      sql<{ data: InstanceInfo }>`SELECT data FROM ci_instance_info WHERE node_id = ${nodeId}`.execute(q),
      sql<{
        instance_id: string;
      }>`SELECT instance_id FROM ci_instance_ids WHERE node_id = ${nodeId}`.execute(q),
    ]);
    return { info: info.rows[0]?.data, id: id.rows[0]?.instance_id };
  }

  /** Serialises cloud-init's admin writes across replicas (PostgreSQL advisory lock). */
  async lock(tx: Tx): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(hashtext('cloud_init_admin'))`.execute(tx.kysely);
  }

  async putDefaults(tx: Tx, defaults: ClusterDefaults): Promise<void> {
    await sql`INSERT INTO ci_cluster_defaults (id, data) VALUES (1, ${JSON.stringify(defaults)}::jsonb)
      ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, updated_at = now()`.execute(tx.kysely);
  }

  /** false when a group of that name exists. */
  async insertGroup(tx: Tx, group: GroupData): Promise<boolean> {
    const { rows } =
      await sql`INSERT INTO ci_groups (name, data) VALUES (${group.name}, ${JSON.stringify(group)}::jsonb)
      ON CONFLICT (name) DO NOTHING RETURNING name`.execute(tx.kysely);
    return rows.length === 1;
  }

  async upsertGroup(tx: Tx, group: GroupData): Promise<void> {
    await sql`INSERT INTO ci_groups (name, data) VALUES (${group.name}, ${JSON.stringify(group)}::jsonb)
      ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data, updated_at = now()`.execute(tx.kysely);
  }

  async deleteGroup(tx: Tx, name: string): Promise<void> {
    await sql`DELETE FROM ci_groups WHERE name = ${name}`.execute(tx.kysely);
  }

  async putInstanceInfo(tx: Tx, info: InstanceInfo): Promise<void> {
    await sql`INSERT INTO ci_instance_info (node_id, data) VALUES (${info.id}, ${JSON.stringify(info)}::jsonb)
      ON CONFLICT (node_id) DO UPDATE SET data = EXCLUDED.data, updated_at = now()`.execute(tx.kysely);
  }

  async deleteInstanceInfo(tx: Tx, nodeId: string): Promise<void> {
    await sql`DELETE FROM ci_instance_info WHERE node_id = ${nodeId}`.execute(tx.kysely);
  }

  async instanceIdOf(tx: Tx, nodeId: string): Promise<string | undefined> {
    const { rows } = await sql<{
      instance_id: string;
    }>`SELECT instance_id FROM ci_instance_ids WHERE node_id = ${nodeId}`.execute(tx.kysely);
    return rows[0]?.instance_id;
  }

  async instanceIdOwner(tx: Tx, instanceId: string): Promise<string | undefined> {
    const { rows } = await sql<{
      node_id: string;
    }>`SELECT node_id FROM ci_instance_ids WHERE instance_id = ${instanceId}`.execute(tx.kysely);
    return rows[0]?.node_id;
  }

  async setInstanceId(tx: Tx, nodeId: string, instanceId: string): Promise<void> {
    await sql`INSERT INTO ci_instance_ids (node_id, instance_id) VALUES (${nodeId}, ${instanceId})
      ON CONFLICT (node_id) DO NOTHING`.execute(tx.kysely);
  }

  /**
   * Gives each node without one a fresh instance ID (one batched `INSERT … ON CONFLICT DO
   * NOTHING`, retried for the rare ID collision) and returns the IDs of all of them.
   */
  async ensureInstanceIds(nodeIds: readonly string[]): Promise<Map<string, string>> {
    const q = this.#db.kysely as Q;
    const found = new Map<string, string>();
    let missing = [...new Set(nodeIds)];
    for (let attempt = 0; missing.length > 0 && attempt < 5; attempt++) {
      const ids = missing.map(() => newInstanceId());
      await sql`INSERT INTO ci_instance_ids (node_id, instance_id)
        SELECT * FROM unnest(${missing}::text[], ${ids}::text[]) ON CONFLICT DO NOTHING`.execute(q);
      const { rows } = await sql<{ node_id: string; instance_id: string }>`SELECT node_id, instance_id
        FROM ci_instance_ids WHERE node_id = ANY(${missing}::text[])`.execute(q);
      for (const row of rows) found.set(row.node_id, row.instance_id);
      missing = missing.filter((id) => !found.has(id));
    }
    if (missing.length > 0) throw new Error(`could not assign instance IDs to ${missing.length} nodes`);
    return found;
  }
}
