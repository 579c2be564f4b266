import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Db } from "@openchami/db";
import type { InventoryIndex, InventoryNode, InventorySource } from "./types.ts";

/** One inventory source over a real, empty SMD of this project. */
export interface InventoryUnderTest {
  /** SMD's base URL (`…/hsm/v2`); the suite writes its fixture through it. */
  smdUrl: string;
  /** SMD's database, for the two fixture details no SMD route writes (ComponentEndpoint MACAddr, Enabled). */
  db: Db;
  /** Authorization for the suite's writes, when SMD runs with auth on. */
  token?: string;
  /** Not started yet; configured so that `requestRefresh()` refreshes at once (no rate limit). */
  source: InventorySource;
  close(): Promise<void>;
}

const A = "x1000c0s0b0n0"; // endpoint MACAddr + NICs + interfaces, two groups, partition p1
const B = "x1000c0s1b0n0"; // no endpoint, disabled component, shares an IP with C
const C = "x1000c0s2b0n0"; // endpoint disabled
const D = "x1000c0s3b0n0"; // Empty: absent
const E = "x1000c0s4b0n0"; // claims F's NIC MAC through an interface; NID 42 like F
const F = "x1000c0s5b0n0";
const V = "x1000c0s0b0n0v0"; // a VirtualNode
const LATER = "x1000c0s9b0n0"; // written while the source runs

/** A V2 (magellan) RedfishEndpoint: one Manager with a NIC, one System with these NICs. */
function v2Endpoint(bmc: string, bmcMac: string, nics: readonly { mac: string; ip?: string }[]) {
  return {
    ID: bmc,
    SchemaVersion: 1,
    Managers: [
      {
        uri: "/redfish/v1/Managers/1",
        name: "BMC",
        ethernet_interfaces: [{ uri: "/redfish/v1/Managers/1/EthernetInterfaces/1", mac: bmcMac }],
      },
    ],
    Systems: [
      {
        uri: "/redfish/v1/Systems/1",
        uuid: `${bmc}-system`,
        ethernet_interfaces: nics.map((nic, i) => ({
          uri: `/redfish/v1/Systems/1/EthernetInterfaces/${i}`,
          ...nic,
        })),
      },
    ],
  };
}

function component(ID: string, fields: Record<string, unknown>) {
  return { ID, State: "Ready", Role: "Compute", Enabled: true, ...fields };
}

/**
 * The behaviour both inventory sources share, as one node:test `describe` block, over a real
 * SMD: the fixture goes in through SMD's HTTP API, and what the source indexes must match
 * bss.md §3.2 and §4.4 whichever way it reads SMD.
 */
