import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mapDbError } from "./errors.ts";

const withCode = (code: string) => Object.assign(new Error("any text"), { code });

describe("mapDbError", () => {
  it("maps constraint violations to 409 and invalid input to 400", () => {
    assert.equal(mapDbError(withCode("23505"))?.status, 409);
    assert.equal(mapDbError(withCode("23503"))?.status, 409);
    for (const code of ["22P02", "22003", "22001", "22007", "22008", "23502", "23514"]) {
      assert.equal(mapDbError(withCode(code))?.status, 400, code);
    }
  });

  it("maps an unreachable or overloaded database to 503", () => {
    for (const code of ["08006", "08001", "57P01", "57P03", "53300", "ECONNREFUSED"]) {
      assert.equal(mapDbError(withCode(code))?.status, 503, code);
    }
  });

  it("leaves everything else to the generic 500 handler", () => {
    assert.equal(mapDbError(withCode("42601")), undefined);
    assert.equal(mapDbError(withCode("EPIPE")), undefined);
    assert.equal(mapDbError(new Error("duplicate key value violates unique constraint")), undefined);
    assert.equal(mapDbError({ code: 23505 }), undefined);
    assert.equal(mapDbError(undefined), undefined);
    assert.equal(mapDbError("23505"), undefined);
  });
});
