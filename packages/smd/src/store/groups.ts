import { errors } from "@openchami/core";
import type { Db } from "@openchami/db";
import { type Expression, type Kysely, type SqlBool, sql, type Transaction } from "kysely";
import type { Group, GroupFilter, GroupPatch, PartitionFilter } from "../domain/groups.ts";
import { MEMBER_IDS } from "./member-ids-sql.ts";
import type { SmdTables } from "./schema.ts";
import { anyText } from "./selection-sql.ts";
import { writeTransaction } from "./write.ts";

type GroupKey = Pick<Group, "label" | "exclusiveGroup">;

const WRITE = {
  resource: "groups",
  constraints: {
    groups_pkey: () =>
      errors.conflict(
        "operation would conflict with an existing group that has the same label or duplicate ids found in request.",
      ),
    group_members_exclusive: () =>
      errors.conflict("operation would conflict with an existing member in another exclusive group."),
    group_members_component_id_fkey: () => errors.badRequest("linked component does not exist"),
  },
} as const;

/** The uniqueness namespace of a group's members (see migrations/0006): one row per (component, namespace). */
function namespaceOf(group: GroupKey): string {
  return group.exclusiveGroup ? `%${group.exclusiveGroup}` : group.label;
}

/** Members in the given partition, or (null) in none; undefined filters nothing. */
export function partitionCondition(
  memberId: Expression<string>,
  partition: PartitionFilter,
): Expression<SqlBool> | undefined {
  if (partition === undefined) return undefined;
  if (partition === null)
    return sql<SqlBool>`not exists (select 1 from partition_members pm where pm.component_id = ${memberId})`;
  return sql<SqlBool>`exists (select 1 from partition_members pm where pm.component_id = ${memberId} and pm.partition_name = ${partition})`;
}

/** SQL for groups and their members; exclusivity is the database's (unique constraints). */
export class GroupStore {
  constructor(private readonly db: Db) {}

  private get kysely(): Kysely<SmdTables> {
    return this.db.kysely as Kysely<SmdTables>;
  }

  /**
   * Groups with their members in one statement (upstream queries once per label), sorted
   * by label, members sorted by id. A partition filter narrows the members, not the groups.
   */
  async list(filter: GroupFilter): Promise<Group[]> {
    if (typeof filter.partition === "string") await this.requirePartition(filter.partition);
    const memberFilter = partitionCondition(sql.ref<string>("m.component_id"), filter.partition);
    let query = this.kysely
      .selectFrom("groups as g")
      .leftJoin("group_members as m", (join) => {
        const on = join.onRef("m.group_label", "=", "g.label");
        return memberFilter ? on.on(memberFilter) : on;
      })
      .select(["g.label", "g.description", "g.exclusive_group", "g.tags", MEMBER_IDS])
      .groupBy("g.label")
      .orderBy("g.label");
    if (filter.names.length > 0) query = query.where("g.label", "=", anyText(filter.names));
    if (filter.tags.length > 0) query = query.where(sql<SqlBool>`g.tags && ${filter.tags}::text[]`);
    const rows = await query.execute();
    return rows.map((row) => ({
      label: row.label,
      description: row.description,
      exclusiveGroup: row.exclusive_group,
      tags: row.tags,
      members: row.members,
    }));
  }

  async get(label: string, partition: PartitionFilter): Promise<Group | undefined> {
    const [group] = await this.list({ names: [label], tags: [], partition });
    return group;
  }

  async labels(): Promise<string[]> {
    const rows = await this.kysely.selectFrom("groups").select("label").orderBy("label").execute();
    return rows.map((row) => row.label);
  }

  /** Creates a group with its members in one transaction. */
  async insert(group: Group): Promise<void> {
    await writeTransaction(this.db, WRITE, async (tx) => {
      await tx
        .insertInto("groups")
        .values({
          label: group.label,
          description: group.description,
          tags: group.tags,
          exclusive_group: group.exclusiveGroup,
        })
        .execute();
      await insertMembers(tx, group, group.members);
      return [group.label];
    });
  }

