import { type EnumRegistry, errors } from "@openchami/core";

/**
 * A state-change-notification subscription (spec smd.md §3.14). Each list is a trigger; so
 * is `enabled: true`, which subscribes to changes of components' Enabled field (upstream's
 * meaning: it is not an on/off switch for the subscription). `enabled` is null when unset.
 */
export interface Subscription {
  id: number;
  subscriber: string;
  url: string;
  enabled: boolean | null;
  roles: string[];
  subRoles: string[];
  softwareStatus: string[];
  states: string[];
}

export type SubscriptionFields = Omit<Subscription, "id">;
export type Triggers = Omit<SubscriptionFields, "subscriber" | "url">;

/** Bodies as the Go-compatible decoder leaves them; `null` means absent, as in Go. */
export interface TriggerInput {
  Enabled?: boolean | null;
  Roles?: string[] | null;
  SubRoles?: string[] | null;
  SoftwareStatus?: string[] | null;
  States?: string[] | null;
}

export interface SubscriptionInput extends TriggerInput {
  Subscriber?: string | null;
  Url?: string | null;
}

export interface PatchInput extends TriggerInput {
  Op?: string | null;
}

export type PatchOp = "add" | "remove" | "replace";

/** What a component change notifies: the components and the one field that changed. */
export interface ScnEvent {
  Components: string[];
  State?: string;
  Flag?: string;
  Enabled?: boolean;
  Role?: string;
  SubRole?: string;
  SoftwareStatus?: string;
}

function canonical(
  values: readonly string[],
  parse: (value: string) => string | undefined,
  what: string,
): string[] {
  return [
    ...new Set(
      values.map((value) => {
        const parsed = parse(value);
        if (parsed === undefined) throw errors.badRequest(`Invalid ${what} '${value}'`);
        return parsed;
      }),
    ),
  ];
}

/**
 * Validates the triggers (enum values in canonical spelling); `missing` is the 400 when the
 * body names none. An `Enabled: false` alone is no trigger, as upstream.
 */
function toTriggers(input: TriggerInput, enums: EnumRegistry, missing: string): Triggers {
  if (input.SoftwareStatus?.includes(""))
    throw errors.badRequest("SoftwareStatus can not be an empty string");
  const triggers: Triggers = {
    enabled: input.Enabled ?? null,
    roles: canonical(input.Roles ?? [], (v) => enums.parse("Role", v), "role"),
    subRoles: canonical(input.SubRoles ?? [], (v) => enums.parse("SubRole", v), "subRole"),
    softwareStatus: [...new Set(input.SoftwareStatus ?? [])],
    states: canonical(input.States ?? [], (v) => enums.parse("State", v), "state"),
  };
  const any =
    triggers.enabled === true ||
    triggers.roles.length +
      triggers.subRoles.length +
      triggers.softwareStatus.length +
      triggers.states.length >
      0;
  if (!any) throw errors.badRequest(missing);
  return triggers;
}

/** Only http(s) URLs can be delivered to. */
function isHttpUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

/** Validates a subscription for POST or PUT. */
export function toSubscription(input: SubscriptionInput, enums: EnumRegistry): SubscriptionFields {
  const subscriber = input.Subscriber ?? "";
  const url = input.Url ?? "";
  if (subscriber === "") throw errors.badRequest("Missing name of subscriber");
  if (url === "") throw errors.badRequest("Missing url");
  if (!isHttpUrl(url)) throw errors.badRequest(`Invalid url '${url}'`);
  const triggers = toTriggers(
    input,
    enums,
    "Missing trigger. Must subscribe to atleast one Enabled, Role, SubRole, SoftwareStatus, or State trigger.",
  );
  return { subscriber, url, ...triggers };
}

/** Validates a PATCH body: its operation and the triggers it carries. */
export function toPatch(input: PatchInput, enums: EnumRegistry): { op: PatchOp; triggers: Triggers } {
  const raw = input.Op ?? "";
  if (raw === "") throw errors.badRequest("Missing Patch Op");
  const op = raw.toLowerCase();
  if (op !== "add" && op !== "remove" && op !== "replace")
    throw errors.badRequest(`Invalid Patch Op - ${raw}`);
  const triggers = toTriggers(
    input,
    enums,
    "Missing trigger. Subscriptions must have atleast one Enabled, Role, SubRole, SoftwareStatus, or State trigger.",
  );
  return { op, triggers };
}

const LISTS = ["roles", "subRoles", "softwareStatus", "states"] as const;

/**
 * A PATCH applied: `add` appends values not yet there and `Enabled: true` turns the Enabled
 * trigger on; `remove` drops the values and `Enabled: true` turns it off; `replace` swaps
 * each non-empty list and sets Enabled when given.
 */
export function applyPatch(current: Triggers, op: PatchOp, patch: Triggers): Triggers {
  const next: Triggers = { ...current };
  for (const key of LISTS) {
    if (op === "add") next[key] = [...new Set([...current[key], ...patch[key]])];
    else if (op === "remove") next[key] = current[key].filter((value) => !patch[key].includes(value));
    else if (patch[key].length > 0) next[key] = patch[key];
  }
  if (op === "replace") next.enabled = patch.enabled ?? current.enabled;
  else if (patch.enabled === true) next.enabled = op === "add";
  return next;
}

/** Wire form: `Enabled` is omitted when unset, the trigger lists when empty. */
export function subscriptionToWire(sub: Subscription): Record<string, unknown> {
  return {
    ID: sub.id,
    Subscriber: sub.subscriber,
    ...(sub.enabled !== null ? { Enabled: sub.enabled } : {}),
    ...(sub.roles.length > 0 ? { Roles: sub.roles } : {}),
    ...(sub.subRoles.length > 0 ? { SubRoles: sub.subRoles } : {}),
    ...(sub.softwareStatus.length > 0 ? { SoftwareStatus: sub.softwareStatus } : {}),
    ...(sub.states.length > 0 ? { States: sub.states } : {}),
    Url: sub.url,
  };
}

function includesFolded(values: readonly string[], value: string | undefined): boolean {
  if (value === undefined || value === "") return false;
  const folded = value.toLowerCase();
  return values.some((v) => v.toLowerCase() === folded);
}

/**
 * Whether an event triggers a subscription: its State, Role or SubRole, SoftwareStatus or
 * Enabled change is one the subscription lists. A Flag alone triggers nothing.
 */
export function triggers(sub: Triggers, event: ScnEvent): boolean {
  return (
    includesFolded(sub.states, event.State) ||
    includesFolded(sub.roles, event.Role) ||
    includesFolded(sub.subRoles, event.SubRole) ||
    includesFolded(sub.softwareStatus, event.SoftwareStatus) ||
    (event.Enabled !== undefined && sub.enabled === true)
  );
}

/** The distinct URLs an event goes to (several subscriptions may share one, as upstream counts them). */
export function targetUrls(subscriptions: readonly Subscription[], event: ScnEvent): string[] {
  return [...new Set(subscriptions.filter((sub) => triggers(sub, event)).map((sub) => sub.url))];
}

/** The largest id a subscription can have (a PostgreSQL `serial`). */
const MAX_ID = 2 ** 31 - 1;

/**
 * A subscription id from the path, read as Go's ParseInt would; not a positive integer is
 * 400 `Invalid id - <id>`. Undefined for an id too large to exist (then simply not found).
 */
export function subscriptionId(raw: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(raw) || Number(raw) < 1) throw errors.badRequest(`Invalid id - ${raw}`);
  const id = Number(raw);
  return id <= MAX_ID ? id : undefined;
}
