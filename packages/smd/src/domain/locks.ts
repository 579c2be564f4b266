import { type EnumRegistry, errors, parseXname } from "@openchami/core";
import {
  type ComponentFilter,
  type FilterParams,
  filterParamsFromBody,
  parseBooleanParam,
  parseComponentFilter,
} from "./component-filter.ts";

/**
 * Component locks and reservations (spec smd.md §3.13, §5.6). An admin reservation (no
 * expiry) needs a locked component; a service reservation (1–15 minutes) an unlocked one.
 * `rigid` processing is all or nothing (the first failure is a 400 and nothing changes);
 * `flexible` does what it can and reports the rest.
 */
export type ProcessingModel = "rigid" | "flexible";
export type FailureReason = "NotFound" | "Locked" | "Unlocked" | "Disabled" | "Reserved" | "ServerError";

export interface Failure {
  ID: string;
  Reason: FailureReason;
}

/** The 400 a rigid request fails with, per reason (upstream's texts). */
const RIGID_ERRORS: Readonly<Record<FailureReason, string>> = {
  NotFound: "Component not found",
  Locked: "Component is Locked",
  Unlocked: "Component is Unlocked",
  Disabled: "Component reservations are disabled",
  Reserved: "Component is Reserved",
  ServerError: "Unknown locking error",
};

export function rigidError(reason: FailureReason): Error {
  return errors.badRequest(RIGID_ERRORS[reason]);
}

/** Nothing matched the filter (rigid or not). */
export function notFound(): Error {
  return rigidError("NotFound");
}

export function parseProcessingModel(raw: string | null | undefined): ProcessingModel {
  const model = (raw ?? "").toLowerCase() || "rigid";
  if (model !== "rigid" && model !== "flexible") throw errors.badRequest("Invalid Processing Model");
  return model;
}

export const MAX_RESERVATION_MINUTES = 15;

/**
 * `ReservationDuration` in minutes; 0 when absent. Above 15 (or negative) is a 400 on every
 * route that takes it; `required` (service reservations, renewals) also refuses 0.
 */
export function parseDuration(raw: number | null | undefined, required: boolean): number {
  const minutes = raw ?? 0;
  if (minutes > MAX_RESERVATION_MINUTES || minutes < 0)
    throw errors.badRequest("Invalid Reservation Duration");
  if (required && minutes === 0) throw errors.badRequest("ReservationDuration must be greater than 0");
  return minutes;
}

/** A lock filter body as the Go-compatible decoder leaves it. */
export interface LockFilterInput {
  ProcessingModel?: string | null;
  ReservationDuration?: number | null;
  Reserved?: string[] | null;
  [filter: string]: unknown;
}

export interface LockRequest {
  filter: ComponentFilter;
  model: ProcessingModel;
  /** Minutes; 0 when not given. */
  duration: number;
  /** The status routes' `Reserved` filter, when given. */
  reserved?: boolean;
}

/** Body keys named differently from the component filter's query parameters. */
const FILTER_NAMES = { componentids: "id", reservationdisabled: "reservation_disabled" };

/** `Reserved` (only its first value counts, as upstream): a boolean, else 400. */
export function parseReserved(values: readonly string[] | null | undefined): boolean | undefined {
  const first = values?.[0];
  if (first === undefined) return undefined;
  const reserved = parseBooleanParam(first);
  if (reserved === undefined) throw errors.badRequest(`bad 'Reserved' query parameter: ${first}`);
  return reserved;
}

/** The filter body of the lock and reservation routes: component filters plus processing options. */
export function toLockRequest(
  input: LockFilterInput,
  enums: EnumRegistry,
  durationRequired = false,
): LockRequest {
  const { ProcessingModel, ReservationDuration, Reserved, ...filterFields } = input;
  const model = parseProcessingModel(ProcessingModel);
  const duration = parseDuration(ReservationDuration, durationRequired);
  const reserved = parseReserved(Reserved);
  const filter = parseComponentFilter(filterParamsFromBody(filterFields, FILTER_NAMES), enums);
  return { filter, model, duration, ...(reserved !== undefined ? { reserved } : {}) };
}

