import { errors } from "@openchami/core";
import type { Db } from "@openchami/db";
import type { Kysely, Selectable } from "kysely";
import {
  applyPatch,
  type PatchOp,
  type Subscription,
  type SubscriptionFields,
  type Triggers,
} from "../domain/scn.ts";
import type { ScnSubscriptionsTable, SmdTables } from "./schema.ts";
import { deleteOneOrAll, writeTransaction } from "./write.ts";

const WRITE = {
  resource: "Subscriptions",
  constraints: {
    scn_subscriptions_unique: () =>
      errors.conflict(
        "operation would conflict with an existing subscription that has the same Subscriber and Url.",
      ),
  },
} as const;

function fromRow(row: Selectable<ScnSubscriptionsTable>): Subscription {
  return {
    id: row.id,
    subscriber: row.subscriber,
    url: row.url,
    enabled: row.enabled,
    roles: row.roles,
    subRoles: row.sub_roles,
    softwareStatus: row.software_status,
    states: row.states,
  };
}

function triggerColumns(triggers: Triggers) {
  return {
    enabled: triggers.enabled,
    roles: triggers.roles,
    sub_roles: triggers.subRoles,
    software_status: triggers.softwareStatus,
    states: triggers.states,
  };
}

/** SQL for Subscriptions/SCN. */
export class SubscriptionStore {
  constructor(private readonly db: Db) {}

  private get kysely(): Kysely<SmdTables> {
    return this.db.kysely as Kysely<SmdTables>;
  }

  async list(): Promise<Subscription[]> {
    const rows = await this.kysely.selectFrom("scn_subscriptions").selectAll().orderBy("id").execute();
    return rows.map(fromRow);
  }

  async get(id: number): Promise<Subscription | undefined> {
    const row = await this.kysely
      .selectFrom("scn_subscriptions")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /**
   * Creates a subscription, or, for a Subscriber and Url already subscribed, replaces that
   * one's triggers (a service re-subscribing at start-up keeps its id); returns the result.
   */
  async upsert(fields: SubscriptionFields): Promise<Subscription> {
    let saved: Subscription | undefined;
    await writeTransaction(this.db, WRITE, async (tx) => {
      const row = await tx
        .insertInto("scn_subscriptions")
        .values({ subscriber: fields.subscriber, url: fields.url, ...triggerColumns(fields) })
        .onConflict((oc) => oc.columns(["subscriber", "url"]).doUpdateSet(triggerColumns(fields)))
        .returningAll()
        .executeTakeFirstOrThrow();
      saved = fromRow(row);
      return [String(row.id)];
    });
    return saved as Subscription;
  }

  /** Replaces a subscription entirely; false when there is none with that id. */
  async replace(id: number, fields: SubscriptionFields): Promise<boolean> {
    const updated = await writeTransaction(this.db, WRITE, async (tx) => {
      const rows = await tx
        .updateTable("scn_subscriptions")
        .set({ subscriber: fields.subscriber, url: fields.url, ...triggerColumns(fields) })
        .where("id", "=", id)
        .returning("id")
        .execute();
      return rows.map((row) => String(row.id));
    });
    return updated.length > 0;
  }

  /** Applies a PATCH under a row lock, so concurrent patches compose; false when absent. */
  async patch(id: number, op: PatchOp, triggers: Triggers): Promise<boolean> {
    const patched = await writeTransaction(this.db, WRITE, async (tx) => {
      const row = await tx
        .selectFrom("scn_subscriptions")
        .selectAll()
        .where("id", "=", id)
        .forUpdate()
        .executeTakeFirst();
      if (!row) return [];
      const next = applyPatch(fromRow(row), op, triggers);
      await tx.updateTable("scn_subscriptions").set(triggerColumns(next)).where("id", "=", id).execute();
      return [String(id)];
    });
    return patched.length > 0;
  }

  /** Deletes one subscription, or all when `id` is undefined; returns how many went. */
  delete(id?: number): Promise<number> {
    return deleteOneOrAll(this.db, WRITE.resource, "scn_subscriptions", id);
  }
}
