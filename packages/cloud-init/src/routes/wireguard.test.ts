import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { StaticInventory } from "@openchami/inventory";
import { migratedTestDb } from "@openchami/testkit";
import { isWgKey } from "../domain/wg-pool.ts";
import { cloudInitMigrations } from "../migrations.ts";
import { call, smdData, smdNode, startCloudInit, type TestCloudInit } from "../test-support.ts";

const P = "/cloud-init";
const A = "127.0.0.2";
const B = "127.0.0.3";
const key = (n: number) => Buffer.alloc(32, n).toString("base64");

function inventory() {
  return new StaticInventory(
    smdData(smdNode("x1000c0s0b0n0", { nid: 1, ips: [A] }), smdNode("x1000c0s0b0n1", { nid: 2, ips: [B] })),
  );
}

const wgInit = (ci: TestCloudInit, from: string, body: unknown) =>
  call(ci, "POST", `${P}/wg-init`, body, { from });

describe("wg-init and phone-home (§4)", () => {
  test("WireGuard off: 503 wireguard disabled", async () => {
    const ci = await startCloudInit({ inventory: inventory() });
    try {
      const res = await wgInit(ci, A, { public_key: key(1) });
      assert.equal(res.status, 503);
      assert.equal(res.text, "wireguard disabled\n");
    } finally {
      await ci.close();
    }
  });

  describe("with a pool", () => {
    let db: Awaited<ReturnType<typeof migratedTestDb>>;
    let ci: TestCloudInit;
    const config = { wireguardServer: "127.0.1.5/24" };
    before(async () => {
      db = await migratedTestDb([cloudInitMigrations]);
      ci = await startCloudInit({ db, inventory: inventory(), config });
    });
    after(async () => {
      await ci.close();
      await db.close();
    });

    test("bad input: 400 with upstream's texts; unknown node: 422, nothing allocated", async () => {
      for (const [body, text] of [
        ["{", "Invalid request body"],
        [{}, "Public key is required"],
        [{ public_key: "" }, "Public key is required"],
        [{ public_key: "abc" }, "Invalid public key"],
        [{ public_key: Buffer.alloc(32).toString("base64url") }, "Invalid public key"],
      ] as const) {
        const res = await wgInit(ci, A, body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.text, `${text}\n`);
      }
      const unknown = await wgInit(ci, "127.0.0.9", { public_key: key(1) });
      assert.equal(unknown.status, 422);
      assert.equal(unknown.text, "");
    });

    let serverKey = "";
    test("201 with the exact body; a repeat keeps the IP and swaps the key; 409 for another node's key", async () => {
      const res = await wgInit(ci, A, { PUBLIC_KEY: key(1) });
      assert.equal(res.status, 201);
      const body = res.json();
      assert.deepEqual(Object.keys(body), [
        "message",
        "client-vpn-ip",
        "server-public-key",
        "server-ip",
        "server-port",
      ]);
      assert.equal(body.message, "WireGuard tunnel created successfully");
      assert.equal(
        body["client-vpn-ip"],
        "127.0.1.2",
        "the lowest address after the server's; nothing leaked",
      );
      assert.equal(body["server-ip"], "127.0.1.1");
      assert.equal(body["server-port"], "58036");
      assert.ok(isWgKey(body["server-public-key"]));
      serverKey = body["server-public-key"];

      const again = (await wgInit(ci, A, { public_key: key(2) })).json();
      assert.equal(again["client-vpn-ip"], "127.0.1.2");
      const conflict = await wgInit(ci, B, { public_key: key(2) });
      assert.equal(conflict.status, 409);
      assert.equal(conflict.text, "Public key already in use\n");
      assert.equal((await wgInit(ci, B, { public_key: key(3) })).json()["client-vpn-ip"], "127.0.1.3");
    });

    test("the tunnel IP identifies the node; phone-home releases the lease and the IP is reused", async () => {
      const overTunnel = await call(ci, "GET", `${P}/meta-data`, undefined, { from: "127.0.1.2" });
      assert.equal(overTunnel.status, 200);
      assert.match(overTunnel.text, /\n {4}local_ipv4: 127\.0\.0\.2\n/, "local_ipv4 stays the boot IP");
      const home = await call(ci, "POST", `${P}/phone-home/whatever`, "instance_id=i-1&hostname=nid001", {
        from: "127.0.1.2",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      assert.equal(home.status, 200);
      assert.equal(home.text, "");
      assert.equal(
        (await call(ci, "GET", `${P}/meta-data`, undefined, { from: "127.0.1.2" })).status,
        422,
        "a released tunnel IP is nobody",
      );
      assert.equal((await call(ci, "POST", `${P}/phone-home/x`, "", { from: A })).status, 200, "idempotent");
      assert.equal((await wgInit(ci, A, { public_key: key(4) })).json()["client-vpn-ip"], "127.0.1.2");
    });

    test("leases and the server key survive a restart", async () => {
      const restarted = await startCloudInit({ db, inventory: inventory(), config });
      try {
        const res = (await wgInit(restarted, B, { public_key: key(3) })).json();
        assert.equal(res["client-vpn-ip"], "127.0.1.3");
        assert.equal(res["server-public-key"], serverKey);
      } finally {
        await restarted.close();
      }
    });
  });

  test("pool exhaustion: 503; an expired lease is released and reused", async () => {
    const ci = await startCloudInit({
      inventory: inventory(),
      config: { wireguardServer: "127.0.2.0/30", wireguardPeerTtl: 1 },
    });
    try {
      assert.equal((await wgInit(ci, A, { public_key: key(1) })).json()["client-vpn-ip"], "127.0.2.2");
      const full = await wgInit(ci, B, { public_key: key(2) });
      assert.equal(full.status, 503);
      assert.equal(full.text, "WireGuard address pool exhausted\n");
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const reused = await wgInit(ci, B, { public_key: key(2) });
      assert.equal(reused.status, 201);
      assert.equal(reused.json()["client-vpn-ip"], "127.0.2.2");
    } finally {
      await ci.close();
    }
  });

  test("WireGuard-only mode: data routes answer only over the tunnel; wg-init stays open", async () => {
    const ci = await startCloudInit({
      inventory: inventory(),
      config: { wireguardServer: "127.0.3.1/24", wireguardOnly: true },
    });
    try {
      for (const path of ["/meta-data", "/user-data", "/vendor-data", "/g.yaml"]) {
        const res = await call(ci, "GET", `${P}${path}`, undefined, { from: A });
        assert.equal(res.status, 403, path);
        assert.equal(
          res.text,
          `Access denied: client IP ${A} not in WireGuard subnet or on WireGuard interface\n`,
        );
      }
      assert.equal((await call(ci, "GET", `${P}/version`, undefined, { from: A })).status, 200);
      const lease = (await wgInit(ci, A, { public_key: key(5) })).json();
      assert.equal(lease["client-vpn-ip"], "127.0.3.2");
      for (const path of ["/meta-data", "/user-data", "/vendor-data"])
        assert.equal(
          (await call(ci, "GET", `${P}${path}`, undefined, { from: "127.0.3.2" })).status,
          200,
          path,
        );
      const notLeased = await call(ci, "GET", `${P}/user-data`, undefined, { from: "127.0.3.3" });
      assert.equal(notLeased.status, 403, "an unleased address in the subnet is refused");
    } finally {
      await ci.close();
    }
  });
});
