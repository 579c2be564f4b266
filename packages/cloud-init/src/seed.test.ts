import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { StaticInventory } from "@openchami/inventory";
import { call, smdNode, startCloudInit } from "./test-support.ts";

test("SEED_PATH: groups, instances and defaults are upserted at start; a missing file stops start-up", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ci-seed-"));
  try {
    await writeFile(
      join(dir, "groups.yaml"),
      'compute:\n  description: seeded\n  meta-data: {syslog: 10.0.0.1}\n  file:\n    content: "#cloud-config\\n"\n',
    );
    await writeFile(
      join(dir, "instances.yaml"),
      "x1000c0s0b0n0:\n  instance-id: i-00c0ffee\n  hostname: seeded\n",
    );
    await writeFile(join(dir, "clusterdefaults.yaml"), "cluster-name: seeded\nshort-name: nid\n");
    const inventory = new StaticInventory(
      smdNode("x1000c0s0b0n0", { nid: 1, ips: ["127.0.0.2"], groups: ["compute"] }),
    );
    const ci = await startCloudInit({ inventory, config: { seedPath: dir } });
    try {
      const meta = (await call(ci, "GET", "/cloud-init/meta-data", undefined, { from: "127.0.0.2" })).text;
      assert.match(
        meta,
        /^instance-id: i-00c0ffee\nlocal-hostname: nid0001\nhostname: seeded\ncluster-name: seeded\n/,
      );
      assert.match(meta, /Description: seeded\n {10}syslog: 10\.0\.0\.1\n/);
    } finally {
      await ci.close();
    }
    await rm(join(dir, "instances.yaml"));
    await assert.rejects(startCloudInit({ config: { seedPath: dir } }), /SEED_PATH: cannot read/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
