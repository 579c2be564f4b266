import { queryParams } from "@openchami/http";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { SmdContext } from "../context.ts";
import {
  type KeyInput,
  type LockFilterInput,
  type LockRequest,
  lockStatusQuery,
  parseDuration,
  parseProcessingModel,
  toKeys,
  toLockRequest,
} from "../domain/locks.ts";
import type { LockStore } from "../store/locks.ts";
import { GO_JSON, OptionalNullable, OptionalStrings as Strings } from "./schemas.ts";

const FilterBody = Type.Object({
  ComponentIDs: Strings,
  NID: Strings,
  Type: Strings,
  State: Strings,
  Flag: Strings,
  Enabled: Strings,
  SoftwareStatus: Strings,
  Role: Strings,
  Subrole: Strings,
  Subtype: Strings,
  Arch: Strings,
  Class: Strings,
  Group: Strings,
  Partition: Strings,
  Locked: Strings,
  Reserved: Strings,
  ReservationDisabled: Strings,
  ProcessingModel: OptionalNullable(Type.String()),
  ReservationDuration: OptionalNullable(Type.Integer()),
});
const Keys = OptionalNullable(
  Type.Array(Type.Object({ ID: OptionalNullable(Type.String()), Key: OptionalNullable(Type.String()) })),
);
const ReservationKeysBody = Type.Object({
  ReservationKeys: Keys,
  ProcessingModel: OptionalNullable(Type.String()),
  ReservationDuration: OptionalNullable(Type.Integer()),
});
const DeputyKeysBody = Type.Object({ DeputyKeys: Keys });

interface KeysInput {
  ReservationKeys?: KeyInput[] | null;
  DeputyKeys?: KeyInput[] | null;
  ProcessingModel?: string | null;
  ReservationDuration?: number | null;
}

const FILTER = { schema: { body: FilterBody }, config: GO_JSON };
const RESERVATION_KEYS = { schema: { body: ReservationKeysBody }, config: GO_JSON };

/** The `{Components, NotFound?}` status answer; NotFound lists requested IDs that matched nothing. */
async function status(locks: LockStore, request: LockRequest, requested: readonly string[] = []) {
  const Components = await locks.status(request);
  const found = new Set(Components.map((c) => c.ID));
  const NotFound = requested.filter((id) => !found.has(id));
  return { Components, ...(NotFound.length > 0 ? { NotFound } : {}) };
}

/** locks (spec smd.md §3.13). */
export function lockRoutes(app: FastifyInstance, { locks, enums }: SmdContext): void {
  const filterOf = (body: unknown, durationRequired = false) =>
    toLockRequest(body as LockFilterInput, enums, durationRequired);

  app.post("/locks/reservations", FILTER, async (request) => locks.reserve(filterOf(request.body), false));

  app.post("/locks/service/reservations", FILTER, async (request) =>
    locks.reserve(filterOf(request.body, true), true),
  );

  app.post("/locks/reservations/remove", FILTER, async (request) =>
    locks.removeReservations(filterOf(request.body)),
  );

  for (const path of ["/locks/reservations/release", "/locks/service/reservations/release"]) {
    app.post(path, RESERVATION_KEYS, async (request) => {
      const body = request.body as KeysInput;
      const model = parseProcessingModel(body.ProcessingModel);
      parseDuration(body.ReservationDuration, false);
      return locks.release(toKeys(body.ReservationKeys, "Reservation"), model);
    });
  }

  app.post("/locks/service/reservations/renew", RESERVATION_KEYS, async (request) => {
    const body = request.body as KeysInput;
    const model = parseProcessingModel(body.ProcessingModel);
    const duration = parseDuration(body.ReservationDuration, true);
    return locks.renew(toKeys(body.ReservationKeys, "Reservation"), model, duration);
  });

  app.post(
    "/locks/service/reservations/check",
    { schema: { body: DeputyKeysBody }, config: GO_JSON },
    async (request) => locks.check(toKeys((request.body as KeysInput).DeputyKeys, "Deputy")),
  );

  app.post("/locks/status", FILTER, async (request) => {
    const lockRequest = filterOf(request.body);
    return status(locks, lockRequest, lockRequest.filter.id?.include);
  });

  app.get("/locks/status", async (request) =>
    status(locks, lockStatusQuery(queryParams(request.query), enums)),
  );

  app.post("/locks/lock", FILTER, async (request) => locks.setLocked(filterOf(request.body), "lock"));
  app.post("/locks/unlock", FILTER, async (request) => locks.setLocked(filterOf(request.body), "unlock"));
  app.post("/locks/repair", FILTER, async (request) =>
    locks.setReservationsDisabled(filterOf(request.body), false),
  );
  app.post("/locks/disable", FILTER, async (request) =>
    locks.setReservationsDisabled(filterOf(request.body), true),
  );
}
