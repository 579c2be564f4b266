import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isProblem } from "@openchami/core";
import fc from "fast-check";
import { discoveryStatusId, parseDiscoverBody } from "./discovery.ts";
import { expectBadRequest } from "./test-helpers.ts";

/** `name` with each letter's case chosen at random. */
const anyCase = (name: string) =>
  fc
    .array(fc.boolean(), { minLength: name.length, maxLength: name.length })
    .map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(""));

describe("parseDiscoverBody", () => {
  it("decodes {xnames, force} under any key casing, ignoring unknown keys", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string()),
        fc.boolean(),
        anyCase("xnames"),
        anyCase("force"),
        (xnames, force, xKey, fKey) => {
          const body = JSON.stringify({ [xKey]: xnames, [fKey]: force, other: [1] });
          assert.deepEqual(parseDiscoverBody(body), { xnames, force });
        },
      ),
    );
  });

  it("follows Go for null: an empty body is all endpoints, null xnames empties, null force keeps", () => {
    assert.deepEqual(parseDiscoverBody("null"), { xnames: [], force: false });
    assert.deepEqual(parseDiscoverBody('{"xnames":["a"],"XNAMES":null,"force":true,"Force":null}'), {
      xnames: [],
      force: true,
    });
    assert.deepEqual(parseDiscoverBody('{"xnames":["a",null]}'), { xnames: ["a", ""], force: false });
  });

  it("answers anything else with 400 `POST body was not understood`", () => {
    for (const body of [
      undefined,
      "",
      "{",
      "[]",
      "1",
      '"s"',
      '{"xnames":{}}',
      '{"xnames":[true]}',
      '{"force":0}',
    ]) {
      assert.equal(
        expectBadRequest(() => parseDiscoverBody(body)),
        "POST body was not understood",
      );
    }
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          const { xnames, force } = parseDiscoverBody(text);
          assert.ok(Array.isArray(xnames) && typeof force === "boolean");
        } catch (error) {
          assert.ok(isProblem(error) && error.detail === "POST body was not understood");
        }
      }),
    );
  });
});

describe("discoveryStatusId", () => {
  it("takes unsigned 32-bit integers only", () => {
    assert.equal(discoveryStatusId("0"), 0);
    assert.equal(discoveryStatusId("4294967295"), 4294967295);
    for (const raw of ["", "-1", "1.0", "0x1", " 1", "4294967296", "FAKE"]) {
      assert.equal(
        expectBadRequest(() => discoveryStatusId(raw)),
        "DiscoveryStatus ID not an unsigned integer",
      );
    }
  });
});
