/**
 * Decision 10 (§7): every cloud-config the service generates passes Debian's real
 * `cloud-init schema -c <file>` (22.4.2 on Debian 12); `#include` lists and Jinja
 * templates are not cloud-config and are not validated. Also replays the NoCloud fetch
 * sequence (§1) over real HTTP and checks each answer byte for byte.
 */
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { StaticInventory } from "@openchami/inventory";
import { call, smdData, smdNode, startCloudInit, type TestCloudInit } from "./test-support.ts";

const cloudInitInstalled = spawnSync("cloud-init", ["--version"], { stdio: "ignore" }).status === 0;
const skipWithoutCloudInit = cloudInitInstalled
  ? false
  : "Debian's cloud-init is not installed (apt-get install cloud-init)";

const P = "/cloud-init";
const NODE = "127.0.0.2";
const LONER = "127.0.0.3";
const DEFAULTS = {
  "cluster-name": "demo",
  "short-name": "nid",
  "nid-length": 3,
  "base-url": "http://172.16.0.254:8081/cloud-init",
  "public-keys": ["ssh-ed25519 AAAA admin@head"],
};
const COMPUTE_CONTENT = `#cloud-config
merge_how:
- name: list
  settings: [append]
- name: dict
  settings: [no_replace, recurse_list]
users:
  - name: root
    ssh_authorized_keys: ["ssh-ed25519 AAAA admin@head"]
runcmd:
  - [sh, -c, echo compute]
rsyslog:
  remotes: {central: "172.16.0.254"}
`;
const SLURM_CONTENT = "#cloud-config\npackages: [ohpc-slurm-client]\nruncmd:\n  - systemctl enable slurmd\n";
const COMPUTE = {
  name: "compute",
  description: "compute config",
  "meta-data": { syslog: "172.16.0.254" },
  file: { encoding: "plain", content: COMPUTE_CONTENT },
  priority: 10,
};
const SLURM = {
  name: "slurm",
  file: { encoding: "base64", content: Buffer.from(SLURM_CONTENT).toString("base64") },
};
const TEMPLATED = {
  name: "templated",
  file: {
    encoding: "plain",
    content:
      "## template: jinja\n#cloud-config\nusers:\n  - name: root\n    ssh_authorized_keys: {{ ds.meta_data.instance_data.v1.public_keys }}\n",
  },
};
const EMPTY = { name: "empty", description: "no content" };
const GROUPS = [COMPUTE, SLURM, TEMPLATED, EMPTY];

const inventory = () =>
  new StaticInventory(
    smdData(
      smdNode("x1000c0s0b0n0", { nid: 1, ips: [NODE], groups: ["slurm", "compute", "templated", "empty"] }),
      smdNode("x1000c0s0b0n1", { nid: 2, ips: [LONER] }),
    ),
  );

async function setUp(ci: TestCloudInit, defaults: Record<string, unknown> = DEFAULTS): Promise<void> {
  assert.equal((await call(ci, "POST", `${P}/admin/cluster-defaults`, defaults)).status, 201);
  for (const group of GROUPS) assert.equal((await call(ci, "POST", `${P}/admin/groups`, group)).status, 201);
}

async function fetch200(ci: TestCloudInit, path: string, from = NODE): Promise<string> {
  const res = await call(ci, "GET", path.startsWith("http") ? path : `${P}${path}`, undefined, { from });
  assert.equal(res.status, 200, `${path}: ${res.text}`);
  return res.text;
}

let dir: string;
let counter = 0;

