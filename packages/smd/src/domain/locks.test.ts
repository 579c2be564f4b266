import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withExtensions } from "@openchami/core";
import fc from "fast-check";
import {
  countsResult,
  type LockState,
  lockBlocker,
  parseDuration,
  parseProcessingModel,
  reservationBlocker,
  rfc3339,
  toKeys,
  toLockRequest,
  triage,
} from "./locks.ts";
import { badRequestDetail } from "./test-helpers.ts";

const state: fc.Arbitrary<LockState> = fc.record({
  id: fc.constantFrom("x1", "x2", "x3", "x4", "x5"),
  locked: fc.boolean(),
  reservationDisabled: fc.boolean(),
  reserved: fc.boolean(),
});
const states = fc
  .uniqueArray(state, { selector: (s) => s.id, minLength: 1 })
  .map((list) => list.sort((a, b) => a.id.localeCompare(b.id)));

describe("options", () => {
  it("ProcessingModel: empty is rigid; rigid/flexible in any case; else 400", () => {
    assert.equal(parseProcessingModel(undefined), "rigid");
    assert.equal(parseProcessingModel("FLEXIBLE"), "flexible");
    assert.equal(
      badRequestDetail(() => parseProcessingModel("best-effort")),
      "Invalid Processing Model",
    );
  });

  it("ReservationDuration: 0–15 (1–15 where required)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -100, max: 100 }), fc.boolean(), (minutes, required) => {
        const ok = minutes >= (required ? 1 : 0) && minutes <= 15;
        const detail = badRequestDetail(() => parseDuration(minutes, required));
        assert.equal(detail === undefined, ok, `${minutes} ${required}`);
      }),
    );
  });

  it("the filter body becomes a component filter", () => {
    const request = toLockRequest(
      {
        ComponentIDs: ["X0c0s0b0n0"],
        Type: ["node"],
        ReservationDisabled: ["false"],
        ProcessingModel: "flexible",
      },
      withExtensions(),
    );
    assert.deepEqual(request.filter.id?.include, ["x0c0s0b0n0"]);
    assert.deepEqual(request.filter.type?.include, ["Node"]);
    assert.deepEqual(request.filter.reservationDisabled?.include, [false]);
    assert.equal(request.model, "flexible");
  });

  it("keys: normalised IDs, lower-cased keys, duplicates once", () => {
    assert.deepEqual(
      toKeys(
        [
          { ID: "X0c0s0b0n0", Key: "X0C0S0B0N0:RK:AB" },
          { ID: "x0c0s0b0n0", Key: "x0c0s0b0n0:rk:ab" },
        ],
        "Reservation",
      ),
      [{ id: "x0c0s0b0n0", key: "x0c0s0b0n0:rk:ab" }],
    );
  });
});

describe("triage", () => {
  it("flexible: every component is acted on or fails, exactly once, with the blocker's reason first", () => {
    fc.assert(
      fc.property(
        states,
        fc.constantFrom("lock", "unlock") as fc.Arbitrary<"lock" | "unlock">,
        (list, action) => {
          const { ok, failures } = triage(list, "flexible", (s) => lockBlocker(s, action), true);
          assert.equal(ok.length + failures.length, list.length);
          for (const s of ok) assert.ok(!s.reserved && lockBlocker(s, action) === undefined);
          for (const f of failures) {
            const s = list.find((x) => x.id === f.ID) as LockState;
            assert.equal(f.Reason, lockBlocker(s, action) ?? "Reserved");
          }
        },
      ),
    );
  });

  it("rigid: a 400 exactly when flexible would report a failure", () => {
    fc.assert(
      fc.property(states, fc.boolean(), (list, service) => {
        const blocker = (s: LockState) => reservationBlocker(s, service);
        const flexible = triage(list, "flexible", blocker, true);
        const detail = badRequestDetail(() => triage(list, "rigid", blocker, true));
        assert.equal(detail !== undefined, flexible.failures.length > 0);
      }),
    );
  });

  it("admin reservations need a locked component, service ones an unlocked one", () => {
    const base = { id: "x1", reservationDisabled: false, reserved: false };
    assert.equal(reservationBlocker({ ...base, locked: false }, false), "Unlocked");
    assert.equal(reservationBlocker({ ...base, locked: true }, true), "Locked");
    assert.equal(reservationBlocker({ ...base, locked: true, reservationDisabled: true }, false), "Disabled");
  });
});

describe("answers", () => {
  it("Counts add up", () => {
    assert.deepEqual(countsResult(["a"], [{ ID: "b", Reason: "NotFound" }]), {
      Counts: { Total: 2, Success: 1, Failure: 1 },
      Success: { ComponentIDs: ["a"] },
      Failure: [{ ID: "b", Reason: "NotFound" }],
    });
  });

  it("times are RFC 3339 to the second in UTC", () => {
    assert.equal(rfc3339(new Date("2024-05-06T07:08:09.123Z")), "2024-05-06T07:08:09Z");
  });
});
