import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { StaticInventory } from "@openchami/inventory";
import { migratedTestDb } from "@openchami/testkit";
import { cloudInitMigrations } from "../migrations.ts";
import {
  call,
  eventually,
  guardedDb,
  smdData,
  smdNode,
  startCloudInit,
  type TestCloudInit,
} from "../test-support.ts";

const P = "/cloud-init";
const A = "127.0.0.2";
const B = "127.0.0.3";
const SHARED = "127.0.0.4";
const DEFAULTS = {
  "cluster-name": "demo",
  "short-name": "nid",
  "nid-length": 3,
  "base-url": "http://172.16.0.254:8081/cloud-init",
  "public-keys": ["ssh-ed25519 AAAA… admin@head"],
};
const COMPUTE = {
  name: "compute",
  description: "compute config",
  "meta-data": { syslog: "172.16.0.254" },
  file: { encoding: "plain", content: "## template: jinja\n#cloud-config\n" },
};
const SLURM = {
  name: "slurm",
  file: { encoding: "base64", content: "I2Nsb3VkLWNvbmZpZwpwYWNrYWdlczogW29ocGMtc2x1cm0tY2xpZW50XQo=" },
};

function inventoryData() {
  return smdData(
    smdNode("x1000c0s0b0n0", { nid: 1, ips: [A], groups: ["slurm", "compute"] }),
    smdNode("x1000c0s0b0n1", { nid: 2, ips: [B] }),
    smdNode("x1000c0s1b0n0", { nid: 3, ips: [SHARED] }),
    smdNode("x1000c0s1b0n1", { nid: 4, ips: [SHARED] }),
  );
}

const get = (ci: TestCloudInit, path: string, from: string, headers?: Record<string, string>) =>
  call(ci, "GET", `${P}${path}`, undefined, { from, headers });

