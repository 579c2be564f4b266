import { errors } from "@openchami/core";
import type { Db } from "@openchami/db";
import { type Kysely, type SqlBool, sql, type Transaction } from "kysely";
import type { GroupFilter, GroupPatch, Partition } from "../domain/groups.ts";
import { MEMBER_IDS } from "./member-ids-sql.ts";
import type { SmdTables } from "./schema.ts";
import { anyText } from "./selection-sql.ts";
import { writeTransaction } from "./write.ts";

const anotherPartition = () =>
  errors.conflict("operation would conflict with an existing member in another partition.");

const WRITE = {
  resource: "partitions",
  constraints: {
    partitions_pkey: () =>
      errors.conflict("operation would conflict with an existing partition that has the same name."),
    // partition_members is keyed by component: a second partition for a component is a duplicate key.
    partition_members_pkey: anotherPartition,
    partition_members_component_id_fkey: () => errors.badRequest("linked component does not exist"),
  },
} as const;

/** SQL for partitions; one partition per component is the members table's primary key. */
export class PartitionStore {
  constructor(private readonly db: Db) {}

  private get kysely(): Kysely<SmdTables> {
    return this.db.kysely as Kysely<SmdTables>;
  }

  /** Partitions with their members in one statement, sorted by name, members by id. */
  async list(filter: Pick<GroupFilter, "names" | "tags">): Promise<Partition[]> {
    let query = this.kysely
      .selectFrom("partitions as p")
      .leftJoin("partition_members as m", "m.partition_name", "p.name")
      .select(["p.name", "p.description", "p.tags", MEMBER_IDS])
      .groupBy("p.name")
      .orderBy("p.name");
    if (filter.names.length > 0) query = query.where("p.name", "=", anyText(filter.names));
    if (filter.tags.length > 0) query = query.where(sql<SqlBool>`p.tags && ${filter.tags}::text[]`);
    return query.execute();
  }

  async get(name: string): Promise<Partition | undefined> {
    const [partition] = await this.list({ names: [name], tags: [] });
    return partition;
  }

  async names(): Promise<string[]> {
    const rows = await this.kysely.selectFrom("partitions").select("name").orderBy("name").execute();
    return rows.map((row) => row.name);
  }

  /** Creates a partition with its members in one transaction; a member held elsewhere is a 409. */
  async insert(partition: Partition): Promise<void> {
    await writeTransaction(this.db, WRITE, async (tx) => {
      await tx
        .insertInto("partitions")
        .values({ name: partition.name, description: partition.description, tags: partition.tags })
        .execute();
      if (partition.members.length > 0) {
        await tx
          .insertInto("partition_members")
          .columns(["component_id", "partition_name"])
          .expression(sql`select id, ${partition.name} from unnest(${partition.members}::text[]) as u(id)`)
          .execute();
      }
      return [partition.name];
    });
  }

  /** Updates description and/or tags; false when there is no such partition. */
  async update(name: string, patch: GroupPatch): Promise<boolean> {
    const updated = await writeTransaction(this.db, WRITE, async (tx) => {
      const rows = await tx
        .updateTable("partitions")
        .set(patch)
        .where("name", "=", name)
        .returning("name")
        .execute();
      return rows.map((row) => row.name);
    });
    return updated.length > 0;
  }

  /** Deletes a partition (its memberships cascade); false when there is no such partition. */
  async delete(name: string): Promise<boolean> {
    const deleted = await writeTransaction(this.db, { ...WRITE, op: "delete" }, async (tx) => {
      const rows = await tx.deleteFrom("partitions").where("name", "=", name).returning("name").execute();
      return rows.map((row) => row.name);
    });
    return deleted.length > 0;
  }

  /** Adds one member: 404 without the partition; 409 if it is in this or another partition. */
  async addMember(name: string, id: string): Promise<void> {
    await writeTransaction(this.db, WRITE, async (tx) => {
      await lockPartition(tx, name);
      const inserted = await tx
        .insertInto("partition_members")
        .values({ component_id: id, partition_name: name })
        .onConflict((oc) => oc.column("component_id").doNothing())
        .returning("component_id")
        .execute();
      if (inserted.length === 0) {
        const holder = await tx
          .selectFrom("partition_members")
          .select("partition_name")
          .where("component_id", "=", id)
          .executeTakeFirst();
        if (holder?.partition_name === name)
          throw errors.conflict("operation would conflict with an existing member in the same partition.");
        throw anotherPartition();
      }
      return [name];
    });
  }

  /** Removes one member: 404 without the partition; false when the component was not a member. */
  async deleteMember(name: string, id: string): Promise<boolean> {
    const removed = await writeTransaction(this.db, WRITE, async (tx) => {
      await lockPartition(tx, name);
      const rows = await tx
        .deleteFrom("partition_members")
        .where("partition_name", "=", name)
        .where("component_id", "=", id)
        .returning("partition_name")
        .execute();
      return rows.map((row) => row.partition_name);
    });
    return removed.length > 0;
  }
}

/** The partition, key-share locked so it cannot be deleted under a member write; 404 if absent. */
async function lockPartition(tx: Transaction<SmdTables>, name: string): Promise<void> {
  const row = await tx
    .selectFrom("partitions")
    .select("name")
    .where("name", "=", name)
    .forKeyShare()
    .executeTakeFirst();
  if (!row) throw errors.notFound(`No such partition: ${name}`);
}