/** Runs `cloud-init schema -c` on the body in a temp file; rejects with the tool's output on failure. */
async function assertValidCloudConfig(body: string, label: string): Promise<void> {
  assert.ok(body.startsWith("#cloud-config\n"), `${label} is not cloud-config:\n${body}`);
  const file = join(dir, `${counter++}-${label.replace(/[^\w.-]/g, "_")}`);
  await writeFile(file, body);
  const { code, out } = await new Promise<{ code: number; out: string }>((resolve) => {
    execFile("cloud-init", ["schema", "-c", file], (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
  assert.equal(code, 0, `cloud-init schema rejected ${label}:\n${out}\n--- body ---\n${body}`);
  assert.match(out, /^Valid cloud-config: /m, out);
}

describe("generated cloud-config passes `cloud-init schema` (§7 decision 10)", {
  skip: skipWithoutCloudInit,
}, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ci-schema-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test("the tool itself rejects a bare #cloud-config and an #include list (sanity)", async () => {
    await assert.rejects(assertValidCloudConfig("#cloud-config\n", "bare"), /not a YAML dict/);
    await assert.rejects(
      assertValidCloudConfig("#cloud-config\npackages: 3\n", "bad"),
      /not of type 'array'/,
    );
    const file = join(dir, "include");
    await writeFile(file, "#include\nhttp://172.16.0.254:8081/cloud-init/compute.yaml\n");
    const res = spawnSync("cloud-init", ["schema", "-c", file], { encoding: "utf8" });
    assert.notEqual(res.status, 0);
    assert.match(`${res.stdout}${res.stderr}`, /needs to begin with "#cloud-config"/);
  });

  test("default mode: user-data, every group file; vendor-data is an #include list", async () => {
    const ci = await startCloudInit({ inventory: inventory() });
    try {
      await setUp(ci);
      for (const from of [NODE, LONER, "127.0.0.1"])
        await assertValidCloudConfig(await fetch200(ci, "/user-data", from), `user-data from ${from}`);
      const vendor = await fetch200(ci, "/vendor-data");
      assert.ok(vendor.startsWith("#include\n"), vendor);
      assert.ok(!vendor.startsWith("#cloud-config"), "vendor-data is not cloud-config: no schema check");
      assert.equal(await fetch200(ci, "/vendor-data", LONER), "#include\n");
      for (const group of ["compute", "slurm", "empty"])
        await assertValidCloudConfig(await fetch200(ci, `/${group}.yaml`), `${group}.yaml`);
      // A Jinja template is served verbatim and is cloud-config only once rendered on the node.
      assert.ok((await fetch200(ci, "/templated.yaml")).startsWith("## template: jinja\n"));
    } finally {
      await ci.close();
    }
  });

  test("merged mode (§3.5): merged user-data and its fallback validate", async () => {
    const ci = await startCloudInit({ inventory: inventory(), config: { mergedUserData: true } });
    try {
      await setUp(ci);
      const merged = await fetch200(ci, "/user-data");
      assert.doesNotMatch(merged, /merge_how/);
      assert.match(merged, /ohpc-slurm-client/);
      await assertValidCloudConfig(merged, "merged user-data");
      await assertValidCloudConfig(await fetch200(ci, "/user-data", LONER), "merged user-data, no groups");
      const vendor = await fetch200(ci, "/vendor-data");
      assert.equal(vendor, "#include\nhttp://172.16.0.254:8081/cloud-init/templated.yaml\n");
    } finally {
      await ci.close();
    }
  });
});

describe("NoCloud fetch sequence replayed over HTTP (§1, §3)", () => {
  test("meta-data, user-data, vendor-data, then each #include URL in order: exact bytes", async () => {
    const ci = await startCloudInit({ inventory: inventory() });
    try {
      const base = `${ci.url}${P}`;
      await setUp(ci, { ...DEFAULTS, "base-url": `${base}/` });
      const meta = await fetch200(ci, "/meta-data");
      const instanceId = /^instance-id: (i-[0-9a-f]{8})\n/.exec(meta)?.[1];
      assert.ok(instanceId, meta);
      assert.equal(
        meta,
        `instance-id: ${instanceId}
local-hostname: nid001
hostname: nid001
cluster-name: demo
instance_data:
  v1:
    instance_id: ${instanceId}
    local_ipv4: ${NODE}
    public_keys:
    - ssh-ed25519 AAAA admin@head
    vendor_data:
      version: "1.0"
      cloud_init_base_url: ${base}
      cluster_name: demo
      groups:
        compute:
          Description: compute config
          syslog: 172.16.0.254
        empty:
          Description: no content
        slurm:
          Description: No description Found
        templated:
          Description: No description Found
`,
      );
      assert.equal(await fetch200(ci, "/user-data"), "#cloud-config\n{}\n");
      // `base-url` was stored right-trimmed of `/` (§2.3). Priority 0 groups by name, then compute (10).
      const order = ["empty", "slurm", "templated", "compute"];
      const vendor = await fetch200(ci, "/vendor-data");
      assert.equal(vendor, `#include\n${order.map((g) => `${base}/${g}.yaml\n`).join("")}`);
      const urls = vendor.split("\n").slice(1, -1);
      const expected: Record<string, string> = {
        empty: "#cloud-config\n{}\n",
        slurm: SLURM_CONTENT,
        templated: TEMPLATED.file.content,
        compute: COMPUTE_CONTENT,
      };
      for (const [i, url] of urls.entries()) {
        const res = await call(ci, "GET", url, undefined, { from: NODE });
        assert.equal(res.status, 200, url);
        assert.equal(res.headers["content-type"], "text/plain; charset=utf-8");
        assert.deepEqual(res.body, Buffer.from(expected[order[i] as string] as string), url);
      }
    } finally {
      await ci.close();
    }
  });
});
