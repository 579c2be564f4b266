import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createMetrics } from "@openchami/http";
import { parseDhcpConfig } from "../config/load.ts";
import { StaticHostSource } from "../hosts/static.ts";
import type { DhcpInventoryData } from "../hosts/view.ts";
import { startNetworkServices } from "../service.ts";
import { hostnameConflicts, watchHostnameConflicts } from "./hostname-conflicts.ts";
import { inventory, nic, node, recordingLogger } from "./test-support.ts";

function config(rules: string[]) {
  const rule = rules.map((r) => `      - "${r}"\n`).join("");
  return parseDhcpConfig(
    `server4:
  listen: ["127.0.0.1:0"]
  server_id: 10.0.0.1
  coresmd:
    ipxe_base_uri: http://10.0.0.1:8081
    domain: cluster
    rule:
${rule}`,
    { interfaces: {} },
  );
}

const RULES = [
  "id:x1000c0s9b0n0,ignore:true",
  "type:Node,hostname:nid{04d}",
  "type:NodeBMC,hostname:bmc{04d}",
];

const bmc = (ID: string, NID?: number) => ({ ID, Type: "NodeBMC", ...(NID === undefined ? {} : { NID }) });

/** Two nodes sharing NID 1; everything else distinct or out of the running. */
const DATA: DhcpInventoryData = inventory(
  [
    node("x1000c0s0b0n0", 1),
    node("x1000c0s1b0n0", 1),
    node("x1000c0s2b0n0", 2),
    node("x1000c0s3b0n0", 2, { Enabled: false }),
    node("x1000c0s9b0n0", 2),
    node("x1000c0s4b0n0", 2),
    bmc("x1000c0s0b0"),
    bmc("x1000c0s1b0"),
    bmc("x1000c0s7b0"),
  ],
  [
    nic("52:54:00:00:00:01", "x1000c0s0b0n0", "10.0.0.1"),
    nic("52:54:00:00:00:02", "x1000c0s1b0n0", "10.0.0.2"),
    // One component, two interfaces: one name, no conflict.
    nic("52:54:00:00:00:03", "x1000c0s2b0n0", "10.0.0.3"),
    nic("52:54:00:00:01:03", "x1000c0s2b0n0", "10.0.1.3"),
    // Disabled, ignored, or without an IPv4: never named by DHCP.
    nic("52:54:00:00:00:04", "x1000c0s3b0n0", "10.0.0.4"),
    nic("52:54:00:00:00:05", "x1000c0s9b0n0", "10.0.0.5"),
    nic("52:54:00:00:00:06", "x1000c0s4b0n0", "fd00::6"),
    // BMCs take their nodes' lowest NID (1 and 1!), or their xname without one.
    nic("52:54:00:00:00:10", "x1000c0s0b0", "10.0.0.10"),
    nic("52:54:00:00:00:11", "x1000c0s1b0", "10.0.0.11"),
    nic("52:54:00:00:00:17", "x1000c0s7b0", "10.0.0.17"),
  ],
);

describe("hostnameConflicts (§3.3)", () => {
  test("names rendered by the rules that several enabled components share", () => {
    const hosts = new StaticHostSource(DATA);
    assert.deepEqual(hostnameConflicts(hosts.current(), config(RULES).coresmd), [
      { hostname: "bmc0001.cluster", xnames: ["x1000c0s0b0", "x1000c0s1b0"] },
      { hostname: "nid0001.cluster", xnames: ["x1000c0s0b0n0", "x1000c0s1b0n0"] },
    ]);
  });

  test("distinct NIDs or {id} patterns: none; a pattern without a field: all of its matches", () => {
    const distinct = new StaticHostSource(
      inventory(
        [node("x1000c0s0b0n0", 1), node("x1000c0s1b0n0", 2), bmc("x1000c0s0b0"), bmc("x1000c0s1b0")],
        [
          nic("52:54:00:00:00:01", "x1000c0s0b0n0", "10.0.0.1"),
          nic("52:54:00:00:00:02", "x1000c0s1b0n0", "10.0.0.2"),
          nic("52:54:00:00:00:10", "x1000c0s0b0", "10.0.0.10"),
          nic("52:54:00:00:00:11", "x1000c0s1b0", "10.0.0.11"),
        ],
      ),
    );
    assert.deepEqual(hostnameConflicts(distinct.current(), config(RULES).coresmd), []);
    assert.deepEqual(
      hostnameConflicts(new StaticHostSource(DATA).current(), config(["hostname:{id}"]).coresmd),
      [],
    );
    assert.deepEqual(hostnameConflicts(distinct.current(), config(["type:NodeBMC,hostname:bmc"]).coresmd), [
      { hostname: "bmc.cluster", xnames: ["x1000c0s0b0", "x1000c0s1b0"] },
    ]);
  });

  test("names differing only in case collide; subnet rules see the first IPv4", () => {
    const hosts = new StaticHostSource(
      inventory(
        [node("x1000c0s0b0n0", 1), node("x1000c0s1b0n0", 2)],
        [
          nic("52:54:00:00:00:01", "x1000c0s0b0n0", "10.0.0.1"),
          nic("52:54:00:00:00:02", "x1000c0s1b0n0", "10.1.0.2", "10.0.0.2"),
        ],
      ),
    );
    const rules = ["subnet:10.0.0.0/24,hostname:Node", "subnet:10.1.0.0/24,hostname:node"];
    assert.deepEqual(hostnameConflicts(hosts.current(), config(rules).coresmd), [
      { hostname: "Node.cluster", xnames: ["x1000c0s0b0n0", "x1000c0s1b0n0"] },
    ]);
  });
});

