import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { HMS_TYPES, type HMSType } from "./enums.ts";
import { isValidXname, normalizeXname, parseXname, XNAME_GRAMMAR, xnameParent, xnameType } from "./xname.ts";

/** One example per type, from the spec's prose and table (smd.md §3, §4, §9). */
const EXAMPLES: readonly (readonly [string, HMSType])[] = [
  ["d0", "CDU"],
  ["d0w1", "CDUMgmtSwitch"],
  ["x3000", "Cabinet"],
  ["x1d1", "CabinetCDU"],
  ["x1e0", "CEC"],
  ["x1b0", "CabinetBMC"],
  ["x3000m0", "CabinetPDUController"],
  ["x3000m0p0", "CabinetPDU"],
  ["x3000m3i3", "CabinetPDUNic"],
  ["x3000m0p7v12", "CabinetPDUPowerConnector"],
  ["x3000m0p0j1", "CabinetPDUOutlet"],
  ["x1000c7", "Chassis"],
  ["x1c0b0", "ChassisBMC"],
  ["x1c0b0i3", "ChassisBMCNic"],
  ["x1c0f0", "CMMFpga"],
  ["x1c0t9", "CMMRectifier"],
  ["x1c0w1", "MgmtSwitch"],
  ["x1c0w0j48", "MgmtSwitchConnector"],
  ["x1c0h1", "MgmtHLSwitchEnclosure"],
  ["x1c0h0s9", "MgmtHLSwitch"],
  ["x0c0s1", "ComputeModule"],
  ["x0c0s1j2", "NodePowerConnector"],
  ["x0c0s1v1", "NodePowerConnector"],
  ["x0c0s1e0", "NodeEnclosure"],
  ["x0c0s1e0t1", "NodeEnclosurePowerSupply"],
  ["x1000c7s1b0", "NodeBMC"],
  ["x0c0s1b0i0", "NodeBMCNic"],
  ["x0c0s1b0f0", "NodeFpga"],
  ["x0c0s0b0n0", "Node"],
  ["x0c0s0b0n0v1", "VirtualNode"],
  ["x0c0s0b0n0p0", "Processor"],
  ["x0c0s0b0n0a7", "NodeAccel"],
  ["x0c0s0b0n0r7", "NodeAccelRiser"],
  ["x0c0s0b0n0d15", "Memory"],
  ["x0c0s0b0n0g0", "StorageGroup"],
  ["x0c0s0b0n0g0k1", "Drive"],
  ["x0c0s0b0n0i3", "NodeNic"],
  ["x0c0s0b0n0h3", "NodeHsnNic"],
  ["x0c0r1", "RouterModule"],
  ["x0c0r1b0", "RouterBMC"],
  ["x0c0r1b0i0", "RouterBMCNic"],
  ["x0c0r1f1", "RouterFpga"],
  ["x0c0r1t0", "RouterTOR"],
  ["x0c0r1t0f1", "RouterTORFpga"],
  ["x0c0r1v2", "RouterPowerConnector"],
  ["x0c0r1e0", "HSNBoard"],
  ["x0c0r1a3", "HSNAsic"],
  ["x0c0r1a0l12", "HSNLink"],
  ["x0c0r1j1", "HSNConnector"],
  ["x0c0r1j0p2", "HSNConnectorPort"],
  ["s0", "System"],
  ["sms1", "SMSBox"],
  ["p1", "Partition"],
  ["p9999.9999", "Partition"],
  ["all", "All"],
  ["all_comp", "AllComp"],
  ["all_svc", "AllSvc"],
];

/** Each one breaks a single digit class or literal of the grammar. */
const INVALID = [
  "",
  "   ",
  "FAKE",
  "x",
  "x12345", // X: at most 4 digits
  "x1c8", // C: [0-7]
  "x1c", // a letter run with no number
  "c0",
  "x1c0w0", // M: not 0
  "x1c0w00",
  "x1c0h0",
  "x0c0r1j0",
  "x3000m0p0v0",
  "x3000m4", // [0-3]
  "x3000m0p8", // [0-7]
  "x1d2",
  "x1b1", // b0 only
  "x1c0b1",
  "x1c0f1",
  "x1c0t10",
  "x1c0h1s0", // [1-9]
  "x0c0s0j3",
  "x0c0s0b0n0p4",
  "x0c0s0b0n0i4",
  "x0c0r1f2",
  "x0c0r1j0p3",
  "x0c0s0b0n0v", // trailing letters
  "s1",
  "sms",
  "p",
  "p1.",
  "p1.2.3",
  "all_",
  "allcomp",
  "x0c0s0b0n0x0",
  "x0-c0",
  "x0c0s0b0n0 n0",
  "x١", // Arabic-Indic digit: not a digit here
];

