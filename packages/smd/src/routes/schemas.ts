import { type TSchema, Type } from "typebox";

/**
 * An optional body field that also takes `null`: Go clients marshal nil slices and pointers
 * as `null`, and Go's decoder treats that as "not given".
 */
export function OptionalNullable<T extends TSchema>(schema: T) {
  return Type.Optional(Type.Union([schema, Type.Null()]));
}

export const GO_JSON = { goJson: true } as const;

/** Routes that answer without a token: what nodes and DHCP read (spec smd.md §6), and health. */
export const PUBLIC = { public: true } as const;

export const XnameParams = Type.Object({ xname: Type.String() });
export const IdParams = Type.Object({ id: Type.String() });
export const FruParams = Type.Object({ fruid: Type.String() });

/** A list of strings that may be absent or `null`. */
export const OptionalStrings = OptionalNullable(Type.Array(Type.String()));

/** The PATCH body of a group or partition: its description and/or tags. */
export const DescriptionTagsBody = Type.Object({
  description: OptionalNullable(Type.String()),
  tags: OptionalStrings,
});

/** The `POST …/members` body of a group or partition. */
export const MemberBody = Type.Object({ id: OptionalNullable(Type.String()) });
