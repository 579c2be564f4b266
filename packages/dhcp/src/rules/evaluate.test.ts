import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RuleLogLevel } from "../config/types.ts";
import type { DhcpComponent } from "../hosts/types.ts";
import { parseIpv4 } from "../ip.ts";
import { evaluateRules, type RuleInput } from "./evaluate.ts";
import { parseRule } from "./parse.ts";

const NODE: DhcpComponent = { xname: "x1000c0s0b0n0", type: "Node", enabled: true, nid: 7 };
const BMC: DhcpComponent = { xname: "x1000c0s0b0", type: "NodeBMC", enabled: true, nid: undefined };
const SWITCH: DhcpComponent = { xname: "x3000c0w14", type: "MgmtSwitch", enabled: true, nid: undefined };

function input(component: DhcpComponent, address = "172.16.0.10", nameNid = component.nid): RuleInput {
  return { component, nameNid, address: parseIpv4(address)! };
}

function evaluate(rules: string[], at: RuleInput, domain?: string, ruleLog: RuleLogLevel = "info") {
  return evaluateRules(rules.map(parseRule), at, domain, ruleLog);
}

function hostname(rules: string[], at: RuleInput, domain?: string): string {
  const outcome = evaluate(rules, at, domain);
  assert.equal(outcome.ignore, false);
  return outcome.ignore ? "" : outcome.hostname;
}

