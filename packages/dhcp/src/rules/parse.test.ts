import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import fc from "fast-check";
import { DhcpConfigError } from "../config/errors.ts";
import { parseIpv4 } from "../ip.ts";
import { defaultRuleName, legacyPatternRule, parseRule } from "./parse.ts";

function rejects(text: string, message: string | RegExp): void {
  assert.throws(
    () => parseRule(text),
    (error: unknown) => {
      assert.ok(error instanceof DhcpConfigError, String(error));
      if (typeof message === "string") assert.equal(error.message, message);
      else assert.match(error.message, message);
      return true;
    },
  );
}

describe("parseRule (§3.3)", () => {
  test("every key", () => {
    const rule = parseRule(
      "name:compute,type:Node|VirtualNode,subnet:10.40.1.0/24|10.40.3.0/24,id:X1000C0S0B0N0,hostname:compute-{04d}," +
        "routers:10.40.1.1|10.40.1.2,cidr:22,domain:.hpc.example,domain_append:Rule|Global,continue:yes,ignore:off,log:debug",
    );
    assert.equal(rule.name, "compute");
    assert.deepEqual(rule.types, new Set(["Node", "VirtualNode"]));
    assert.deepEqual(
      rule.subnets?.map((c) => [c.network, c.prefix]),
      [
        [parseIpv4("10.40.1.0"), 24],
        [parseIpv4("10.40.3.0"), 24],
      ],
    );
    assert.equal(rule.id, "x1000c0s0b0n0");
    assert.equal(rule.hostname, "compute-{04d}");
    assert.deepEqual(rule.routers, ["10.40.1.1", "10.40.1.2"]);
    assert.equal(rule.netmask, "255.255.252.0");
    assert.equal(rule.domain, "hpc.example");
    assert.equal(rule.domainAppend, "rule|global");
    assert.deepEqual([rule.continue, rule.ignore, rule.log], [true, false, "debug"]);
  });

  test("defaults: any match, no actions beyond the one given, a hashed name", () => {
    const text = "type:Node,hostname:nid{04d}";
    const rule = parseRule(`  ${text} `);
    const hash = createHash("sha256").update(text).digest("hex").slice(0, 8);
    assert.equal(rule.name, `rule-${hash}`);
    assert.equal(defaultRuleName(text), rule.name);
    assert.match(rule.name, /^rule-[0-9a-f]{8}$/);
    assert.equal(rule.text, text);
    assert.deepEqual(
      [
        rule.subnets,
        rule.id,
        rule.routers,
        rule.netmask,
        rule.domain,
        rule.domainAppend,
        rule.continue,
        rule.ignore,
        rule.log,
      ],
      [undefined, undefined, undefined, undefined, undefined, undefined, false, false, undefined],
    );
    assert.notEqual(parseRule("type:NodeBMC,hostname:nid{04d}").name, rule.name);
  });

  test("quotes protect commas and colons; backslash escapes the next character", () => {
    assert.equal(parseRule(`hostname:"a,b:c"`).hostname, "a,b:c");
    assert.equal(parseRule(`hostname:'say "hi"'`).hostname, 'say "hi"');
    assert.equal(parseRule(String.raw`hostname:"q\"x"`).hostname, 'q"x');
    assert.equal(parseRule(String.raw`hostname:a\,b`).hostname, "a,b");
    assert.equal(parseRule(String.raw`name:x\\y,ignore:1`).name, String.raw`x\y`);
    assert.equal(parseRule(" type : Node , hostname : n{id} ,, ").hostname, "n{id}");
  });

  test("a subnet implies its netmask unless netmask or cidr is given", () => {
    assert.equal(parseRule("subnet:10.0.0.0/21").netmask, "255.255.248.0");
    assert.equal(parseRule("subnet:10.0.0.0/21|10.9.0.0/16,netmask:255.255.255.0").netmask, "255.255.255.0");
    assert.equal(parseRule("subnet:10.0.0.0/21,cidr:32").netmask, "255.255.255.255");
  });

  test("booleans: Go's set plus y/n, yes/no, on/off", () => {
    for (const word of ["1", "t", "T", "true", "TRUE", "y", "Yes", "on", "ON"]) {
      assert.equal(parseRule(`hostname:x,continue:${word}`).continue, true, word);
    }
    for (const word of ["0", "f", "false", "n", "NO", "off"]) {
      assert.equal(parseRule(`hostname:x,continue:${word}`).continue, false, word);
    }
    assert.equal(parseRule("ignore:true").ignore, true);
  });

  test("domain_append values", () => {
    for (const value of ["global", "rule", "global|rule", "rule|global", "none"]) {
      assert.equal(parseRule(`hostname:x,domain_append:${value}`).domainAppend, value);
    }
  });

  const errors: [string, string | RegExp][] = [
    ["", "empty rule"],
    ["type:Node", "a rule needs an action: hostname, routers, netmask, cidr, subnet or ignore:true"],
    ["type:Node,ignore:false", /^a rule needs an action/],
    ["subnet:0.0.0.0/0", /^a rule needs an action/],
    ["hostnme:x", /^unknown key "hostnme" \(known: type, subnet, id, id_set, /],
    ["hostname:a,hostname:b", "hostname: given more than once"],
    ["hostname", '"hostname" is not key:value'],
    [":x", /^unknown key "" /],
    ["hostname:", "hostname: needs a value"],
    [
      "id_set:x1000c0s0b[0-3]n0,hostname:a",
      "id_set: reserved and not implemented (match one xname with id:)",
    ],
    ["hostname:x,netmask:255.255.255.0,cidr:24", "netmask and cidr exclude each other: give one"],
    ["cidr:0", 'cidr: "0" is not a prefix length from 1 to 32'],
    ["cidr:33", 'cidr: "33" is not a prefix length from 1 to 32'],
    ["cidr:x", 'cidr: "x" is not a prefix length from 1 to 32'],
    ["netmask:255.0.255.0", 'netmask: "255.0.255.0" is not a netmask (e.g. 255.255.255.0)'],
    ["netmask:0.0.0.0", 'netmask: "0.0.0.0" is not a netmask (e.g. 255.255.255.0)'],
    ["routers:10.0.0.1|fe80::1", 'routers: "fe80::1" is not an IPv4 address'],
    ["routers:10.0.0.1||10.0.0.2", 'routers: "10.0.0.1||10.0.0.2" has an empty alternative'],
    ["subnet:10.0.0.0/24|fd00::/64", 'subnet: "fd00::/64" is not an IPv4 CIDR (e.g. 172.16.0.0/24)'],
    ["type:|,hostname:x", 'type: "|" has an empty alternative'],
    ["hostname:x,domain:none", 'domain: "none" is not a domain (for no domain use domain_append:none)'],
    ["hostname:x,domain:...", 'domain: "..." is not a domain'],
    [
      "hostname:x,domain_append:global|none",
      'domain_append: "global|none" is not one of "global", "rule", "global|rule", "rule|global", "none"',
    ],
    ["hostname:x,domain_append:global|global", /^domain_append: "global\|global" is not one of/],
    ["hostname:x,continue:maybe", 'continue: "maybe" is not a boolean (true/false, yes/no, on/off)'],
    ["hostname:x,log:warn", 'log: "warn" is not one of "info", "debug", "none"'],
    [`hostname:"open`, 'unterminated " quote'],
    ["hostname:x\\", "a trailing \\ escapes nothing"],
  ];
  for (const [text, message] of errors)
    test(`refused: ${JSON.stringify(text)}`, () => rejects(text, message));

  test("arbitrary text yields a rule or a DhcpConfigError, nothing else", () => {
    const alphabet = fc.constantFrom(
      "h",
      "o",
      "s",
      "t",
      ":",
      ",",
      "|",
      "'",
      '"',
      "\\",
      " ",
      "{",
      "}",
      "0",
      "4",
      "d",
    );
    const keyed = fc
      .tuple(
        fc.constantFrom("hostname:", "type:", "ignore:", "cidr:", "subnet:", "routers:"),
        fc.string({ unit: alphabet }),
      )
      .map(([key, rest]) => key + rest);
    fc.assert(
      fc.property(fc.oneof(keyed, fc.string({ unit: alphabet }), fc.string()), (text) => {
        try {
          const rule = parseRule(text);
          assert.ok(
            rule.hostname !== undefined ||
              rule.routers !== undefined ||
              rule.netmask !== undefined ||
              rule.ignore,
          );
        } catch (error) {
          assert.ok(error instanceof DhcpConfigError, String(error));
        }
      }),
    );
  });
});

describe("legacyPatternRule", () => {
  test("node_pattern and bmc_pattern become type rules; odd characters stay literal", () => {
    const node = parseRule(legacyPatternRule("Node", "nid{04d}"));
    assert.deepEqual([node.types, node.hostname], [new Set(["Node"]), "nid{04d}"]);
    assert.equal(legacyPatternRule("NodeBMC", "bmc{03d}"), "type:NodeBMC,hostname:bmc{03d}");
    assert.equal(parseRule(legacyPatternRule("NodeBMC", `a,b'c"d\\e`)).hostname, `a,b'c"d\\e`);
  });
});
