import { randomUUID } from "node:crypto";
import type { Db, Tx } from "@openchami/db";
import { type Kysely, type RawBuilder, type SqlBool, sql, type Transaction } from "kysely";
import type { ComponentFilter } from "../domain/component-filter.ts";
import {
  countsResult,
  type Failure,
  keyFailures,
  type LockAction,
  type LockRequest,
  type LockState,
  lockBlocker,
  notFound,
  type ProcessingModel,
  type ReservationKey,
  reservationBlocker,
  rfc3339,
  rigidError,
  triage,
} from "../domain/locks.ts";
import { recordChange } from "./changes.ts";
import { applyComponentFilter } from "./component-filter-sql.ts";
import { COMPONENTS_RESOURCE } from "./components.ts";
import type { SmdTables } from "./schema.ts";
import { anyText } from "./selection-sql.ts";
import { kyselyOf } from "./write.ts";

const RESOURCE = "locks";

/**
 * A reservation counts only until it expires. Every read and write tests this, so expired
 * rows are absent whether or not the reaper has deleted them yet.
 */
const LIVE: RawBuilder<SqlBool> = sql`(r.expiration_time is null or r.expiration_time > now())`;

/** `now()` plus whole minutes, computed by the database so every replica agrees. */
function minutesFromNow(minutes: number): RawBuilder<Date> {
  return sql<Date>`(now() + make_interval(mins => ${minutes}::int))`;
}

/** Reservations holding one of `keys` in `column` (their reservation or deputy key) for its component. */
function heldBy(
  keys: readonly ReservationKey[],
  column: "reservation_key" | "deputy_key",
): RawBuilder<SqlBool> {
  return sql<SqlBool>`(r.component_id, ${sql.ref(`r.${column}`)}) in
    (select * from unnest(${keys.map((k) => k.id)}::text[], ${keys.map((k) => k.key)}::text[]))`;
}

function byId<T extends { ID: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0));
}

export interface ReservationSuccess {
  ID: string;
  DeputyKey: string;
  ReservationKey?: string;
  CreationTime?: string;
  ExpirationTime?: string;
}

export interface LockStatus {
  ID: string;
  Locked: boolean;
  Reserved: boolean;
  CreationTime?: string;
  ExpirationTime?: string;
  ReservationDisabled: boolean;
}

type Counts = ReturnType<typeof countsResult>;

/**
 * SQL for locks and reservations (spec smd.md §3.13). Each request is one transaction that
 * row-locks the components it selects, so concurrent lock and reservation requests on the
 * same components serialise; a rigid failure throws, rolling everything back.
 */
export class LockStore {
  constructor(private readonly db: Db) {}

  private get kysely(): Kysely<SmdTables> {
    return this.db.kysely as Kysely<SmdTables>;
  }