describe("evaluateRules (§3.3)", () => {
  test("no rules: unknown-{04d} with the name NID, else the xname; the global domain follows", () => {
    assert.deepEqual(evaluateRules([], input(NODE), undefined, "info"), {
      ignore: false,
      hostname: "unknown-0007",
      routers: undefined,
      netmask: undefined,
      rule: undefined,
      log: "info",
    });
    assert.equal(hostname([], input(BMC, "172.16.0.10", 1)), "unknown-0001");
    assert.equal(hostname([], input(SWITCH)), "x3000c0w14");
    assert.equal(hostname([], input(NODE), "cluster.local"), "unknown-0007.cluster.local");
  });

  test("hostname patterns: nid{04d}, {id}, bmc{03d} with the name NID", () => {
    const rules = ["type:Node,hostname:nid{04d}", "type:NodeBMC,hostname:bmc{03d}", "hostname:{id}-sw"];
    assert.equal(hostname(rules, input(NODE)), "nid0007");
    assert.equal(hostname(rules, input(BMC, "172.16.0.10", 12)), "bmc012");
    assert.equal(hostname(rules, input(SWITCH)), "x3000c0w14-sw");
    // A BMC whose name NID is unknown falls back to its xname.
    assert.equal(hostname(rules, input(BMC)), "x1000c0s0b0");
  });

  test("type, subnet and id must all match", () => {
    const rules = [
      "name:by-id,id:x1000c0s0b0n0,type:NodeBMC,hostname:never",
      "name:by-subnet,type:Node,subnet:10.40.0.0/16|172.16.0.0/28,hostname:near-{02d}",
      "name:rest,hostname:far-{id}",
    ];
    assert.equal(hostname(rules, input(NODE, "172.16.0.10")), "near-07");
    assert.equal(hostname(rules, input(NODE, "10.40.9.9")), "near-07");
    assert.equal(hostname(rules, input(NODE, "172.16.0.16")), "far-x1000c0s0b0n0");
    assert.equal(hostname(["id:x1000c0s0b0n0,hostname:me", "hostname:other"], input(NODE)), "me");
    const outcome = evaluate(rules, input(NODE, "172.16.0.10"));
    assert.equal(outcome.rule, "by-subnet");
  });

  test("the first match stops, unless continue; later matches overwrite", () => {
    const stop = evaluate(
      ["type:Node,hostname:a,routers:10.0.0.1", "hostname:b,routers:10.0.0.2"],
      input(NODE),
    );
    assert.deepEqual(stop.ignore ? undefined : [stop.hostname, stop.routers], ["a", ["10.0.0.1"]]);
    const go = evaluate(
      [
        "name:first,type:Node,hostname:a,routers:10.0.0.1,cidr:24,continue:true",
        "name:second,routers:10.0.0.2|10.0.0.3,continue:on",
        "name:third,type:NodeBMC,hostname:never",
        "name:fourth,subnet:172.16.0.0/16",
        "name:fifth,hostname:never",
      ],
      input(NODE),
    );
    assert.deepEqual(go, {
      ignore: false,
      hostname: "a",
      routers: ["10.0.0.2", "10.0.0.3"],
      netmask: "255.255.0.0",
      rule: "fourth",
      log: "info",
    });
  });

  test("ignore drops the request even after continue, and carries its log level", () => {
    const rules = [
      "hostname:a,continue:true,log:none",
      "type:Node,ignore:true,name:off,log:debug",
      "hostname:b",
    ];
    assert.deepEqual(evaluate(rules, input(NODE)), { ignore: true, rule: "off", log: "debug" });
    assert.deepEqual(evaluate(["type:Node,ignore:yes,name:quiet"], input(NODE), undefined, "none"), {
      ignore: true,
      rule: "quiet",
      log: "none",
    });
    // Not matching, the ignore rule is skipped.
    assert.equal(hostname(rules, input(BMC, "172.16.0.10", 3)), "b");
  });

  test("the log level is the last matching rule's, else rule_log", () => {
    assert.equal(evaluate(["hostname:a,log:none"], input(NODE), undefined, "debug").log, "none");
    assert.equal(
      evaluate(["hostname:a,log:none,continue:1", "hostname:b"], input(NODE), undefined, "debug").log,
      "debug",
    );
    assert.equal(
      evaluate(["type:NodeBMC,hostname:a,log:none"], input(NODE), undefined, "debug").log,
      "debug",
    );
  });

  describe("domains", () => {
    const cases: [string, string | undefined, string][] = [
      ["hostname:n{04d}", undefined, "n0007"],
      ["hostname:n{04d}", "cluster.local", "n0007.cluster.local"],
      ["hostname:n{04d},domain:rule.example", undefined, "n0007.rule.example"],
      ["hostname:n{04d},domain:rule.example", "cluster.local", "n0007.rule.example"],
      ["hostname:n{04d},domain_append:none,domain:rule.example", "cluster.local", "n0007"],
      ["hostname:n{04d},domain_append:global,domain:rule.example", "cluster.local", "n0007.cluster.local"],
      ["hostname:n{04d},domain_append:global", undefined, "n0007"],
      ["hostname:n{04d},domain_append:rule,domain:rule.example", "cluster.local", "n0007.rule.example"],
      ["hostname:n{04d},domain_append:rule", "cluster.local", "n0007"],
      [
        "hostname:n{04d},domain_append:global|rule,domain:rule.example",
        "cluster.local",
        "n0007.cluster.local.rule.example",
      ],
      [
        "hostname:n{04d},domain_append:rule|global,domain:rule.example",
        "cluster.local",
        "n0007.rule.example.cluster.local",
      ],
      ["hostname:n{04d},domain_append:global|rule", "cluster.local", "n0007.cluster.local"],
      ["hostname:n{04d},domain_append:rule|global,domain:rule.example", undefined, "n0007.rule.example"],
    ];
    for (const [rule, global, expected] of cases) {
      test(`${rule} with global ${global ?? "unset"} → ${expected}`, () => {
        assert.equal(hostname([rule], input(NODE), global), expected);
      });
    }

    test("the domain comes from the rule that set the hostname", () => {
      const rules = ["hostname:a,domain:one.example,continue:true", "routers:10.0.0.1,domain:two.example"];
      assert.equal(hostname(rules, input(NODE)), "a.one.example");
      // A rule without hostname leaves the default name with the global domain.
      assert.equal(
        hostname(["routers:10.0.0.1,domain:two.example"], input(NODE), "g.example"),
        "unknown-0007.g.example",
      );
    });
  });
});
