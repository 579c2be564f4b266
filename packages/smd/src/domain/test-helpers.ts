/** Assertions, arbitraries and builders shared by the domain's property tests. */
import assert from "node:assert/strict";
import { isProblem } from "@openchami/core";
import fc from "fast-check";
import type { Subscription } from "./scn.ts";

/** The detail of the 400 `fn` throws, or undefined when it returns. */
export function badRequestDetail(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    assert.ok(isProblem(error), String(error));
    assert.equal(error.status, 400);
    return error.detail;
  }
}

/** The detail of the 400 `fn` must throw. */
export function expectBadRequest(fn: () => unknown): string {
  const detail = badRequestDetail(fn);
  if (detail === undefined) assert.fail("expected a 400");
  return detail;
}

/** A node xname in canonical (lower) case: `x<0-20>c<0-7>s<0-30>b0n0`. */
export const nodeXname = fc
  .tuple(fc.nat(20), fc.nat(7), fc.nat(30))
  .map(([x, c, s]) => `x${x}c${c}s${s}b0n0`);

/** A subscription with no triggers but `triggers`. */
export function subscription(id: number, url: string, triggers: Partial<Subscription>): Subscription {
  return {
    id,
    subscriber: `s${id}`,
    url,
    enabled: null,
    roles: [],
    subRoles: [],
    softwareStatus: [],
    states: [],
    ...triggers,
  };
}