export function runInventoryConformance(label: string, setup: () => Promise<InventoryUnderTest>): void {
  describe(`inventory conformance: ${label}`, () => {
    let subject: InventoryUnderTest;
    let source: InventorySource;

    async function write(method: string, path: string, body?: unknown): Promise<void> {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (subject.token) headers.authorization = `Bearer ${subject.token}`;
      const response = await fetch(`${subject.smdUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
    }

    /** Makes the source reflect every write so far, through its contract only. */
    async function sync(): Promise<InventoryIndex> {
      source.requestRefresh();
      await source.settled();
      return source.current();
    }

    function node(xname: string): InventoryNode {
      const found = source.current().byXname(xname);
      assert.ok(found, `${xname} is indexed`);
      return found;
    }

    before(async () => {
      subject = await setup();
      source = subject.source;
      await write("POST", "/State/Components", {
        Components: [
          component(A, { NID: 1, Arch: "X86" }),
          component(B, { NID: 2, Enabled: false, Role: "Service", SubRole: "Worker" }),
          component(C, { NID: 3 }),
          component(D, { NID: 4, State: "Empty" }),
          component(E, { NID: 42 }),
          component(F, { NID: 42 }),
          component(V, { NID: 7 }),
          component("x1000c0", {}),
        ],
      });
      await write(
        "POST",
        "/Inventory/RedfishEndpoints",
        v2Endpoint("x1000c0s0b0", "aa:00:00:00:00:0b", [
          { mac: "AA:00:00:00:00:02", ip: "10.0.0.2" },
          { mac: "Not Available" },
          { mac: "aa-00-00-00-00-01" },
          { mac: "FF:FF:FF:FF:FF:FF" },
          { mac: "" },
        ]),
      );
      await write(
        "POST",
        "/Inventory/RedfishEndpoints",
        v2Endpoint("x1000c0s2b0", "cc:00:00:00:00:0b", [{ mac: "cc:00:00:00:00:01", ip: "10.0.0.50" }]),
      );
      await write(
        "POST",
        "/Inventory/RedfishEndpoints",
        v2Endpoint("x1000c0s5b0", "ab:00:00:00:00:0b", [{ mac: "ab:00:00:00:00:01" }]),
      );
      for (const iface of [
        {
          MACAddress: "aa:00:00:00:00:00",
          ComponentID: A,
          Description: "boot",
          IPAddresses: [{ IPAddress: "10.0.0.1", Network: "nmn" }],
        },
        { MACAddress: "BB:00:00:00:00:01", ComponentID: B, IPAddresses: [{ IPAddress: "10.0.0.50" }] },
        { MACAddress: "ee:00:00:00:00:01", ComponentID: D },
      ]) {
        await write("POST", "/Inventory/EthernetInterfaces", iface);
      }
      await write("PATCH", "/Inventory/EthernetInterfaces/ab0000000001", { ComponentID: E });
      await write("POST", "/groups", { label: "compute", members: { ids: [A, B] } });
      await write("POST", "/groups", { label: "alpha", members: { ids: [A] } });
      await write("POST", "/partitions", { name: "p1", members: { ids: [A] } });
      // Ingestion writes neither an endpoint MACAddr nor Enabled=false for a system: set them directly.
      await subject.db.kysely
        .updateTable("component_endpoints")
        .set({ mac_addr: "AA:00:00:00:00:09" })
        .where("id", "=", A)
        .execute();
      await subject.db.kysely
        .updateTable("component_endpoints")
        .set({ enabled: false })
        .where("id", "=", C)
        .execute();
      await source.start();
    });

    after(async () => {
      await source?.close();
      await subject?.close();
    });

    it("indexes Node and VirtualNode components, not Empty or other ones", () => {
      assert.equal(source.loaded, true);
      const xnames = source
        .current()
        .nodes()
        .map((n) => n.xname);
      assert.deepEqual(xnames, [A, V, B, C, E, F]);
      assert.equal(source.current().size, 6);
      assert.equal(source.current().byXname(D), undefined);
      assert.equal(source.current().byXname("x1000c0s0b0"), undefined);
      assert.equal(source.current().byXname("x1000c0"), undefined);
    });

    it("carries the component's fields", () => {
      const b = node(B);
      assert.equal(b.type, "Node");
      assert.equal(b.nid, 2);
      assert.equal(b.state, "Ready");
      assert.equal(b.enabled, false);
      assert.equal(b.role, "Service");
      assert.equal(b.subRole, "Worker");
      assert.equal(node(A).arch, "X86");
      assert.equal(node(A).enabled, true);
      assert.equal(node(V).type, "VirtualNode");
    });

    it("lists MACs as endpoint MACAddr, NIC MACs, interface MACs: canonical, deduplicated, junk ignored", () => {
      const a = node(A);
      assert.deepEqual(a.macs, [
        "aa:00:00:00:00:09",
        "aa:00:00:00:00:02",
        "aa:00:00:00:00:01",
        "aa:00:00:00:00:00",
      ]);
      assert.deepEqual(
        a.interfaces.map((i) => [i.mac, i.description, i.ips]),
        [
          ["aa:00:00:00:00:00", "boot", [{ address: "10.0.0.1", network: "nmn" }]],
          ["aa:00:00:00:00:01", "", []],
          ["aa:00:00:00:00:02", "", [{ address: "10.0.0.2", network: "" }]],
        ],
      );
      assert.deepEqual(node(B).macs, ["bb:00:00:00:00:01"]);
    });

    it("finds a node by MAC in any spelling, never by an ignored or foreign MAC", () => {
      const index = source.current();
      for (const spelling of [
        "aa:00:00:00:00:02",
        "AA-00-00-00-00-02",
        "aa00.0000.0002",
        "AA0000000002",
        " aa:00:00:00:00:02 ",
      ]) {
        assert.equal(index.byMac(spelling)?.xname, A, spelling);
      }
      assert.equal(index.byMac("aa:00:00:00:00:09")?.xname, A);
      for (const mac of [
        "ff:ff:ff:ff:ff:ff",
        "not available",
        "",
        "ee:00:00:00:00:01",
        "aa:00:00:00:00:0b",
        "52:54:00:00:00:01",
      ]) {
        assert.equal(index.byMac(mac), undefined, mac);
      }
      const found = index.interfaceByMac("AA:00:00:00:00:02");
      assert.equal(found?.node.xname, A);
      assert.deepEqual(found?.iface.ips, [{ address: "10.0.0.2", network: "" }]);
      assert.equal(index.interfaceByMac("aa:00:00:00:00:09"), undefined, "an endpoint MAC is no interface");
    });

    it("finds a node by xname in any case and by NID", () => {
      const index = source.current();
      assert.equal(index.byXname("X1000C0S0B0N0")?.xname, A);
      assert.equal(index.byNid(1)?.xname, A);
      assert.equal(index.byNid(7)?.xname, V);
      assert.equal(index.byNid(4), undefined, "Empty components are absent");
      assert.equal(index.byNid(99), undefined);
    });

    it("lists every claimant of an IP, in xname order", () => {
      const index = source.current();
      assert.deepEqual(
        index.byIp("10.0.0.50").map((n) => n.xname),
        [B, C],
      );
      assert.deepEqual(
        index.byIp("10.0.0.1").map((n) => n.xname),
        [A],
      );
      assert.deepEqual(index.byIp("10.9.9.9"), []);
    });

    it("gives sorted group labels and the partition", () => {
      assert.deepEqual(node(A).groups, ["alpha", "compute"]);
      assert.equal(node(A).partition, "p1");
      assert.deepEqual(node(B).groups, ["compute"]);
      assert.equal(node(B).partition, "");
      assert.deepEqual(node(C).groups, []);
    });

    it("reports the endpoint as enabled, disabled or absent", () => {
      assert.equal(node(A).endpoint, "enabled");
      assert.equal(node(B).endpoint, "absent");
      assert.equal(node(C).endpoint, "disabled");
    });

    it("gives a MAC or NID claimed by two nodes to the smallest xname", () => {
      const index = source.current();
      assert.ok(node(F).macs.includes("ab:00:00:00:00:01"), "F keeps its NIC MAC in its own list");
      assert.equal(index.byMac("ab:00:00:00:00:01")?.xname, E);
      assert.equal(index.interfaceByMac("ab:00:00:00:00:01")?.node.xname, E);
      assert.equal(index.byNid(42)?.xname, E);
    });

    it("shows writes once synced, each as a new index", async () => {
      const seen: number[] = [];
      const stop = source.onChange((index) => seen.push(index.version));
      const before = source.current();

      await write("POST", "/State/Components", { Components: [component(LATER, { NID: 90 })] });
      await write("POST", "/Inventory/EthernetInterfaces", {
        MACAddress: "90:00:00:00:00:01",
        ComponentID: LATER,
        IPAddresses: [{ IPAddress: "10.0.0.90" }],
      });
      await write("POST", "/groups/alpha/members", { id: LATER });
      let index = await sync();
      assert.equal(index.byMac("90:00:00:00:00:01")?.xname, LATER);
      assert.deepEqual(
        index.byIp("10.0.0.90").map((n) => n.xname),
        [LATER],
      );
      assert.deepEqual(node(LATER).groups, ["alpha"]);
      assert.ok(index.version > before.version);
      assert.equal(before.byXname(LATER), undefined, "an index never changes once built");

      await write("PATCH", `/State/Components/${LATER}/Enabled`, { Enabled: false });
      index = await sync();
      assert.equal(index.byXname(LATER)?.enabled, false);

      await write("DELETE", `/State/Components/${LATER}`);
      index = await sync();
      assert.equal(index.byXname(LATER), undefined);
      assert.equal(index.byNid(90), undefined);
      assert.equal(index.byXname(A)?.xname, A);

      stop();
      assert.ok(seen.length >= 3, `one new index per sync at least (saw ${seen.length})`);
      assert.deepEqual(
        seen,
        [...seen].sort((x, y) => x - y),
      );
    });
  });
}