  /** Updates description and/or tags; false when there is no such group. */
  async update(label: string, patch: GroupPatch): Promise<boolean> {
    const updated = await writeTransaction(this.db, WRITE, async (tx) => {
      const rows = await tx
        .updateTable("groups")
        .set(patch)
        .where("label", "=", label)
        .returning("label")
        .execute();
      return rows.map((row) => row.label);
    });
    return updated.length > 0;
  }

  /** Deletes a group (its memberships cascade); false when there is no such group. */
  async delete(label: string): Promise<boolean> {
    const deleted = await writeTransaction(this.db, { ...WRITE, op: "delete" }, async (tx) => {
      const rows = await tx.deleteFrom("groups").where("label", "=", label).returning("label").execute();
      return rows.map((row) => row.label);
    });
    return deleted.length > 0;
  }

  /** Adds one member: 404 without the group, 409 if already a member or held by the exclusive set. */
  async addMember(label: string, id: string): Promise<void> {
    await writeTransaction(this.db, WRITE, async (tx) => {
      const group = await lockGroup(tx, label);
      const inserted = await insertMembers(tx, group, [id]);
      if (inserted.length === 0)
        throw errors.conflict("operation would conflict with an existing member in the same group.");
      return [label];
    });
  }

  /** Replaces the member set: members kept stay, others go, new ones come (OpenCHAMI/smd#47). */
  async setMembers(label: string, ids: readonly string[]): Promise<void> {
    await writeTransaction(this.db, WRITE, async (tx) => {
      const group = await lockGroup(tx, label);
      await tx
        .deleteFrom("group_members")
        .where("group_label", "=", label)
        .where(sql<SqlBool>`component_id <> all(${ids}::text[])`)
        .execute();
      await insertMembers(tx, group, ids);
      return [label];
    });
  }

  /** Removes one member: 404 without the group; false when the component was not a member. */
  async deleteMember(label: string, id: string): Promise<boolean> {
    const removed = await writeTransaction(this.db, WRITE, async (tx) => {
      await lockGroup(tx, label);
      const rows = await tx
        .deleteFrom("group_members")
        .where("group_label", "=", label)
        .where("component_id", "=", id)
        .returning("group_label")
        .execute();
      return rows.map((row) => row.group_label);
    });
    return removed.length > 0;
  }

  private async requirePartition(name: string): Promise<void> {
    const found = await this.kysely
      .selectFrom("partitions")
      .select("name")
      .where("name", "=", name)
      .executeTakeFirst();
    if (!found) throw errors.badRequest("bad query param: no such partition");
  }
}

/** The group, key-share locked so it cannot be deleted under a member write; 404 if absent. */
async function lockGroup(tx: Transaction<SmdTables>, label: string): Promise<GroupKey> {
  const row = await tx
    .selectFrom("groups")
    .select(["label", "exclusive_group"])
    .where("label", "=", label)
    .forKeyShare()
    .executeTakeFirst();
  if (!row) throw errors.notFound(`No such group: ${label}`);
  return { label: row.label, exclusiveGroup: row.exclusive_group };
}

/**
 * Inserts memberships in one statement over `unnest` (no parameter-count limit), skipping
 * ones the group already has; returns the ids inserted. A member held by another group of
 * the exclusive set violates `group_members_exclusive`, even under concurrent writers.
 * Sorted ids make concurrent writers take index locks in one order (no deadlocks).
 */
async function insertMembers(
  tx: Transaction<SmdTables>,
  group: GroupKey,
  ids: readonly string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await tx
    .insertInto("group_members")
    .columns(["group_label", "component_id", "namespace"])
    .expression(
      sql`select ${group.label}, id, ${namespaceOf(group)} from unnest(${[...ids].sort()}::text[]) as u(id)`,
    )
    .onConflict((oc) => oc.columns(["group_label", "component_id"]).doNothing())
    .returning("component_id")
    .execute();
  return rows.map((row) => row.component_id);
}