describe("watchHostnameConflicts", () => {
  const warnings = (lines: Record<string, unknown>[]) =>
    lines.filter((l) => l.level === 40 && String(l.msg).startsWith("several components"));

  test("sets the gauge on every view and warns when the set of conflicts changes", () => {
    const { logger, lines } = recordingLogger();
    const metrics = createMetrics();
    const hosts = new StaticHostSource(DATA);
    const stop = watchHostnameConflicts({ hosts, coresmd: config(RULES).coresmd, logger, metrics });
    assert.match(metrics.render(), /^dhcp_hostname_conflicts 2$/m);
    assert.equal(warnings(lines).length, 1);
    assert.equal(warnings(lines)[0]!.conflicts, 2);
    assert.deepEqual(warnings(lines)[0]!.examples, [
      "bmc0001.cluster: x1000c0s0b0, x1000c0s1b0",
      "nid0001.cluster: x1000c0s0b0n0, x1000c0s1b0n0",
    ]);

    hosts.update(DATA);
    assert.equal(warnings(lines).length, 1, "an unchanged inventory reloaded: no new warning");

    const fixed = inventory(
      DATA.components.map((c) => (c.ID === "x1000c0s1b0n0" ? { ...c, NID: 7 } : c)),
      DATA.ethernetInterfaces,
    );
    hosts.update(fixed);
    assert.match(metrics.render(), /^dhcp_hostname_conflicts 0$/m);
    assert.equal(warnings(lines).length, 1, "resolved: nothing to warn about");

    hosts.update(DATA);
    assert.equal(warnings(lines).length, 2, "back again: warned again");

    stop();
    hosts.update(fixed);
    assert.match(metrics.render(), /^dhcp_hostname_conflicts 2$/m, "no longer watching");
  });

  test("an inventory not loaded yet is checked on its first load", () => {
    const { logger, lines } = recordingLogger();
    const metrics = createMetrics();
    const hosts = new StaticHostSource();
    const stop = watchHostnameConflicts({ hosts, coresmd: config(RULES).coresmd, logger, metrics });
    assert.doesNotMatch(metrics.render(), /^dhcp_hostname_conflicts /m);
    hosts.update(DATA);
    assert.match(metrics.render(), /^dhcp_hostname_conflicts 2$/m);
    assert.equal(warnings(lines).length, 1);
    stop();
  });

  test("the DHCP service watches its inventory", async () => {
    const { logger, lines } = recordingLogger();
    const metrics = createMetrics();
    const hosts = new StaticHostSource(DATA);
    const running = await startNetworkServices({
      config: config(RULES),
      enable: ["dhcp"],
      db: undefined,
      hosts,
      logger,
      metrics,
    });
    try {
      assert.match(metrics.render(), /^dhcp_hostname_conflicts 2$/m);
      assert.equal(warnings(lines).length, 1);
      hosts.update(inventory(DATA.components, DATA.ethernetInterfaces.slice(0, 1)));
      assert.match(metrics.render(), /^dhcp_hostname_conflicts 0$/m);
    } finally {
      await running.close();
    }
    hosts.update(DATA);
    assert.match(metrics.render(), /^dhcp_hostname_conflicts 0$/m, "closed: no longer watching");
  });
});
