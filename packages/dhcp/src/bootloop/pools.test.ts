import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCidr } from "../ip.ts";
import { choosePool } from "./pools.ts";
import { ip, pool } from "./test-pools.ts";

const A = pool("10.0.0.0/24", "10.0.0.100", "10.0.0.200");
const B = pool("10.0.1.0/24", "10.0.1.100", "10.0.1.200");

describe("choosePool", () => {
  it("picks the pool whose CIDR holds a relay's giaddr, and none when no pool does", () => {
    assert.equal(choosePool([A, B], ip("10.0.1.1"), undefined), B);
    assert.equal(
      choosePool([A, B], ip("10.0.0.254"), parseCidr("10.0.1.0/24")),
      A,
      "giaddr wins over the listener",
    );
    assert.equal(choosePool([A, B], ip("10.0.2.1"), undefined), undefined);
    assert.equal(choosePool([A], ip("10.0.2.1"), undefined), undefined, "not the sole pool either");
  });

  it("for a direct request picks the pool inside the listener's subnet, if one is", () => {
    assert.equal(choosePool([A, B], 0, parseCidr("10.0.1.0/24")), B);
    assert.equal(choosePool([A, B], 0, parseCidr("10.0.0.0/16")), A, "the first one inside");
    assert.equal(choosePool([A], 0, parseCidr("10.0.2.0/24")), undefined, "the sole pool would not route");
  });

  it("for a direct request without a known subnet picks the sole pool, or none among several", () => {
    assert.equal(choosePool([A], 0, undefined), A);
    assert.equal(choosePool([A, B], 0, undefined), undefined);
    assert.equal(choosePool([], 0, undefined), undefined);
  });
});
