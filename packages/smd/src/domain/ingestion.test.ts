import assert from "node:assert/strict";
import { test } from "node:test";
import { macToInterfaceId, normalizeMac, withExtensions } from "@openchami/core";
import fc from "fast-check";
import { type NicInput, planIngestion, type SystemInput, uriPath } from "./ingestion.ts";
import { validateEndpoint } from "./redfish-endpoint.ts";

const enums = withExtensions();
const endpoint = validateEndpoint({ ID: "x1000c0s0b0", FQDN: "10.0.0.1" });

const macBytes = fc
  .uint8Array({ minLength: 6, maxLength: 6 })
  .map((b) => [...b].map((x) => x.toString(16).padStart(2, "0")));
const macNotation = fc
  .tuple(macBytes, fc.constantFrom(":", "-", ""), fc.boolean())
  .map(([hex, sep, upper]) => {
    const raw = hex.join(sep);
    return upper ? raw.toUpperCase() : raw;
  });
const nic: fc.Arbitrary<NicInput> = fc.record(
  {
    uri: fc.constant("https://10.0.0.1/redfish/v1/Systems/1/EthernetInterfaces/1"),
    mac: macNotation,
    ip: fc.ipV4(),
  },
  { requiredKeys: ["uri"] },
);
const system: fc.Arbitrary<SystemInput> = fc.record({
  uri: fc.constant("/redfish/v1/Systems/1"),
  uuid: fc.constantFrom("a", "b", "c"),
  ethernet_interfaces: fc.array(nic, { maxLength: 4 }),
});

test("V2: one interface per distinct MAC, canonical, none without a MAC, [] without an IP", () => {
  fc.assert(
    fc.property(fc.array(system, { maxLength: 5 }), fc.array(nic, { maxLength: 3 }), (systems, bmcNics) => {
      const plan = planIngestion(
        endpoint,
        {
          SchemaVersion: 1,
          Systems: systems,
          Managers: [{ uri: "/redfish/v1/Managers/1", ethernet_interfaces: bmcNics }],
        },
        enums,
      );
      // Later systems with an already seen uuid add nothing.
      const firstPerUuid = systems.filter((s, i) => systems.findIndex((t) => t.uuid === s.uuid) === i);
      const nics = [...bmcNics, ...firstPerUuid.flatMap((s) => s.ethernet_interfaces ?? [])];
      const ids = plan.interfaces.map((i) => i.id);
      assert.equal(new Set(ids).size, ids.length);
      for (const iface of plan.interfaces) {
        assert.equal(iface.macAddress, normalizeMac(iface.macAddress));
        assert.equal(iface.id, macToInterfaceId(iface.macAddress));
        const source = nics.find((n) => n.mac && normalizeMac(n.mac) === iface.macAddress);
        assert.deepEqual(iface.ipAddresses, source?.ip ? [{ IPAddress: source.ip }] : []);
      }
      assert.equal(ids.length, new Set(nics.flatMap((n) => (n.mac ? [normalizeMac(n.mac)] : []))).size);
    }),
  );
});

test("V2: the BMC plus one Node per distinct system uuid, numbered in body order", () => {
  fc.assert(
    fc.property(fc.array(system, { maxLength: 6 }), (systems) => {
      const plan = planIngestion(endpoint, { SchemaVersion: 1, Systems: systems, Managers: [{}] }, enums);
      const uuids = [...new Set(systems.map((s) => s.uuid))];
      assert.deepEqual(
        plan.components.map((c) => [c.id, c.type, c.state]),
        [["x1000c0s0b0", "NodeBMC", ""], ...uuids.map((_, k) => [`x1000c0s0b0n${k}`, "Node", "On"])],
      );
      assert.deepEqual(
        plan.componentEndpoints.filter((e) => e.redfishType === "ComputerSystem").map((e) => e.uuid),
        uuids,
      );
    }),
  );
});

test("a system without power control ids takes them, and its links, from a same-uuid entry", () => {
  const plan = planIngestion(
    endpoint,
    {
      SchemaVersion: 1,
      Systems: [
        { uri: "/redfish/v1/Systems/1", uuid: "u", links: { chassis: ["/redfish/v1/Chassis/9"] } },
        {
          uri: "/redfish/v1/Systems/1",
          uuid: "u",
          power: { power_control_ids: ["/redfish/v1/Chassis/1/Power#/PowerControl/0"] },
          links: { chassis: ["/redfish/v1/Chassis/1/"] },
        },
      ],
    },
    enums,
  );
  assert.deepEqual(plan.componentEndpoints[0]?.info.RedfishSystemInfo, {
    Name: "",
    Actions: {
      "#ComputerSystem.Reset": {
        "ResetType@Redfish.AllowableValues": [],
        "@Redfish.ActionInfo": "/redfish/v1/Systems/1/ResetActionInfo",
        target: "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset",
      },
    },
    EthernetNICInfo: [],
    PowerURL: "/redfish/v1/Chassis/1/Power",
    PowerControl: [
      {
        "@odata.id": "/redfish/v1/Chassis/1/Power#/PowerControl/0",
        MemberId: "0",
        Name: "System Power Control",
        RelatedItem: [{ "@odata.id": "/redfish/v1/Systems/1" }, { "@odata.id": "/redfish/v1/Chassis/1/" }],
      },
    ],
  });
});

test("an unnormalisable MAC stays lower-cased; no body, no inventory", () => {
  const plan = planIngestion(
    endpoint,
    { SchemaVersion: 1, Managers: [{ ethernet_interfaces: [{ mac: "NOT-A-MAC" }] }] },
    enums,
  );
  assert.deepEqual(
    plan.interfaces.map((i) => [i.id, i.macAddress]),
    [["not-a-mac", "not-a-mac"]],
  );
  assert.deepEqual(planIngestion(endpoint, {}, enums), {
    components: [],
    componentEndpoints: [],
    interfaces: [],
  });
});

test("URIs are reduced to their path", () => {
  assert.equal(uriPath("https://172.16.0.104:443/redfish/v1/Managers/1"), "/redfish/v1/Managers/1");
  assert.equal(uriPath("/redfish/v1/Systems/1"), "/redfish/v1/Systems/1");
  assert.equal(uriPath(undefined), "");
});
