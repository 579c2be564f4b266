import { type EnumKind, type EnumRegistry, errors, parseXname } from "@openchami/core";

/**
 * The component filters of spec smd.md §2 and §3.2, parsed once into a value the store turns
 * into SQL (store/component-filter-sql.ts). Shared by State/Components, memberships and locks.
 *
 * Within one key, plain values OR (an IN set) and `!`-values exclude (a NOT IN set); different
 * keys AND. Enum values are case-insensitive and come out canonical.
 */
export interface Selection<T> {
  readonly include: readonly T[];
  readonly exclude: readonly T[];
}

/** `nid >= start` (and `<= end` when given); ORed with each other and with `nid.include`. */
export interface NidRange {
  readonly start: number;
  readonly end?: number;
}

export interface ComponentFilter {
  readonly id?: Selection<string>;
  readonly type?: Selection<string>;
  readonly state?: Selection<string>;
  readonly flag?: Selection<string>;
  readonly role?: Selection<string>;
  readonly subRole?: Selection<string>;
  readonly softwareStatus?: Selection<string>;
  readonly subtype?: Selection<string>;
  readonly arch?: Selection<string>;
  readonly class?: Selection<string>;
  readonly enabled?: Selection<boolean>;
  readonly locked?: Selection<boolean>;
  readonly reservationDisabled?: Selection<boolean>;
  readonly nid?: Selection<number>;
  readonly nidRanges?: readonly NidRange[];
  /** `null` stands for `NULL`: in no group (no partition). */
  readonly group?: Selection<string | null>;
  readonly partition?: Selection<string | null>;
}

/** Query parameters (lower-cased names, repeated values), as `queryParams()` returns them. */
export type FilterParams = ReadonlyMap<string, readonly string[]>;

/** The projections of §3.2: which columns a listing returns. */
export type ComponentView = "default" | "stateonly" | "flagonly" | "roleonly" | "nidonly";

/** Upstream's texts (after `bad query param: `), one per rejected key. */
const BAD = {
  id: "Argument was not a valid xname ID",
  enum: (kind: string) => `Argument was not a valid HMS ${kind}`,
  subtype: "Argument was not a valid HMS Subtype",
  boolean: "a required argument did not match any valid input",
  integer: "a required argument was not an integer",
  group: "no such group",
  partition: "no such partition",
  nidRange: "argument was not a valid NID Range",
} as const;

type Normalise<T> = (value: string) => T | undefined;

/**
 * Splits `!`-values (excluded) from plain ones (included), each without its `!` and
 * normalised; a value `normalise` rejects is a 400 with `detail`. No values, no selection.
 */
export function parseSelection<T>(
  values: readonly string[] | undefined,
  normalise: Normalise<T>,
  detail: string,
): Selection<T> | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const include: T[] = [];
  const exclude: T[] = [];
  for (const raw of values) {
    const negated = raw.startsWith("!");
    const value = normalise(negated ? raw.slice(1) : raw);
    if (value === undefined) throw errors.badRequest(detail);
    (negated ? exclude : include).push(value);
  }
  return { include, exclude };
}

/**
 * A component filter key: any number of leading `!` negate once, and a rejected value is
 * `bad query param: <reason>`. `allowEmpty` accepts `""` (and `!`) as a literal empty value,
 * which selects rows where the column is unset, as upstream does for type, role, subtype, …
 */
function select<T>(
  values: readonly string[] | undefined,
  normalise: Normalise<T>,
  reason: string,
  allowEmpty = false,
): Selection<T> | undefined {
  return parseSelection(
    values,
    (negatedOrPlain) => {
      const value = negatedOrPlain.replace(/^!+/, "");
      return value === "" && allowEmpty ? ("" as T) : normalise(value);
    },
    `bad query param: ${reason}`,
  );
}

/** Go's strconv.ParseBool plus upstream's `t`/`f`, case-insensitive. */
export function parseBooleanParam(value: string): boolean | undefined {
  switch (value.toLowerCase()) {
    case "true":
    case "t":
    case "1":
      return true;
    case "false":
    case "f":
    case "0":
      return false;
    default:
      return undefined;
  }
}

const MAX_INT4 = 2 ** 31 - 1;

/** A NID: digits only; upstream reads an empty NID as -1 (none). */
function parseNid(value: string): number | undefined {
  if (value === "") return -1;
  if (!/^\d+$/.test(value)) return undefined;
  const nid = Number(value);
  return nid <= MAX_INT4 ? nid : undefined;
}

const LABEL = /^[-a-z0-9:._]+$/;

/** A group label or partition name (lower-cased), or `null` for upstream's `NULL` (in none). */
function parseMembershipName(value: string): string | null | undefined {
  if (value === "NULL") return null;
  const name = value.toLowerCase();
  return LABEL.test(name) ? name : undefined;
}

const ALPHANUMERIC = /^[\p{L}\p{N}]+$/u;

function enumSelection(
  params: FilterParams,
  name: string,
  enums: EnumRegistry,
  kind: EnumKind,
  allowEmpty: boolean,
): Selection<string> | undefined {
  return select(params.get(name), (v) => enums.parse(kind, v), BAD.enum(kind), allowEmpty);
}

/** Only the keys a filter actually sets, so an empty filter is `{}`. */
function compact(filter: { [K in keyof ComponentFilter]: ComponentFilter[K] | undefined }): ComponentFilter {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as ComponentFilter;
}