describe("xname examples", () => {
  for (const [id, type] of EXAMPLES) {
    it(`${id} is ${type}`, () => {
      assert.equal(xnameType(id), type);
      assert.deepEqual(parseXname(id), { id, type });
      assert.equal(isValidXname(id), true);
    });
  }

  it("covers every type of the grammar", () => {
    const covered = new Set(EXAMPLES.map(([, type]) => type));
    assert.deepEqual(
      HMS_TYPES.filter((t) => !covered.has(t)),
      ["INVALID"],
    );
  });

  for (const id of INVALID) {
    it(`${JSON.stringify(id)} is INVALID`, () => {
      assert.equal(xnameType(id), "INVALID");
      assert.equal(parseXname(id), undefined);
      assert.equal(isValidXname(id), false);
      assert.equal(xnameParent(id), undefined);
    });
  }
});

describe("normalizeXname", () => {
  const cases = [
    ["x0001c0", "x1c0"],
    ["x0", "x0"],
    ["x000", "x0"],
    ["  X3000C0S0B0N0\t", "x3000c0s0b0n0"],
    ["X01C02S03B04N05", "x1c2s3b4n5"],
    ["P0001.0010", "p1.10"],
    ["ALL_COMP", "all_comp"],
    ["0042", "42"],
    ["FAKE", "fake"],
    ["", ""],
  ] as const;
  for (const [raw, normal] of cases) {
    it(`${JSON.stringify(raw)} → ${normal}`, () => assert.equal(normalizeXname(raw), normal));
  }

  it("checks digit classes after dropping zeros", () => {
    assert.equal(xnameType("x00001"), "Cabinet"); // five characters, one digit
    assert.equal(xnameType("x01234c07"), "Chassis");
    assert.equal(xnameType("x1c0w01"), "MgmtSwitch");
    assert.equal(xnameType("x1c0b00"), "ChassisBMC");
    assert.equal(parseXname("X0003000M0P0")?.id, "x3000m0p0");
  });
});

describe("xnameParent", () => {
  const cases = [
    ["x0c0s0b0n0", "x0c0s0b0"],
    ["x0c0s0b0n0g1k2", "x0c0s0b0n0g1"],
    ["x1000c7s1b0", "x1000c7s1"],
    ["x0c0s1", "x0c0"],
    ["x0c0", "x0"],
    ["x3000m0p0v1", "x3000m0p0"],
    ["X0001C0", "x1"],
    ["d0w1", "d0"],
    ["x0c0w0j1", "x0c0w0"], // structural: the prefix need not be a valid MgmtSwitch
    ["x3000", "s0"],
    ["d7", "s0"],
  ] as const;
  for (const [child, parent] of cases) {
    it(`${child} → ${parent}`, () => assert.equal(xnameParent(child), parent));
  }
  for (const id of ["s0", "sms1", "p1", "p1.2", "all", "all_comp", "all_svc", "FAKE"]) {
    it(`${id} has none`, () => assert.equal(xnameParent(id), undefined));
  }
});

// Generators built from the grammar table; the examples above tie the table to the spec.
interface Segment {
  label: string;
  digits: string;
}

const NUMBER_CLASSES: Readonly<Record<string, fc.Arbitrary<number>>> = {
  N: fc.nat(99_999),
  X: fc.nat(9999),
  C: fc.nat(7),
  M: fc.integer({ min: 1, max: 99_999 }),
};