describe("node routes (§2.2)", () => {
  let ci: TestCloudInit;
  let inventory: StaticInventory;
  before(async () => {
    inventory = new StaticInventory(inventoryData());
    ci = await startCloudInit({ inventory, config: { impersonation: true }, mounts: ["/cloud-init", "/"] });
    for (const [path, body] of [
      ["/admin/cluster-defaults", DEFAULTS],
      ["/admin/groups", COMPUTE],
      ["/admin/groups", SLURM],
    ] as const)
      assert.equal((await call(ci, "POST", `${P}${path}`, body)).status, 201);
  });
  after(() => ci.close());

  test("meta-data: the worked example, for the node whose IP asks", async () => {
    const res = await get(ci, "/meta-data", A);
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "application/x-yaml");
    const instanceId = /^instance-id: (i-[0-9a-f]{8})\n/.exec(res.text)?.[1];
    assert.ok(instanceId, res.text);
    assert.equal(
      res.text,
      `instance-id: ${instanceId}
local-hostname: nid001
hostname: nid001
cluster-name: demo
instance_data:
  v1:
    instance_id: ${instanceId}
    local_ipv4: ${A}
    public_keys:
    - ssh-ed25519 AAAA… admin@head
    vendor_data:
      version: "1.0"
      cloud_init_base_url: http://172.16.0.254:8081/cloud-init
      cluster_name: demo
      groups:
        compute:
          Description: compute config
          syslog: 172.16.0.254
        slurm:
          Description: No description Found
`,
    );
    assert.equal((await get(ci, "/meta-data/", A)).text, res.text, "trailing slash, same ID");
    const other = await get(ci, "/meta-data", B);
    assert.match(other.text, /^instance-id: i-[0-9a-f]{8}\nlocal-hostname: nid002\n/);
    assert.notEqual(/^instance-id: (\S+)/.exec(other.text)?.[1], instanceId);
  });

  test("unknown and shared IPs resolve to nobody: 422 empty", async () => {
    for (const path of ["/meta-data", "/vendor-data", "/compute.yaml"]) {
      for (const from of ["127.0.0.1", SHARED]) {
        const res = await get(ci, path, from);
        assert.equal(res.status, 422, `${path} from ${from}`);
        assert.equal(res.text, "");
      }
    }
  });

  test("X-Forwarded-For is ignored from an untrusted peer", async () => {
    const res = await get(ci, "/meta-data", "127.0.0.1", { "x-forwarded-for": A });
    assert.equal(res.status, 422);
  });

  test("user-data, vendor-data and network-config", async () => {
    const user = await get(ci, "/user-data", "127.0.0.1");
    assert.equal(user.status, 200);
    assert.equal(user.headers["content-type"], "text/plain; charset=utf-8");
    assert.equal(user.text, "#cloud-config\n{}\n");
    const vendor = await get(ci, "/vendor-data", A);
    assert.equal(
      vendor.text,
      "#include\nhttp://172.16.0.254:8081/cloud-init/compute.yaml\nhttp://172.16.0.254:8081/cloud-init/slurm.yaml\n",
    );
    assert.equal((await get(ci, "/vendor-data", B)).text, "#include\n");
    assert.equal((await get(ci, "/network-config", A)).status, 404);
  });

  test("priority orders the includes; admin writes show in the very next request", async () => {
    await call(ci, "PUT", `${P}/admin/groups/compute`, { ...COMPUTE, priority: 10 });
    assert.equal(
      (await get(ci, "/vendor-data", A)).text,
      "#include\nhttp://172.16.0.254:8081/cloud-init/slurm.yaml\nhttp://172.16.0.254:8081/cloud-init/compute.yaml\n",
    );
    await call(ci, "PUT", `${P}/admin/instance-info/x1000c0s0b0n0`, {
      "cloud-init-base-url": "http://tunnel/ci/",
      "local-hostname": "login",
    });
    assert.match((await get(ci, "/vendor-data", A)).text, /^#include\nhttp:\/\/tunnel\/ci\/slurm.yaml\n/);
    assert.match((await get(ci, "/meta-data", A)).text, /\nlocal-hostname: login\nhostname: nid001\n/);
    await call(ci, "DELETE", `${P}/admin/instance-info/x1000c0s0b0n0`);
    await call(ci, "PUT", `${P}/admin/groups/compute`, COMPUTE);
  });

  test("group files: verbatim, base64-decoded, fallback, and 404 for non-members", async () => {
    const compute = await get(ci, "/compute.yaml", A);
    assert.equal(compute.status, 200);
    assert.equal(compute.headers["content-type"], "text/plain; charset=utf-8");
    assert.equal(compute.text, "## template: jinja\n#cloud-config\n");
    assert.equal((await get(ci, "/slurm.yaml", A)).text, "#cloud-config\npackages: [ohpc-slurm-client]\n");
    inventory.set(
      smdData(
        smdNode("x1000c0s0b0n0", { nid: 1, ips: [A], groups: ["slurm", "compute", "norecord"] }),
        smdNode("x1000c0s0b0n1", { nid: 2, ips: [B] }),
      ),
    );
    try {
      assert.equal((await get(ci, "/norecord.yaml", A)).text, "#cloud-config\n{}\n");
      const outsider = await get(ci, "/compute.yaml", B);
      assert.equal(outsider.status, 404);
      assert.equal(
        outsider.text,
        "node x1000c0s0b0n1 is not a member of group compute (node and/or group may not exist in SMD)\n",
      );
    } finally {
      inventory.set(inventoryData());
    }
  });

  test("standalone mount at / serves the same", async () => {
    const res = await call(ci, "GET", "/user-data", undefined, { from: A });
    assert.equal(res.text, "#cloud-config\n{}\n");
    assert.equal((await call(ci, "GET", "/vendor-data", undefined, { from: A })).status, 200);
  });

  test("impersonation serves any node by ID; unknown: 404", async () => {
    const direct = await get(ci, "/meta-data", A);
    const impersonated = await call(ci, "GET", `${P}/admin/impersonation/x1000c0s0b0n0/meta-data`);
    assert.equal(impersonated.text, direct.text);
    assert.equal(
      (await call(ci, "GET", `${P}/admin/impersonation/x1000c0s0b0n0/slurm.yaml`)).text,
      "#cloud-config\npackages: [ohpc-slurm-client]\n",
    );
    const unknown = await call(ci, "GET", `${P}/admin/impersonation/x9c0s0b0n0/meta-data`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.text, "node x9c0s0b0n0 not found in SMD\n");
  });

  test("a node entering the inventory is served at once, with a fresh instance ID", async () => {
    inventory.set(smdData(inventoryData(), smdNode("x1000c0s2b0n0", { nid: 12, ips: ["127.0.0.5"] })));
    try {
      const res = await get(ci, "/meta-data", "127.0.0.5");
      assert.equal(res.status, 200);
      assert.match(res.text, /^instance-id: i-[0-9a-f]{8}\nlocal-hostname: nid012\n/);
    } finally {
      inventory.set(inventoryData());
    }
  });

  test("version, health, ready", async () => {
    const version = (await get(ci, "/version", "127.0.0.1")).json();
    assert.deepEqual(Object.keys(version), [
      "process_name",
      "build_info",
      "uptime",
      "runtime_host",
      "bytes_allocated",
    ]);
    assert.deepEqual((await get(ci, "/health", "127.0.0.1")).json(), { status: "ok" });
    assert.equal((await get(ci, "/ready", "127.0.0.1")).status, 200);
  });
});

