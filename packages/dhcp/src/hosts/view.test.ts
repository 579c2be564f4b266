import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLogger } from "@openchami/core";
import { parseIpv4 } from "../ip.ts";
import { buildHostView, type DhcpInventoryData, EMPTY_HOST_VIEW } from "./view.ts";

const ip = (text: string) => parseIpv4(text)!;

function node(ID: string, NID?: number, extra: object = {}) {
  return { ID, Type: "Node", Enabled: true, ...(NID === undefined ? {} : { NID }), ...extra };
}

function nic(MACAddress: string, ComponentID: string, ...ips: string[]) {
  return { MACAddress, ComponentID, IPAddresses: ips.map((IPAddress) => ({ IPAddress })) };
}

function warnings() {
  const lines: { msg: string; mac?: string; keep?: string }[] = [];
  const logger = createLogger({
    level: "warn",
    destination: { write: (line: string) => lines.push(JSON.parse(line)) },
  });
  return { logger, lines };
}

describe("buildHostView", () => {
  it("normalises MACs on any spelling and skips interfaces without a usable one", () => {
    const view = buildHostView(
      {
        components: [node("x1c0s0b0n0", 1), node("x1c0s1b0n0", 2), node("x1c0s2b0n0", 3)],
        ethernetInterfaces: [
          nic("A4-BF-01-38-EE-65", "x1c0s0b0n0", "10.0.0.1"),
          nic("a4bf.0138.ee66", "x1c0s1b0n0", "10.0.0.2"),
          nic("not-a-mac", "x1c0s2b0n0", "10.0.0.3"),
          nic("a4:bf:01:38:ee", "x1c0s2b0n0", "10.0.0.4"),
        ],
      },
      1,
      1000,
    );
    assert.equal(view.byMac("a4:bf:01:38:ee:65")?.component.xname, "x1c0s0b0n0");
    assert.equal(view.byMac("a4:bf:01:38:ee:66")?.mac, "a4:bf:01:38:ee:66");
    assert.deepEqual(
      view.hosts().map((h) => h.mac),
      ["a4:bf:01:38:ee:65", "a4:bf:01:38:ee:66"],
    );
    assert.equal(view.version, 1);
    assert.equal(view.loadedAt, 1000);
  });

  it("keeps the interface with the smallest ComponentID when two share a MAC, and warns", () => {
    const data: DhcpInventoryData = {
      components: [node("x1c0s1b0n0", 2), node("x1c0s0b0n0", 1)],
      ethernetInterfaces: [
        nic("52:54:00:00:00:01", "x1c0s1b0n0", "10.0.0.2"),
        nic("52-54-00-00-00-01", "x1c0s0b0n0", "10.0.0.1"),
      ],
    };
    for (const ethernetInterfaces of [data.ethernetInterfaces, [...data.ethernetInterfaces].reverse()]) {
      const { logger, lines } = warnings();
      const view = buildHostView({ ...data, ethernetInterfaces }, 1, 0, logger);
      assert.equal(view.byMac("52:54:00:00:00:01")?.component.xname, "x1c0s0b0n0");
      assert.equal(view.hosts().length, 1);
      assert.deepEqual(
        lines.map((l) => [l.msg, l.mac, l.keep]),
        [["MAC on two SMD interfaces", "52:54:00:00:00:01", "x1c0s0b0n0"]],
      );
      // The losing interface's address is still SMD's, so no pool may hand it out.
      assert.equal(view.isSmdIpv4(ip("10.0.0.2")), true);
    }
  });

  it("skips interfaces whose ComponentID is empty or not a listed component (§3.2 step 3)", () => {
    const view = buildHostView(
      {
        components: [node("x1c0s0b0n0", 1)],
        ethernetInterfaces: [
          nic("52:54:00:00:00:01", "x1c0s0b0n0", "10.0.0.1"),
          nic("52:54:00:00:00:02", "", "10.0.0.2"),
          nic("52:54:00:00:00:03", "x9c0s0b0n0", "10.0.0.3"),
        ],
      },
      1,
      0,
    );
    assert.deepEqual(
      view.hosts().map((h) => h.mac),
      ["52:54:00:00:00:01"],
    );
    assert.equal(view.isSmdIpv4(ip("10.0.0.2")), true);
    assert.equal(view.isSmdIpv4(ip("10.0.0.3")), true);
    assert.equal(view.isSmdIpv4(ip("10.0.0.4")), false);
  });

  it("matches ComponentIDs and xnames however SMD spelled them", () => {
    const view = buildHostView(
      {
        components: [node("X01C0S0B0N0", 1)],
        ethernetInterfaces: [nic("52:54:00:00:00:01", "x1c0s0b0n00", "10.0.0.1")],
      },
      1,
      0,
    );
    assert.equal(view.byXname("x1c0s0b0n0")?.nid, 1);
    assert.equal(view.byMac("52:54:00:00:00:01")?.component.xname, "x1c0s0b0n0");
  });

  it("reads Type, Enabled and NID; a missing or negative NID is none, a missing Enabled is true", () => {
    const view = buildHostView(
      {
        components: [
          node("x1c0s0b0n0", 0),
          node("x1c0s1b0n0", -1),
          { ID: "x1c0s2b0n0", Type: "Node" },
          node("x1c0s3b0n0", 4, { Enabled: false }),
        ],
        ethernetInterfaces: [],
      },
      1,
      0,
    );
    assert.deepEqual(view.byXname("x1c0s0b0n0"), {
      xname: "x1c0s0b0n0",
      type: "Node",
      enabled: true,
      nid: 0,
    });
    assert.equal(view.byXname("x1c0s1b0n0")?.nid, undefined);
    assert.deepEqual(view.byXname("x1c0s2b0n0"), {
      xname: "x1c0s2b0n0",
      type: "Node",
      enabled: true,
      nid: undefined,
    });
    assert.equal(view.byXname("x1c0s3b0n0")?.enabled, false);
  });

  it("keeps IPv4s as numbers and IPv6s apart, both in SMD order, dropping what is neither", () => {
    const view = buildHostView(
      {
        components: [node("x1c0s0b0n0", 1)],
        ethernetInterfaces: [
          nic("52:54:00:00:00:01", "x1c0s0b0n0", "fd00::1", "10.0.0.9", "garbage", "10.0.0.1", "FD00::2"),
        ],
      },
      1,
      0,
    );
    const host = view.byMac("52:54:00:00:00:01")!;
    assert.deepEqual(host.ipv4, [ip("10.0.0.9"), ip("10.0.0.1")]);
    assert.deepEqual(host.ipv6, ["fd00::1", "FD00::2"]);
  });

  it("gives a NodeBMC without a NID the lowest NID of its Nodes; otherwise each type its own", () => {
    const view = buildHostView(
      {
        components: [
          node("x1c0s0b0n1", 8),
          node("x1c0s0b0n0", 7),
          { ID: "x1c0s0b0", Type: "NodeBMC", Enabled: true },
          { ID: "x1c0s1b0", Type: "NodeBMC", Enabled: true, NID: 100 },
          node("x1c0s1b0n0", 9),
          { ID: "x1c0s2b0", Type: "NodeBMC", Enabled: true },
          { ID: "x1c0s3b0", Type: "NodeBMC", Enabled: true },
          node("x1c0s3b0n0"),
          { ID: "x3000c0r1b0", Type: "RouterBMC", Enabled: true, NID: 3 },
        ],
        ethernetInterfaces: [],
      },
      1,
      0,
    );
    const nameNid = (xname: string) => view.nameNid(view.byXname(xname)!);
    assert.equal(nameNid("x1c0s0b0"), 7);
    assert.equal(nameNid("x1c0s1b0"), 100, "its own NID first");
    assert.equal(nameNid("x1c0s2b0"), undefined, "no Nodes");
    assert.equal(nameNid("x1c0s3b0"), undefined, "its Node has no NID");
    assert.equal(nameNid("x1c0s0b0n1"), 8);
    assert.equal(nameNid("x3000c0r1b0"), 3);
  });

  it("indexes addresses: isSmdIpv4 over every interface, byIpv4 the first host in MAC order", () => {
    const view = buildHostView(
      {
        components: [node("x1c0s0b0n0", 1), node("x1c0s1b0n0", 2)],
        ethernetInterfaces: [
          nic("52:54:00:00:00:02", "x1c0s1b0n0", "10.0.0.5", "10.0.0.2"),
          nic("52:54:00:00:00:01", "x1c0s0b0n0", "10.0.0.5"),
        ],
      },
      1,
      0,
    );
    assert.equal(view.byIpv4(ip("10.0.0.5"))?.mac, "52:54:00:00:00:01");
    assert.equal(view.byIpv4(ip("10.0.0.2"))?.mac, "52:54:00:00:00:02");
    assert.equal(view.byIpv4(ip("10.0.0.3")), undefined);
    assert.equal(view.isSmdIpv4(ip("10.0.0.2")), true);
    assert.deepEqual(
      view.hosts().map((h) => h.component.xname),
      ["x1c0s0b0n0", "x1c0s1b0n0"],
    );
  });

  it("skips entries of the wrong shape instead of throwing (a remote SMD's JSON is untrusted)", () => {
    const junk = {
      components: [null, 5, { ID: 7 }, { ID: "x1c0s0b0n0", Type: "Node", NID: "3" }],
      ethernetInterfaces: [
        null,
        { MACAddress: 1 },
        { MACAddress: "52:54:00:00:00:01", ComponentID: "x1c0s0b0n0", IPAddresses: "10.0.0.1" },
        { MACAddress: "52:54:00:00:00:02", ComponentID: "x1c0s0b0n0", IPAddresses: [null, { IPAddress: 4 }] },
      ],
    } as unknown as DhcpInventoryData;
    const view = buildHostView(junk, 1, 0);
    assert.equal(view.byXname("x1c0s0b0n0")?.nid, undefined);
    assert.deepEqual(view.byMac("52:54:00:00:00:01")?.ipv4, []);
    assert.equal(view.hosts().length, 2);
  });

  it("starts empty", () => {
    assert.equal(EMPTY_HOST_VIEW.version, 0);
    assert.equal(EMPTY_HOST_VIEW.loadedAt, 0);
    assert.deepEqual(EMPTY_HOST_VIEW.hosts(), []);
    assert.equal(EMPTY_HOST_VIEW.byMac("52:54:00:00:00:01"), undefined);
  });
});
