import { type TSchema, Type } from "typebox";

/**
 * An optional body field that also takes `null`: Go clients marshal nil slices and pointers
 * as `null`, and Go's decoder treats that as "not given".
 */
export function OptionalNullable<T extends TSchema>(schema: T) {
  return Type.Optional(Type.Union([schema, Type.Null()]));
}

export const GO_JSON = { goJson: true } as const;