/**
 * Parses the §3.2 filters (`id, type, state, flag, role, subrole, enabled, softwarestatus,
 * subtype, arch, class, nid, nid_start, nid_end, partition, group, locked,
 * reservation_disabled`). Throws 400 `bad query param: <reason>`, checking keys in upstream's
 * order so the same bad request gets the same text.
 */
export function parseComponentFilter(params: FilterParams, enums: EnumRegistry): ComponentFilter {
  const id = select(params.get("id"), (v) => parseXname(v)?.id, BAD.id);
  const type = enumSelection(params, "type", enums, "Type", true);
  const state = enumSelection(params, "state", enums, "State", false);
  const flag = enumSelection(params, "flag", enums, "Flag", false);
  const enabled = select(params.get("enabled"), parseBooleanParam, BAD.boolean);
  const role = enumSelection(params, "role", enums, "Role", true);
  const subRole = enumSelection(params, "subrole", enums, "SubRole", true);
  const subtype = select(
    params.get("subtype"),
    (v) => (ALPHANUMERIC.test(v) ? v : undefined),
    BAD.subtype,
    true,
  );
  const arch = enumSelection(params, "arch", enums, "Arch", true);
  const klass = enumSelection(params, "class", enums, "Class", true);
  const nid = select(params.get("nid"), parseNid, BAD.integer);
  const nidRanges = pairRanges(params.get("nid_start") ?? [], params.get("nid_end") ?? []);
  const group = select(params.get("group"), parseMembershipName, BAD.group);
  const partition = select(params.get("partition"), parseMembershipName, BAD.partition);
  const locked = select(params.get("locked"), parseBooleanParam, BAD.boolean);
  const reservationDisabled = select(params.get("reservation_disabled"), parseBooleanParam, BAD.boolean);
  const softwareStatus = select(params.get("softwarestatus"), (v) => v, "", true);
  return compact({
    id,
    type,
    state,
    flag,
    role,
    subRole,
    softwareStatus,
    subtype,
    arch,
    class: klass,
    enabled,
    locked,
    reservationDisabled,
    nid,
    nidRanges,
    group,
    partition,
  });
}

function rangeBound(value: string): number {
  const nid = parseNid(value);
  if (nid === undefined) throw errors.badQueryParam(BAD.integer);
  return nid;
}

/**
 * `nid_start` and `nid_end` pair up by position, as upstream pairs them; an unpaired end is
 * bounded below by 0 so that NID -1 (none) never falls in a range.
 */
function pairRanges(starts: readonly string[], ends: readonly string[]): NidRange[] | undefined {
  if (starts.length === 0 && ends.length === 0) return undefined;
  const ranges: NidRange[] = [];
  for (let i = 0; i < Math.max(starts.length, ends.length); i++) {
    const start = starts[i] === undefined ? 0 : rangeBound(starts[i]!);
    ranges.push(ends[i] === undefined ? { start } : { start, end: rangeBound(ends[i]!) });
  }
  return ranges;
}

/**
 * `ByNID/Query`'s `NIDRanges` (`["1-10","15"]`) as filter parameters: a range contributes a
 * `nid_start`/`nid_end` pair (first and last number), a single number a `nid`. Any NID
 * parameters already in `params` are replaced, as upstream does.
 */
export function withNidRanges(params: FilterParams, nidRanges: readonly string[]): FilterParams {
  const nid: string[] = [];
  const starts: string[] = [];
  const ends: string[] = [];
  for (const range of nidRanges) {
    const parts = range.split("-");
    if (parts.length > 1) {
      const [first, last] = [parts[0]!, parts.at(-1)!];
      if (first === "" || last === "") throw errors.badQueryParam(BAD.nidRange);
      starts.push(first);
      ends.push(last);
    } else if (range !== "") {
      nid.push(range);
    }
  }
  if (nid.length + starts.length === 0) throw errors.badRequest("Missing NID ranges");
  const merged = new Map(params);
  merged.set("nid", nid);
  merged.set("nid_start", starts);
  merged.set("nid_end", ends);
  return merged;
}

const VIEWS = ["stateonly", "flagonly", "roleonly", "nidonly"] as const;

/** strconv.ParseBool's true spellings; anything else (including its errors) is false upstream. */
const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);

/** The first projection set to true wins, in upstream's order. */
export function parseComponentView(params: FilterParams): ComponentView {
  return VIEWS.find((view) => GO_TRUE.has(params.get(view)?.[0] ?? "")) ?? "default";
}

/**
 * A JSON body's filter arrays (`{"type":["Node"],"NID":[1]}`) as filter parameters: keys
 * lower-cased (then renamed, e.g. locks' `{componentids: "id"}`), values as strings, and
 * projection booleans as `"true"`/`"false"`.
 */
export function filterParamsFromBody(
  body: Readonly<Record<string, unknown>>,
  rename: Readonly<Record<string, string>> = {},
): FilterParams {
  const params = new Map<string, string[]>();
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || value === null) continue;
    const lower = key.toLowerCase();
    const name = rename[lower] ?? lower;
    const values = (Array.isArray(value) ? value : [value]).filter((v) => v !== null && v !== undefined);
    params.set(name, [...(params.get(name) ?? []), ...values.map(String)]);
  }
  return params;
}

/**
 * The LIKE pattern for `Query/{x}`'s prefix match: `x` with LIKE's wildcards escaped, then
 * `%`. The store keeps only the ids that are `x` or continue it with a letter (§3.2).
 */
export function descendantPattern(root: string): string {
  return `${root.replace(/[\\%_]/g, "\\$&")}%`;
}