  /** Admin (no `duration`) or service reservations on the components the filter selects. */
  async reserve(
    request: LockRequest,
    service: boolean,
  ): Promise<{ Success: ReservationSuccess[]; Failure: Failure[] }> {
    return this.#write(async (tx, changes) => {
      const { ok, failures } = triage(
        await lockStates(tx, request.filter),
        request.model,
        (state) => reservationBlocker(state, service),
        true,
      );
      const Success: ReservationSuccess[] = [];
      if (ok.length > 0) {
        const ids = ok.map((state) => state.id);
        // An expired row the reaper has not deleted yet is replaced; a live one never is.
        const rows = await tx
          .insertInto("reservations")
          .columns(["component_id", "expiration_time", "deputy_key", "reservation_key"])
          .expression(
            sql`select id, ${service ? minutesFromNow(request.duration) : null}::timestamptz, dk, rk
                from unnest(${ids}::text[], ${ids.map((id) => `${id}:dk:${randomUUID()}`)}::text[],
                            ${ids.map((id) => `${id}:rk:${randomUUID()}`)}::text[]) as u(id, dk, rk)`,
          )
          .onConflict((oc) =>
            oc
              .column("component_id")
              .doUpdateSet((eb) => ({
                create_time: eb.ref("excluded.create_time"),
                expiration_time: eb.ref("excluded.expiration_time"),
                deputy_key: eb.ref("excluded.deputy_key"),
                reservation_key: eb.ref("excluded.reservation_key"),
              }))
              .where(sql<SqlBool>`reservations.expiration_time <= now()`),
          )
          .returning(["component_id", "deputy_key", "reservation_key", "expiration_time"])
          .execute();
        for (const row of rows) {
          Success.push({
            ID: row.component_id,
            DeputyKey: row.deputy_key,
            ReservationKey: row.reservation_key,
            ...(row.expiration_time ? { ExpirationTime: rfc3339(row.expiration_time) } : {}),
          });
        }
        const reserved = new Set(rows.map((row) => row.component_id));
        const raced = ids
          .filter((id) => !reserved.has(id))
          .map((id): Failure => ({ ID: id, Reason: "Reserved" }));
        if (request.model === "rigid" && raced.length > 0) throw rigidError("Reserved");
        failures.push(...raced);
        changes.locks.push(...reserved);
      }
      return { Success: byId(Success), Failure: byId(failures) };
    });
  }

  /** Removes the reservations of the selected components without their keys (admin). */
  async removeReservations(request: LockRequest): Promise<Counts> {
    return this.#write(async (tx, changes) => {
      const ids = (await lockStates(tx, request.filter)).map((state) => state.id);
      const removed = await deleteReservations(tx, ids);
      const failures = ids
        .filter((id) => !removed.has(id))
        .map((id): Failure => ({ ID: id, Reason: "NotFound" }));
      if (request.model === "rigid" && failures.length > 0) throw notFound();
      changes.locks.push(...removed);
      changes.op = "delete";
      return countsResult([...removed].sort(), failures);
    });
  }

  /** Releases reservations by their reservation keys. */
  async release(keys: readonly ReservationKey[], model: ProcessingModel): Promise<Counts> {
    return this.#write(async (tx, changes) => {
      const rows = await tx
        .deleteFrom("reservations as r")
        .where(heldBy(keys, "reservation_key"))
        .where(LIVE)
        .returning("r.component_id")
        .execute();
      const released = new Set(rows.map((row) => row.component_id));
      const failures = keyFailures(keys, released, model);
      changes.locks.push(...released);
      changes.op = "delete";
      return countsResult(
        keys.filter((k) => released.has(k.id)).map((k) => k.id),
        failures,
      );
    });
  }

  /** Extends service reservations by `duration` minutes from now. */
  async renew(keys: readonly ReservationKey[], model: ProcessingModel, duration: number): Promise<Counts> {
    return this.#write(async (tx, changes) => {
      const rows = await tx
        .updateTable("reservations as r")
        .set({ expiration_time: minutesFromNow(duration) })
        .where(heldBy(keys, "reservation_key"))
        .where("r.expiration_time", "is not", null)
        .where(LIVE)
        .returning("r.component_id")
        .execute();
      const renewed = new Set(rows.map((row) => row.component_id));
      const failures = keyFailures(keys, renewed, model);
      changes.locks.push(...renewed);
      return countsResult(
        keys.filter((k) => renewed.has(k.id)).map((k) => k.id),
        failures,
      );
    });
  }

  /** Which deputy keys hold live reservations. */
  async check(
    keys: readonly ReservationKey[],
  ): Promise<{ Success: ReservationSuccess[]; Failure: Failure[] }> {
    const rows = await this.kysely
      .selectFrom("reservations as r")
      .select(["r.component_id", "r.deputy_key", "r.create_time", "r.expiration_time"])
      .where(heldBy(keys, "deputy_key"))
      .where(LIVE)
      .execute();
    const found = new Map(rows.map((row) => [`${row.component_id}\n${row.deputy_key}`, row]));
    const Success: ReservationSuccess[] = [];
    const Failure: Failure[] = [];
    for (const { id, key } of keys) {
      const row = found.get(`${id}\n${key}`);
      if (!row) Failure.push({ ID: id, Reason: "NotFound" });
      else
        Success.push({
          ID: id,
          DeputyKey: row.deputy_key,
          CreationTime: rfc3339(row.create_time),
          ...(row.expiration_time ? { ExpirationTime: rfc3339(row.expiration_time) } : {}),
        });
    }
    return { Success, Failure };
  }

  /** Lock status of the selected components, sorted by id; none is a 400. */
  async status(request: LockRequest): Promise<LockStatus[]> {
    let query = this.kysely
      .selectFrom("components as c")
      .leftJoin("reservations as r", (join) => join.onRef("r.component_id", "=", "c.id").on(LIVE))
      .select([
        "c.id",
        "c.locked",
        "c.reservation_disabled",
        "r.create_time",
        "r.expiration_time",
        "r.component_id as reservation",
      ])
      .orderBy("c.id");
    query = applyComponentFilter(query, request.filter, "c");
    if (request.reserved !== undefined)
      query = query.where("r.component_id", request.reserved ? "is not" : "is", null);
    const rows = await query.execute();
    if (rows.length === 0) throw notFound();
    return rows.map((row) => ({
      ID: row.id,
      Locked: row.locked,
      Reserved: row.reservation !== null,
      ...(row.create_time ? { CreationTime: rfc3339(row.create_time) } : {}),
      ...(row.expiration_time ? { ExpirationTime: rfc3339(row.expiration_time) } : {}),
      ReservationDisabled: row.reservation_disabled,
    }));
  }

  /** Locks or unlocks components; a reserved or reservation-disabled one cannot change. */
  async setLocked(request: LockRequest, action: LockAction): Promise<Counts> {
    return this.#write(async (tx, changes) => {
      const { ok, failures } = triage(
        await lockStates(tx, request.filter),
        request.model,
        (state) => lockBlocker(state, action),
        true,
      );
      const ids = ok.map((state) => state.id);
      if (ids.length > 0) {
        await tx
          .updateTable("components")
          .set({ locked: action === "lock" })
          .where("id", "=", anyText(ids))
          .execute();
      }
      changes.components.push(...ids);
      changes.locks.push(...ids);
      return countsResult(ids, byId(failures));
    });
  }

  /** `disable` stops new reservations and releases current ones; `repair` allows them again. */
  async setReservationsDisabled(request: LockRequest, disabled: boolean): Promise<Counts> {
    return this.#write(async (tx, changes) => {
      const ids = (await lockStates(tx, request.filter)).map((state) => state.id);
      if (disabled) await deleteReservations(tx, ids);
      const changed = await tx
        .updateTable("components")
        .set({ reservation_disabled: disabled })
        .where("id", "=", anyText(ids))
        .where("reservation_disabled", "<>", disabled)
        .returning("id")
        .execute();
      changes.components.push(...changed.map((row) => row.id));
      changes.locks.push(...ids);
      return countsResult(ids, []);
    });
  }

  /** Deletes reservations past their expiry; returns the components they were on. */
  async reapExpired(): Promise<string[]> {
    return this.#write(async (tx, changes) => {
      const rows = await tx
        .deleteFrom("reservations")
        .where("expiration_time", "<=", sql<Date>`now()`)
        .returning("component_id")
        .execute();
      changes.locks.push(...rows.map((row) => row.component_id));
      changes.op = "delete";
      return changes.locks;
    });
  }

  /**
   * One transaction; the change events `fn` collects are recorded at its end: `locks` for
   * reservations and lock state, `Components` for rows whose Locked or ReservationDisabled
   * changed (the component listings show both).
   */
  async #write<T>(fn: (tx: Transaction<SmdTables>, changes: PendingChanges) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx: Tx) => {
      const changes: PendingChanges = { locks: [], components: [], op: "upsert" };
      const result = await fn(kyselyOf(tx), changes);
      if (changes.locks.length > 0) recordChange(tx, RESOURCE, changes.op, [...new Set(changes.locks)]);
      if (changes.components.length > 0) recordChange(tx, COMPONENTS_RESOURCE, "upsert", changes.components);
      return result;
    });
  }
}

interface PendingChanges {
  locks: string[];
  components: string[];
  op: "upsert" | "delete";
}

/**
 * The selected components' lock states, row-locked for the rest of the transaction and
 * sorted by id; selecting none is upstream's 400 `Component not found`.
 */
async function lockStates(tx: Transaction<SmdTables>, filter: ComponentFilter): Promise<LockState[]> {
  const query = tx
    .selectFrom("components as c")
    .leftJoin("reservations as r", (join) => join.onRef("r.component_id", "=", "c.id").on(LIVE))
    .select(["c.id", "c.locked", "c.reservation_disabled as reservationDisabled"])
    .select(sql<boolean>`r.component_id is not null`.as("reserved"))
    .orderBy("c.id")
    .forUpdate("c");
  const states = await applyComponentFilter(query, filter, "c").execute();
  if (states.length === 0) throw notFound();
  return states;
}

/** Deletes the components' reservations; returns those that were live. */
async function deleteReservations(tx: Transaction<SmdTables>, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx
    .deleteFrom("reservations as r")
    .where("r.component_id", "=", anyText(ids))
    .returning(["r.component_id", sql<boolean>`${LIVE}`.as("live")])
    .execute();
  return new Set(rows.filter((row) => row.live).map((row) => row.component_id));
}
