import { errors, parseXname } from "@openchami/core";
import { fail, type Params, values } from "./hardware.ts";

/**
 * Hardware inventory history (spec smd.md §3.8): what FRU was where, and when.
 *
 * Rules (ours; upstream records a `Detected` event on every discovery and collapses repeats):
 * - `Added` (L, F): FRU F is written to location L, which held no FRU.
 * - `Removed` (L, P) then `Added` (L, F): a write puts F where P was.
 * - `Removed` (L, F): location L is deleted, or FRU F is deleted while at L.
 * - `Scanned` (L, F): F is written again where it already is, and L's latest event is not
 *   already about F (e.g. after history was pruned or deleted). Repeated writes of an
 *   unchanged inventory therefore add nothing.
 * - `Detected` is upstream's discovery event: accepted in filters, never generated here.
 * - An event identical (FRU and type) to the location's latest one is dropped, so consecutive
 *   duplicates never appear.
 */
export const HISTORY_EVENT_TYPES = ["Added", "Removed", "Scanned", "Detected"] as const;
export type HistoryEventType = (typeof HISTORY_EVENT_TYPES)[number];

export interface HistoryEvent {
  /** The location's xname. */
  id: string;
  fruId: string;
  eventType: HistoryEventType;
}

export interface StoredHistoryEvent extends HistoryEvent {
  timestamp: Date;
}

/** The latest recorded event of a location, as far as the rules care. */
export interface LatestEvent {
  fruId: string;
  eventType: string;
}

/**
 * The events that writing `writes` (one per location) records, given each location's current
 * FRU and latest event (absent: none).
 */
export function eventsForWrites(
  writes: readonly { id: string; fruId: string }[],
  currentFru: ReadonlyMap<string, string>,
  latest: ReadonlyMap<string, LatestEvent>,
): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const { id, fruId } of writes) {
    let last = latest.get(id);
    const record = (event: HistoryEvent) => {
      if (last?.fruId === event.fruId && last.eventType === event.eventType) return;
      events.push(event);
      last = event;
    };
    const current = currentFru.get(id);
    if (current === fruId) {
      if (last?.fruId !== fruId) record({ id, fruId, eventType: "Scanned" });
      continue;
    }
    if (current !== undefined) record({ id, fruId: current, eventType: "Removed" });
    record({ id, fruId, eventType: "Added" });
  }
  return events;
}

/** GET filters of both history collections; lists OR, keys AND; times are exclusive bounds. */
export interface HistoryFilter {
  readonly ids?: readonly string[];
  readonly fruIds?: readonly string[];
  readonly eventTypes?: readonly HistoryEventType[];
  readonly after?: Date;
  readonly before?: Date;
}

const EVENT_TYPES = new Map(HISTORY_EVENT_TYPES.map((type) => [type.toLowerCase(), type]));

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function parseTime(raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const time = RFC3339.test(raw) ? new Date(raw) : undefined;
  if (!time || Number.isNaN(time.getTime()))
    throw errors.badRequest("Argument was not in a valid RFC3339 time format");
  return time;
}

/**
 * `id` (xnames; malformed → 400 `Invalid xname`), `fruid`, `eventtype` (case-insensitive; bad →
 * 400 `Invalid HWInvHist event type`), `starttime`/`endtime` (RFC 3339; first value).
 */
export function historyFilter(params: Params): HistoryFilter {
  return {
    ids: values(params, "id")?.map((raw) => parseXname(raw)?.id ?? fail("Invalid xname")),
    fruIds: values(params, "fruid"),
    eventTypes: values(params, "eventtype")?.map(
      (raw) => EVENT_TYPES.get(raw.toLowerCase()) ?? fail("Invalid HWInvHist event type"),
    ),
    after: parseTime(values(params, "starttime")?.[0]),
    before: parseTime(values(params, "endtime")?.[0]),
  };
}

/** The `{x}` of `…/Hardware/History/{x}`: a malformed xname is a 400 (as upstream). */
export function historyXname(raw: string): string {
  return parseXname(raw)?.id ?? fail("Invalid xname");
}

export function historyEventToWire(event: StoredHistoryEvent): Record<string, unknown> {
  return {
    ID: event.id,
    FRUID: event.fruId,
    Timestamp: event.timestamp.toISOString(),
    EventType: event.eventType,
  };
}

/** Which collection: keyed by location xname or by FRU ID. */
export type HistoryKey = "id" | "fruId";

/**
 * `{"Components":[{"ID", "History":[…]}]}`: events grouped by `key`, in the order given (the
 * store sorts by key, then time).
 */
export function groupHistory(
  events: readonly StoredHistoryEvent[],
  key: HistoryKey,
): Record<string, unknown> {
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const event of events) {
    const history = groups.get(event[key]) ?? [];
    groups.set(event[key], history);
    history.push(historyEventToWire(event));
  }
  return { Components: [...groups].map(([ID, History]) => ({ ID, History })) };
}