function digitsArb(spec: string): fc.Arbitrary<string> {
  if (spec === "") return fc.constant("");
  const named = NUMBER_CLASSES[spec];
  if (named) return named.map(String);
  const set = spec.replace(/^\[|\]$/g, "");
  const range = /^(\d)-(\d)$/.exec(set);
  return range
    ? fc.integer({ min: Number(range[1]), max: Number(range[2]) }).map(String)
    : fc.constantFrom(...set);
}

function segmentsArb(pattern: string): fc.Arbitrary<Segment[]> {
  const parts = [...pattern.matchAll(/([a-z._]+)([NXCM]|\d|\[[\d-]+\])?/g)];
  return fc.tuple(
    ...parts.map(([, label = "", spec = ""]) => digitsArb(spec).map((digits) => ({ label, digits }))),
  );
}

const join = (segments: readonly Segment[]) => segments.map((s) => s.label + s.digits).join("");

/** The same ID as an admin might type it: zero-padded numbers, shouting, stray blanks. */
function decoratedArb(segments: readonly Segment[]): fc.Arbitrary<string> {
  const each = segments.map(({ label, digits }) =>
    fc
      .record({ zeros: fc.nat(3), upper: fc.boolean() })
      .map(
        ({ zeros, upper }) => (upper ? label.toUpperCase() : label) + (digits && "0".repeat(zeros)) + digits,
      ),
  );
  return fc
    .tuple(fc.constantFrom("", " ", "\t"), fc.tuple(...each), fc.constantFrom("", " ", "\n"))
    .map(([before, body, after]) => before + body.join("") + after);
}

const rowArb = fc
  .constantFrom(...XNAME_GRAMMAR)
  .chain(([type, pattern]) => segmentsArb(pattern).map((segments) => ({ type, segments })));

/** Strings close enough to xnames to reach deep into the grammar. */
const nearMissArb = fc.string({
  unit: fc.constantFrom(..."xXcsSbBnpdwmjvekgirtfahl._0123456789 "),
  maxLength: 24,
});
const anyStringArb = fc.oneof(fc.string({ unit: "binary" }), nearMissArb);

describe("xname properties", () => {
  it("every generated ID of a row parses to that row's type", () => {
    for (const [type, pattern] of XNAME_GRAMMAR) {
      fc.assert(
        fc.property(segmentsArb(pattern), (segments) => {
          const id = join(segments);
          assert.deepEqual(parseXname(id), { id, type }, pattern);
        }),
        { numRuns: 50 },
      );
    }
  });

  it("leading zeros, case and blanks do not change the type or the normal form", () => {
    fc.assert(
      fc.property(
        rowArb.chain(({ type, segments }) =>
          decoratedArb(segments).map((raw) => ({ type, id: join(segments), raw })),
        ),
        ({ type, id, raw }) => {
          assert.equal(xnameType(raw), type);
          assert.equal(parseXname(raw)?.id, id);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("the parent of a generated child is the prefix it was generated from", () => {
    fc.assert(
      fc.property(rowArb, ({ type, segments }) => {
        const expected = ["System", "SMSBox", "Partition", "All", "AllComp", "AllSvc"].includes(type)
          ? undefined
          : type === "Cabinet" || type === "CDU"
            ? "s0"
            : join(segments.slice(0, -1));
        assert.equal(xnameParent(join(segments)), expected);
      }),
      { numRuns: 2000 },
    );
  });

  it("normalisation is idempotent", () => {
    fc.assert(
      fc.property(anyStringArb, (raw) => {
        const once = normalizeXname(raw);
        assert.equal(normalizeXname(once), once);
      }),
      { numRuns: 2000 },
    );
  });

  it("garbage never throws and every answer is consistent", () => {
    fc.assert(
      fc.property(anyStringArb, (raw) => {
        const type = xnameType(raw);
        assert.ok(HMS_TYPES.includes(type));
        const parsed = parseXname(raw);
        assert.equal(isValidXname(raw), parsed !== undefined);
        assert.equal(parsed?.type ?? "INVALID", type);
        if (parsed) assert.deepEqual(parseXname(parsed.id), parsed);
        const parent = xnameParent(raw);
        if (parent !== undefined && parent !== "s0") assert.ok(parsed?.id.startsWith(parent));
      }),
      { numRuns: 5000 },
    );
  });
});
