import assert from "node:assert/strict";
import { test } from "node:test";
import { parseIpv4 } from "../ip.ts";
import { buildDnsRecords, isInZone, parseReverseName, reverseName, zoneOf } from "./records.ts";
import { type TestHost, testHostView } from "./test-hosts.ts";

const CLUSTER = { name: "cluster.local", nodes: "nid{04d}" };
const ip = (text: string) => parseIpv4(text)!;

const NODE: TestHost = { mac: "02:00:00:00:00:01", xname: "x1000c0s0b0n0", nid: 1, ipv4: ["10.0.0.1"] };
const BMC: TestHost = { mac: "02:00:00:00:01:00", xname: "x1000c0s0b0", type: "NodeBMC", ipv4: ["10.0.1.1"] };

test("nodes are named by xname and by the zone's pattern in every zone", () => {
  const zones = [CLUSTER, { name: "hpc.example", nodes: "n{03d}-{id}" }];
  const records = buildDnsRecords(testHostView([NODE], 7), zones);
  assert.equal(records.serial, 7);
  for (const name of [
    "x1000c0s0b0n0.cluster.local",
    "nid0001.cluster.local",
    "x1000c0s0b0n0.hpc.example",
    "n001-x1000c0s0b0n0.hpc.example",
  ]) {
    assert.equal(records.addresses.get(name), ip("10.0.0.1"), name);
  }
  assert.equal(records.addresses.size, 4);
  assert.equal(records.pointers.get(ip("10.0.0.1")), "x1000c0s0b0n0.cluster.local");
  assert.equal(records.conflicts, 0);
});

test("BMCs go by xname only, even though their nodes lend them a NID for DHCP names", () => {
  const view = testHostView([NODE, BMC]);
  assert.equal(view.nameNid(view.byXname("x1000c0s0b0")!), 1);
  const records = buildDnsRecords(view, [CLUSTER]);
  assert.equal(records.addresses.get("x1000c0s0b0.cluster.local"), ip("10.0.1.1"));
  assert.equal(records.addresses.get("nid0001.cluster.local"), ip("10.0.0.1"));
  assert.equal(records.pointers.get(ip("10.0.1.1")), "x1000c0s0b0.cluster.local");
  assert.equal(records.conflicts, 0);
});

test("other types get the pattern from their own NID; no NID, no pattern name", () => {
  const records = buildDnsRecords(
    testHostView([
      { mac: "02:00:00:00:00:05", xname: "x3000c0w1", type: "MgmtSwitch", ipv4: ["10.0.5.1"] },
      { mac: "02:00:00:00:00:06", xname: "x1000c0s1b0n0", nid: 42, type: "Node", ipv4: ["10.0.0.42"] },
    ]),
    [CLUSTER],
  );
  assert.deepEqual([...records.addresses.keys()].sort(), [
    "nid0042.cluster.local",
    "x1000c0s1b0n0.cluster.local",
    "x3000c0w1.cluster.local",
  ]);
});

test("a multi-NIC node answers the first IPv4 in MAC order, whatever the input order", () => {
  const nics: TestHost[] = [
    { mac: "02:00:00:00:00:0b", xname: "x1000c0s0b0n0", nid: 1, ipv4: ["10.0.0.11"] },
    { mac: "02:00:00:00:00:0a", xname: "x1000c0s0b0n0", nid: 1, ipv4: ["10.0.0.10", "10.0.0.12"] },
    { mac: "02:00:00:00:00:09", xname: "x1000c0s0b0n0", nid: 1, ipv4: [] },
  ];
  for (const order of [nics, [...nics].reverse()]) {
    const records = buildDnsRecords(testHostView(order), [CLUSTER]);
    assert.equal(records.addresses.get("nid0001.cluster.local"), ip("10.0.0.10"));
    for (const address of ["10.0.0.10", "10.0.0.11", "10.0.0.12"]) {
      assert.equal(records.pointers.get(ip(address)), "x1000c0s0b0n0.cluster.local");
    }
  }
});