describe("node routes: identity, readiness, memory, persistence", () => {
  test("behind a trusted proxy, the rightmost untrusted X-Forwarded-For entry is the node", async () => {
    const ci = await startCloudInit({
      inventory: new StaticInventory(inventoryData()),
      config: { trustedProxies: ["127.0.0.1/32", "10.0.0.0/8"] },
    });
    try {
      const res = await get(ci, "/meta-data", "127.0.0.1", { "x-forwarded-for": `${B}, ${A}, 10.1.1.1` });
      assert.match(res.text, /\n {4}local_ipv4: 127\.0\.0\.2\n/);
      const notTrusted = await get(ci, "/meta-data", B, { "x-forwarded-for": A });
      assert.match(notTrusted.text, /\n {4}local_ipv4: 127\.0\.0\.3\n/);
    } finally {
      await ci.close();
    }
  });

  test("merged user-data (§3.5): mergeable groups merged, the rest included; 422 for unknown IPs", async () => {
    const ci = await startCloudInit({
      inventory: new StaticInventory(inventoryData()),
      config: { mergedUserData: true },
    });
    try {
      await call(ci, "POST", `${P}/admin/cluster-defaults`, { "base-url": "http://b/ci" });
      await call(ci, "POST", `${P}/admin/groups`, COMPUTE);
      await call(ci, "POST", `${P}/admin/groups`, SLURM);
      assert.equal((await get(ci, "/user-data", A)).text, "#cloud-config\npackages:\n- ohpc-slurm-client\n");
      assert.equal((await get(ci, "/vendor-data", A)).text, "#include\nhttp://b/ci/compute.yaml\n");
      assert.equal((await get(ci, "/user-data", B)).text, "#cloud-config\n{}\n");
      assert.equal((await get(ci, "/user-data", "127.0.0.1")).status, 422);
    } finally {
      await ci.close();
    }
  });

  test("503 inventory not ready until the first snapshot", async () => {
    const inventory = new StaticInventory();
    const ci = await startCloudInit({ inventory });
    try {
      const res = await get(ci, "/meta-data", A);
      assert.equal(res.status, 503);
      assert.equal(res.text, "inventory not ready\n");
      assert.equal(res.headers["retry-after"], "5");
      assert.equal((await get(ci, "/ready", A)).status, 503);
      assert.equal((await get(ci, "/user-data", A)).status, 200);
      inventory.set(inventoryData());
      assert.equal((await get(ci, "/meta-data", A)).status, 200);
    } finally {
      await ci.close();
    }
  });

  test("data routes make no database query; instance IDs survive a restart", async () => {
    const raw = await migratedTestDb([cloudInitMigrations]);
    const guard = guardedDb(raw);
    try {
      let ci = await startCloudInit({ db: guard.db, inventory: new StaticInventory(inventoryData()) });
      await call(ci, "POST", `${P}/admin/groups`, COMPUTE);
      const first = (await get(ci, "/meta-data", A)).text;
      guard.forbid(true);
      for (let i = 0; i < 50; i++) {
        for (const path of ["/meta-data", "/vendor-data", "/compute.yaml", "/user-data"])
          assert.equal((await get(ci, path, A)).status, 200, path);
      }
      guard.forbid(false);
      assert.equal(guard.attempts(), 0);
      await ci.close();
      ci = await startCloudInit({ db: guard.db, inventory: new StaticInventory(inventoryData()) });
      assert.equal((await get(ci, "/meta-data", A)).text, first, "same instance ID after a restart");
      await ci.close();
    } finally {
      await raw.close();
    }
  });

  test("a write on one replica reaches another through NOTIFY", async () => {
    const db = await migratedTestDb([cloudInitMigrations]);
    const one = await startCloudInit({ db, inventory: new StaticInventory(inventoryData()) });
    const two = await startCloudInit({ db, inventory: new StaticInventory(inventoryData()) });
    try {
      assert.equal((await get(two, "/meta-data", A)).text, (await get(one, "/meta-data", A)).text);
      await call(one, "POST", `${P}/admin/groups`, { ...COMPUTE, description: "from one" });
      await call(one, "POST", `${P}/admin/cluster-defaults`, { "cluster-name": "replicated" });
      await eventually(async () => (await get(two, "/meta-data", A)).text.includes("Description: from one"));
      assert.match((await get(two, "/meta-data", A)).text, /\ncluster-name: replicated\n/);
      await call(one, "DELETE", `${P}/admin/groups/compute`);
      await eventually(async () => (await call(two, "GET", `${P}/admin/groups/compute`)).status === 404);
    } finally {
      await one.close();
      await two.close();
      await db.close();
    }
  });
});