/** `GET /locks/status` query: `type, state, role, subrole, locked, reserved, reservationDisabled`. */
export function lockStatusQuery(params: FilterParams, enums: EnumRegistry): LockRequest {
  const filterParams = new Map<string, readonly string[]>();
  for (const name of ["type", "state", "role", "subrole", "locked"]) {
    const values = params.get(name);
    if (values) filterParams.set(name, values);
  }
  const disabled = params.get("reservationdisabled");
  if (disabled) filterParams.set("reservation_disabled", disabled);
  const reserved = parseReserved(params.get("reserved"));
  return {
    filter: parseComponentFilter(filterParams, enums),
    model: "rigid",
    duration: 0,
    ...(reserved !== undefined ? { reserved } : {}),
  };
}

/** A reservation or deputy key naming its component: `{ID, Key}`. */
export interface KeyInput {
  ID?: string | null;
  Key?: string | null;
}

export interface ReservationKey {
  id: string;
  key: string;
}

/**
 * Validated keys: IDs normalised (a malformed one is a 400), keys lower-cased; the same
 * pair twice counts once. An empty list is upstream's 400 `<kind> Key required for operation`.
 */
export function toKeys(
  inputs: readonly KeyInput[] | null | undefined,
  kind: "Reservation" | "Deputy",
): ReservationKey[] {
  if (!inputs?.length) throw errors.badRequest(`${kind} Key required for operation`);
  const keys = inputs.map((input) => {
    const parsed = parseXname(input.ID ?? "");
    if (!parsed) throw errors.badRequest("got HMSTypeInvalid instead of valid type");
    return { id: parsed.id, key: (input.Key ?? "").toLowerCase() };
  });
  return [...new Map(keys.map((k) => [`${k.id}\n${k.key}`, k])).values()];
}

/** A component's lock state as the store reads it, under a row lock. */
export interface LockState {
  id: string;
  locked: boolean;
  reservationDisabled: boolean;
  /** A live (unexpired) reservation exists. */
  reserved: boolean;
}

export type LockAction = "lock" | "unlock";

/** Why a component cannot be (un)locked, ignoring reservations; undefined when it can. */
export function lockBlocker(state: LockState, action: LockAction): FailureReason | undefined {
  if (state.reservationDisabled) return "Disabled";
  if (action === "lock" && state.locked) return "Locked";
  if (action === "unlock" && !state.locked) return "Unlocked";
  return undefined;
}

/** Why a component cannot be reserved, ignoring existing reservations; undefined when it can. */
export function reservationBlocker(state: LockState, service: boolean): FailureReason | undefined {
  if (state.reservationDisabled) return "Disabled";
  if (!service && !state.locked) return "Unlocked";
  if (service && state.locked) return "Locked";
  return undefined;
}

/**
 * Splits components into those to act on and failures, in two passes as upstream checks them:
 * the blockers first, then live reservations (when `reservedBlocks`). Rigid: the first
 * failure of the earliest pass is thrown.
 */
export function triage(
  states: readonly LockState[],
  model: ProcessingModel,
  blocker: (state: LockState) => FailureReason | undefined,
  reservedBlocks: boolean,
): { ok: LockState[]; failures: Failure[] } {
  const failures: Failure[] = [];
  const passed: LockState[] = [];
  for (const state of states) {
    const reason = blocker(state);
    if (reason) failures.push({ ID: state.id, Reason: reason });
    else passed.push(state);
  }
  if (model === "rigid" && failures[0]) throw rigidError(failures[0].Reason);
  const ok: LockState[] = [];
  for (const state of passed) {
    if (reservedBlocks && state.reserved) failures.push({ ID: state.id, Reason: "Reserved" });
    else ok.push(state);
  }
  if (model === "rigid" && failures[0]) throw rigidError(failures[0].Reason);
  return { ok, failures };
}

/** The Counts answer of the update routes. */
export function countsResult(successIds: readonly string[], failures: readonly Failure[]) {
  return {
    Counts: {
      Total: successIds.length + failures.length,
      Success: successIds.length,
      Failure: failures.length,
    },
    Success: { ComponentIDs: [...successIds] },
    Failure: [...failures],
  };
}

/**
 * Keys not in `matched` become NotFound failures; under rigid, any is a 400 (the caller's
 * transaction rolls back, so nothing changes).
 */
export function keyFailures(
  keys: readonly ReservationKey[],
  matched: ReadonlySet<string>,
  model: ProcessingModel,
): Failure[] {
  const failures = keys
    .filter((k) => !matched.has(k.id))
    .map((k): Failure => ({ ID: k.id, Reason: "NotFound" }));
  if (model === "rigid" && failures.length > 0) throw notFound();
  return failures;
}

/** RFC 3339 to the second, in UTC, as upstream's Go formats times. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
