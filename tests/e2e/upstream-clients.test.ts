/**
 * Replays of upstream clients' request sequences against `openchami serve` with auth on
 * (spec smd.md §1, workflow-cli-auth.md §1.2 step 12 and §2): the Go `ochami` CLI's `smd`
 * commands and `discover static --overwrite`, coresmd's tokenless polling, and BSS's probe.
 * magellan's `send` is replayed in packages/smd/src/routes/rfe-ingestion.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli, type ServeProcess, startServeProcess } from "@openchami/testkit";

describe("upstream clients against openchami serve", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "openchami-clients-"));
  let server: ServeProcess;
  let token: string;

  /** Like the Go clients: JSON body, bearer token, mixed-case keys where they send them. */
  async function ochami(method: string, path: string, body?: unknown, auth = true) {
    const headers: Record<string, string> = auth ? { authorization: `Bearer ${token}` } : {};
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${server.url}/hsm/v2${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  before(async () => {
    server = await startServeProcess(["--data-dir", dataDir]);
    const minted = await runCli(["token", "--data-dir", dataDir, "--scope", "admin"]);
    token = minted.stdout.trim();
  });
  after(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("ochami smd component add / get / delete", async () => {
    // `ochami smd component add x1000c0s0b0n0 1 --role Compute --state Ready --arch X86`
    const added = await ochami("POST", "/State/Components", {
      Components: [
        { ID: "x1000c0s0b0n0", NID: 1, Role: "Compute", State: "Ready", Arch: "X86", Enabled: true },
      ],
    });
    assert.equal(added.status, 204);
    const got = await ochami("GET", "/State/Components?id=x1000c0s0b0n0");
    assert.deepEqual(got.body, {
      Components: [
        {
          ID: "x1000c0s0b0n0",
          Type: "Node",
          State: "Ready",
          Flag: "OK",
          Enabled: true,
          Role: "Compute",
          NID: 1,
          Arch: "X86",
        },
      ],
    });
    assert.equal((await ochami("GET", "/State/Components?nid=1")).body.Components.length, 1);
    assert.deepEqual((await ochami("DELETE", "/State/Components/x1000c0s0b0n0")).body, {
      code: 0,
      message: "deleted 1 entry",
    });
  });

  test("ochami discover static --overwrite: every 409 has its fallback", async () => {
    const node = { ID: "x1000c0s1b0n0", State: "On", Enabled: true, Role: "Compute", NID: 11, Arch: "X86" };
    const bmc = {
      ID: "x1000c0s1b0",
      FQDN: "x1000c0s1b0",
      IPAddress: "172.16.0.111",
      MACAddr: "de:ca:fc:0f:fe:11",
      SchemaVersion: 1,
      Managers: [
        {
          uri: "/redfish/v1/Managers/BMC",
          uuid: "6f2e8ad8-2c0a-4d5b-9e61-0b3c1f0a1111",
          name: "BMC",
          ethernet_interfaces: [{ mac: "de:ca:fc:0f:fe:11", ip: "172.16.0.111" }],
          actions: ["ForceRestart", "GracefulRestart"],
        },
      ],
      Systems: [
        {
          uri: "/redfish/v1/Systems/compute11",
          uuid: "1b9d1b8e-7c55-4f0b-a3f4-6b3b5a0c1111",
          name: "compute11",
          ethernet_interfaces: [{ mac: "52:54:00:be:ef:11", ip: "172.16.0.11" }],
          links: { chassis: ["/redfish/v1/Chassis/1"], managers: ["/redfish/v1/Managers/BMC"] },
          actions: [
            "On",
            "ForceOff",
            "GracefulShutdown",
            "GracefulRestart",
            "ForceRestart",
            "Nmi",
            "ForceOn",
            "PushPowerButton",
          ],
        },
      ],
    };
    const group = { label: "compute", description: "", members: { ids: ["x1000c0s1b0n0"] } };

    // First run.
    assert.equal((await ochami("POST", "/State/Components", { Components: [node] })).status, 204);
    assert.equal((await ochami("POST", "/Inventory/RedfishEndpoints", bmc)).status, 201);
    assert.equal((await ochami("POST", "/groups", group)).status, 201);

    // Second run with --overwrite, the file's NID changed: upserts are no-ops, 409s fall back.
    const changed = { ...node, NID: 12 };
    assert.equal((await ochami("POST", "/State/Components", { Components: [changed] })).status, 204);
    assert.equal(
      (await ochami("PUT", `/State/Components/${node.ID}`, { Component: changed, Force: true })).status,
      204,
    );
    const bulk = await ochami("PATCH", "/State/Components/BulkNID", {
      Components: [{ ID: node.ID, NID: 12 }],
    });
    assert.equal(bulk.status, 204);
    assert.equal((await ochami("POST", "/Inventory/RedfishEndpoints", bmc)).status, 409);
    assert.equal((await ochami("PUT", `/Inventory/RedfishEndpoints/${bmc.ID}`, bmc)).status, 200);
    assert.equal((await ochami("POST", "/groups", group)).status, 409);
    assert.equal((await ochami("PATCH", "/groups/compute", { description: "all compute" })).status, 204);

    const component = await ochami("GET", `/State/Components/${node.ID}`);
    assert.equal(component.body.NID, 12);
    const iface = await ochami("GET", "/Inventory/EthernetInterfaces/525400beef11");
    assert.equal(iface.body.ComponentID, node.ID);
    assert.deepEqual((await ochami("GET", `/memberships/${node.ID}`)).body, {
      id: node.ID,
      partitionName: "",
      groupLabels: ["compute"],
    });
  });

  test("coresmd polls both public collections without a token", async () => {
    for (const path of [
      "/Inventory/EthernetInterfaces",
      "/Inventory/EthernetInterfaces/",
      "/State/Components",
    ]) {
      const polled = await ochami("GET", path, undefined, false);
      assert.equal(polled.status, 200, path);
    }
    const interfaces = (await ochami("GET", "/Inventory/EthernetInterfaces", undefined, false)).body;
    assert.ok(Array.isArray(interfaces), "a bare array");
    const nic = interfaces.find((i: { MACAddress: string }) => i.MACAddress === "52:54:00:be:ef:11");
    assert.equal(nic.ComponentID, "x1000c0s1b0n0");
    assert.equal(nic.IPAddresses[0].IPAddress, "172.16.0.11");
    assert.equal(nic.Type, "Node");
  });

  test("BSS's probe: RedfishEndpoints answer 401 without a token, and the data with one", async () => {
    assert.equal((await ochami("GET", "/Inventory/RedfishEndpoints", undefined, false)).status, 401);
    const endpoints = await ochami("GET", "/Inventory/RedfishEndpoints");
    assert.equal(endpoints.body.RedfishEndpoints[0].Password, "");
    const compeps = await ochami("GET", "/Inventory/ComponentEndpoints?type=Node");
    const system = compeps.body.ComponentEndpoints[0];
    assert.equal(system.RedfishSystemInfo.EthernetNICInfo[0].MACAddress, "52:54:00:be:ef:11");
    assert.equal((await ochami("GET", "/service/values/class", undefined, false)).status, 200);
  });
});
