/**
 * Two SMD processes sharing one PostgreSQL (spec smd.md §7, issue acceptance "Concurrency"):
 * racing writers never produce duplicate NIDs or broken group exclusivity, and a write on
 * one replica is visible on the other, cached collections included.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type ServeProcess, skipWithoutPostgres, startPostgres, startServeProcess } from "@openchami/testkit";

async function send(base: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}/hsm/v2${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

function v2Bmc(i: number) {
  const id = `x3000c0s${i}b0`;
  const nic = (n: number) => ({
    uri: `/redfish/v1/Systems/1/EthernetInterfaces/${n}`,
    mac: `02:00:00:00:${i.toString(16).padStart(2, "0")}:0${n}`,
    ip: `10.0.${i}.${n}`,
  });
  return {
    ID: id,
    FQDN: `${id}.test`,
    SchemaVersion: 1,
    Managers: [{ uri: "/redfish/v1/Managers/BMC", uuid: `m-${i}`, name: "BMC", ethernet_interfaces: [] }],
    Systems: [
      {
        uri: "/redfish/v1/Systems/1",
        uuid: `s-${i}`,
        name: "System",
        ethernet_interfaces: [nic(1), nic(2)],
        links: { chassis: ["/redfish/v1/Chassis/1"], managers: [] },
        actions: ["On", "ForceOff"],
      },
    ],
  };
}

async function eventually(check: () => Promise<void>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

describe("two SMD replicas on one PostgreSQL", { skip: skipWithoutPostgres }, () => {
  let pg: Awaited<ReturnType<typeof startPostgres>>;
  const dataDir = mkdtempSync(join(tmpdir(), "openchami-replicas-"));
  let a: ServeProcess;
  let b: ServeProcess;

  before(async () => {
    pg = await startPostgres();
    const args = ["--only", "smd", "--no-auth", "--data-dir", dataDir, "--database-url", pg.url];
    [a, b] = await Promise.all([startServeProcess(args), startServeProcess(args)]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("parallel V2 ingestions on both replicas assign unique NIDs", async () => {
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        send(i % 2 ? a.url : b.url, "POST", "/Inventory/RedfishEndpoints", v2Bmc(i)),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      results.map(() => 201),
    );
    const { body } = await send(a.url, "GET", "/State/Components?type=Node");
    const nids = (body.Components as { NID: number }[]).map((c) => c.NID);
    assert.equal(nids.length, 24);
    assert.equal(new Set(nids).size, 24, `duplicate NIDs: ${nids}`);
    assert.ok(nids.every((nid) => nid >= 1));
  });

  test("parallel adds to two groups of one exclusive group never break exclusivity", async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `x3001c0s${i}b0n0`);
    assert.equal(
      (await send(a.url, "POST", "/State/Components", { Components: ids.map((ID) => ({ ID, State: "On" })) }))
        .status,
      204,
    );
    for (const label of ["blue", "green"]) {
      const created = await send(a.url, "POST", "/groups", {
        label,
        exclusiveGroup: "colour",
        members: { ids: [] },
      });
      assert.equal(created.status, 201);
    }
    const adds = await Promise.all(
      ids.flatMap((id) => [
        send(a.url, "POST", "/groups/blue/members", { id }),
        send(b.url, "POST", "/groups/green/members", { id }),
      ]),
    );
    for (let i = 0; i < ids.length; i++) {
      const statuses = [adds[2 * i]!.status, adds[2 * i + 1]!.status].sort();
      assert.deepEqual(statuses, [201, 409], `${ids[i]}: ${statuses}`);
    }
    const { body } = await send(b.url, "GET", "/memberships?type=Node");
    for (const id of ids) {
      const membership = (body as { id: string; groupLabels: string[] }[]).find((m) => m.id === id);
      assert.equal(membership?.groupLabels.length, 1, id);
    }
  });

  test("a write on one replica shows up on the other, through its cache", async () => {
    await send(b.url, "GET", "/State/Components"); // warm b's cached collection
    assert.equal(
      (
        await send(a.url, "POST", "/State/Components", {
          Components: [{ ID: "x3002c0s0b0n0", State: "Ready" }],
        })
      ).status,
      204,
    );
    await eventually(async () => {
      const { body } = await send(b.url, "GET", "/State/Components");
      assert.ok((body.Components as { ID: string }[]).some((c) => c.ID === "x3002c0s0b0n0"));
    });
  });
});
