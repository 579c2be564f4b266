import { errors, parseXname } from "@openchami/core";

/** A group (spec smd.md §3.10): a free-form set of components, optionally exclusive. */
export interface Group {
  label: string;
  description: string;
  /** "" when the group is not exclusive. */
  exclusiveGroup: string;
  tags: string[];
  members: string[];
}

/** A partition (§3.11): a named, non-overlapping division of the system. */
export interface Partition {
  name: string;
  description: string;
  tags: string[];
  members: string[];
}

/**
 * Bodies as the Go-compatible decoder leaves them. Go decodes `null` into a nil slice or an
 * empty string, so `null` counts as absent throughout.
 */
export interface GroupInput {
  label?: string | null;
  description?: string | null;
  exclusiveGroup?: string | null;
  tags?: string[] | null;
  members?: { ids?: string[] | null } | null;
}

export interface PartitionInput {
  name?: string | null;
  description?: string | null;
  tags?: string[] | null;
  members?: { ids?: string[] | null } | null;
}

export interface GroupPatchInput {
  description?: string | null;
  tags?: string[] | null;
}

export interface GroupPatch {
  description?: string;
  tags?: string[];
}

const GROUP_FIELD = /^[-a-z0-9:._]+$/;
const PARTITION_NAME = /^p[0-9]+(\.[0-9]+)?$/;
const BAD_FIELD = "group or partition field has invalid characters";

/** A label, tag, exclusive group or partition name lower-cased, or undefined if it has other characters. */
export function groupField(raw: string): string | undefined {
  const field = raw.toLowerCase();
  return GROUP_FIELD.test(field) ? field : undefined;
}

/** A member given as an xname: normalised, or undefined when it is not a valid xname. */
export function memberXname(raw: string): string | undefined {
  return parseXname(raw)?.id;
}

/** A member xname from a path or body, normalised; anything else is a 400. */
export function requiredMemberXname(raw: string): string {
  const id = memberXname(raw);
  if (id === undefined) throw errors.badRequest("invalid xname ID");
  return id;
}

/**
 * A partition member: partitions also take IDs that are not xnames (spec §3.11), so a valid
 * xname is normalised and anything else is kept as given. It must still be a component.
 */
export function partitionMember(raw: string): string {
  return memberXname(raw) ?? raw;
}

/** Order-preserving de-duplication: a repeated member is one membership, not a conflict. */
export function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function fields(raw: readonly string[] | null | undefined, invalid: () => Error): string[] {
  return unique(
    (raw ?? []).map((value) => {
      const field = groupField(value);
      if (field === undefined) throw invalid();
      return field;
    }),
  );
}

/** Validates a group to create; errors carry upstream's `couldn't validate group: …` texts. */
export function toGroup(input: GroupInput): Group {
  const invalid = (why: string) => errors.badRequest(`couldn't validate group: ${why}`);
  const label = groupField(input.label ?? "");
  if (label === undefined) throw invalid(BAD_FIELD);
  const rawExclusive = input.exclusiveGroup ?? "";
  const exclusiveGroup = rawExclusive === "" ? "" : groupField(rawExclusive);
  if (exclusiveGroup === undefined) throw invalid(BAD_FIELD);
  const tags = fields(input.tags, () => invalid(BAD_FIELD));
  const members = unique(
    (input.members?.ids ?? []).map((raw) => {
      const id = memberXname(raw);
      if (id === undefined) throw invalid("got HMSTypeInvalid instead of valid type");
      return id;
    }),
  );
  return { label, description: input.description ?? "", exclusiveGroup, tags, members };
}

/** Validates a partition to create: the name is `p<N>` or `p<N>.<N>`. */
export function toPartition(input: PartitionInput): Partition {
  const invalid = (why: string) => errors.badRequest(`couldn't validate partition: ${why}`);
  const name = (input.name ?? "").toLowerCase();
  if (!PARTITION_NAME.test(name)) throw invalid("Bad partition name. Must be p# or p#.#");
  const tags = fields(input.tags, () => invalid(BAD_FIELD));
  const members = unique((input.members?.ids ?? []).map(partitionMember));
  return { name, description: input.description ?? "", tags, members };
}

/** A description/tags PATCH (the same for groups and partitions). */
export function toGroupPatch(input: GroupPatchInput): GroupPatch {
  const description = input.description ?? undefined;
  const tags = input.tags ?? undefined;
  if (description === undefined && tags === undefined)
    throw errors.badRequest("Request must have at least one patch field.");
  return {
    ...(description !== undefined ? { description } : {}),
    ...(tags !== undefined ? { tags: fields(tags, () => errors.badRequest("Invalid tag.")) } : {}),
  };
}

/** `?partition=` on group reads: a partition's name, or null for "in no partition" (`NULL`). */
export type PartitionFilter = string | null | undefined;

/** The filters of `GET /groups` and `GET /partitions` (repeated values OR). */
export interface GroupFilter {
  names: string[];
  tags: string[];
  partition: PartitionFilter;
}

function queryFields(values: readonly string[] | undefined, detail: string): string[] {
  return (values ?? []).map((value) => {
    const field = groupField(value);
    if (field === undefined) throw errors.badRequest(detail);
    return field;
  });
}

/** Upstream reads only the first `partition` value; `NULL` (exactly) selects members in none. */
export function partitionFilter(values: readonly string[] | undefined): PartitionFilter {
  const first = values?.[0];
  if (first === undefined || first === "") return undefined;
  if (first === "NULL") return null;
  return queryFields([first], "Invalid partition name.")[0];
}

/** `?group=&tag=&partition=` of `GET /groups`. */
export function groupFilter(params: ReadonlyMap<string, string[]>): GroupFilter {
  return {
    names: queryFields(params.get("group"), "Invalid group label."),
    tags: queryFields(params.get("tag"), "Invalid tag."),
    partition: partitionFilter(params.get("partition")),
  };
}

/** `?partition=&tag=` of `GET /partitions`: here `partition` names the partitions to list. */
export function partitionListFilter(params: ReadonlyMap<string, string[]>): GroupFilter {
  return {
    names: queryFields(params.get("partition"), "Invalid partition name."),
    tags: queryFields(params.get("tag"), "Invalid tag."),
    partition: undefined,
  };
}

/** Wire form: `exclusiveGroup` and `tags` are omitted when empty; `description` is always present. */
export function groupToWire(group: Group): Record<string, unknown> {
  return {
    label: group.label,
    description: group.description,
    ...(group.exclusiveGroup ? { exclusiveGroup: group.exclusiveGroup } : {}),
    ...(group.tags.length > 0 ? { tags: group.tags } : {}),
    members: { ids: group.members },
  };
}

/** Wire form: `description` and `tags` are omitted when empty. */
export function partitionToWire(partition: Partition): Record<string, unknown> {
  return {
    name: partition.name,
    ...(partition.description ? { description: partition.description } : {}),
    ...(partition.tags.length > 0 ? { tags: partition.tags } : {}),
    members: { ids: partition.members },
  };
}