test("a name or address claimed twice goes to the smallest xname and is counted", () => {
  const hosts: TestHost[] = [
    { mac: "02:00:00:00:00:01", xname: "x1000c0s1b0n0", nid: 5, ipv4: ["10.0.0.5"] },
    { mac: "02:00:00:00:00:02", xname: "x1000c0s0b0n0", nid: 5, ipv4: ["10.0.0.6"] },
    { mac: "02:00:00:00:00:03", xname: "x1000c0s2b0n0", nid: 5, ipv4: ["10.0.0.5"] },
  ];
  for (const order of [hosts, [...hosts].reverse()]) {
    const records = buildDnsRecords(testHostView(order), [CLUSTER]);
    assert.equal(records.addresses.get("nid0005.cluster.local"), ip("10.0.0.6"));
    assert.equal(records.addresses.get("x1000c0s2b0n0.cluster.local"), ip("10.0.0.5"));
    assert.equal(records.pointers.get(ip("10.0.0.5")), "x1000c0s1b0n0.cluster.local");
    // Two losers for nid0005, one for 10.0.0.5.
    assert.equal(records.conflicts, 3);
    assert.deepEqual(records.conflictNames, ["5.0.0.10.in-addr.arpa", "nid0005.cluster.local"]);
  }
});

test("disabled components still resolve; components without IPv4 have no names", () => {
  const records = buildDnsRecords(
    testHostView([
      { ...NODE, enabled: false },
      { mac: "02:00:00:00:00:02", xname: "x1000c0s0b1n0", nid: 2 },
    ]),
    [CLUSTER],
  );
  assert.equal(records.addresses.get("nid0001.cluster.local"), ip("10.0.0.1"));
  assert.equal(records.addresses.has("nid0002.cluster.local"), false);
});

test("dotted patterns make their parents exist without an address (NODATA, not NXDOMAIN)", () => {
  const records = buildDnsRecords(testHostView([NODE]), [{ name: "cluster.local", nodes: "nid{04d}.rack1" }]);
  assert.equal(records.addresses.get("nid0001.rack1.cluster.local"), ip("10.0.0.1"));
  assert.deepEqual([...records.interior].sort(), ["cluster.local", "rack1.cluster.local"]);
});

test("pattern output is lower-cased like every name", () => {
  const records = buildDnsRecords(testHostView([NODE]), [{ name: "cluster.local", nodes: "NID{04d}" }]);
  assert.equal(records.addresses.get("nid0001.cluster.local"), ip("10.0.0.1"));
});

test("zone membership respects label boundaries and ignores case and the final dot", () => {
  assert.ok(isInZone("NID0001.Cluster.Local.", "cluster.local"));
  assert.ok(isInZone("cluster.local", "cluster.local"));
  assert.ok(!isInZone("xcluster.local", "cluster.local"));
  assert.ok(!isInZone("local", "cluster.local"));
  const zones = [CLUSTER, { name: "a.cluster.local", nodes: "n{1d}" }];
  assert.equal(zoneOf("x.A.cluster.local", zones)?.name, "a.cluster.local");
  assert.equal(zoneOf("x.b.cluster.local", zones)?.name, "cluster.local");
  assert.equal(zoneOf("example.com", zones), undefined);
});

test("reverse names map to and from IPv4", () => {
  assert.equal(reverseName(ip("10.1.2.3")), "3.2.1.10.in-addr.arpa");
  assert.equal(parseReverseName("3.2.1.10.IN-ADDR.ARPA."), ip("10.1.2.3"));
  for (const bad of [
    "2.1.10.in-addr.arpa",
    "3.2.1.010.in-addr.arpa",
    "x.2.1.10.in-addr.arpa",
    "3.2.1.10.ip6.arpa",
    "3 .2.1.10.in-addr.arpa",
  ]) {
    assert.equal(parseReverseName(bad), undefined, bad);
  }
});
