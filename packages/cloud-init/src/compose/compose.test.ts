import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type ClusterDefaults, decodeGroup, EMPTY_DEFAULTS, type GroupData } from "../domain/wire.ts";
import {
  bootIp,
  EMPTY_CLOUD_CONFIG,
  generatedHostname,
  includeOrder,
  renderGroupFile,
  renderMetaData,
  renderVendorData,
} from "./compose.ts";

const defaults: ClusterDefaults = {
  ...EMPTY_DEFAULTS,
  "cluster-name": "demo",
  "short-name": "nid",
  "nid-length": 3,
  "base-url": "http://172.16.0.254:8081/cloud-init",
  "public-keys": ["ssh-ed25519 AAAA… admin@head"],
};
const compute = decodeGroup({
  name: "compute",
  description: "compute config",
  "meta-data": { syslog: "172.16.0.254" },
  file: { encoding: "plain", content: "## template: jinja\n#cloud-config\n" },
});
const slurm = decodeGroup({
  name: "slurm",
  file: { encoding: "base64", content: "I2Nsb3VkLWNvbmZpZwpwYWNrYWdlczogW29ocGMtc2x1cm0tY2xpZW50XQo=" },
});
const groups = new Map<string, GroupData>([
  ["compute", compute],
  ["slurm", slurm],
]);

describe("meta-data (§3.2)", () => {
  test("the worked example (§3.6), byte for byte", () => {
    const yaml = renderMetaData({
      node: { xname: "x1000c0s0b0n0", nid: 1, bootIp: "172.16.0.1", groups: ["slurm", "compute"] },
      instanceId: "i-1a2b3c4d",
      defaults,
      instance: undefined,
      groups,
    });
    assert.equal(
      yaml,
      `instance-id: i-1a2b3c4d
local-hostname: nid001
hostname: nid001
cluster-name: demo
instance_data:
  v1:
    instance_id: i-1a2b3c4d
    local_ipv4: 172.16.0.1
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
  });

  test("every optional key in order, overrides, no groups, nothing never-emitted", () => {
    const yaml = renderMetaData({
      node: { xname: "x1", nid: undefined, bootIp: "", groups: [] },
      instanceId: "i-00000000",
      defaults: { ...EMPTY_DEFAULTS, region: "r", "availability-zone": "az", cloud_provider: "p" },
      instance: {
        id: "x1",
        "instance-id": "",
        "local-hostname": "lh",
        hostname: "h",
        "cluster-name": "ignored",
        region: "ignored",
        "availability-zone": "ignored",
        "cloud-provider": "ignored",
        "instance-type": "big",
        "cloud-init-base-url": "http://x/ci",
        "public-keys": ["k2"],
      },
      groups: new Map(),
    });
    assert.equal(
      yaml,
      `instance-id: i-00000000
local-hostname: lh
hostname: h
cluster-name: ""
instance_data:
  v1:
    availability_zone: az
    instance_id: i-00000000
    instance_type: big
    region: r
    local_ipv4: ""
    cloud_provider: p
    public_keys:
    - k2
    vendor_data:
      version: "1.0"
      cloud_init_base_url: http://x/ci
      cluster_name: ""
      groups: {}
`,
    );
  });

  test("group meta-data is sorted, may override Description, and re-typing values are quoted", () => {
    const group = decodeGroup({
      name: "123",
      "meta-data": { z: "yes", Description: "mine", a: { c: 1, b: 2 } },
    });
    const yaml = renderMetaData({
      node: { xname: "x1", nid: 2, bootIp: "10.0.0.1", groups: ["123"] },
      instanceId: "i-00000001",
      defaults: EMPTY_DEFAULTS,
      instance: undefined,
      groups: new Map([["123", group]]),
    });
    assert.match(
      yaml,
      /groups:\n {8}"123":\n {10}Description: mine\n {10}a:\n {12}b: 2\n {12}c: 1\n {10}z: "yes"\n/,
    );
  });

  test("hostnames: cl0012, nid001, no truncation, missing NID is 0", () => {
    assert.equal(generatedHostname({ ...EMPTY_DEFAULTS, "cluster-name": "cluster" }, 12), "cl0012");
    assert.equal(generatedHostname({ ...EMPTY_DEFAULTS, "short-name": "nid", "nid-length": 3 }, 1), "nid001");
    assert.equal(
      generatedHostname({ ...EMPTY_DEFAULTS, "short-name": "n", "nid-length": 2 }, 12345),
      "n12345",
    );
    assert.equal(generatedHostname({ ...EMPTY_DEFAULTS, "short-name": "n" }, undefined), "n0000");
  });

  test("boot IP: the first interface with an IP by MAC, its first IP", () => {
    const iface = (mac: string, ips: string[]) => ({
      mac,
      description: "",
      ips: ips.map((address) => ({ address, network: "" })),
    });
    assert.equal(
      bootIp({
        interfaces: [
          iface("02:00:00:00:00:03", ["10.0.0.3"]),
          iface("02:00:00:00:00:01", []),
          iface("02:00:00:00:00:02", ["10.0.0.2", "10.0.0.9"]),
        ],
      }),
      "10.0.0.2",
    );
    assert.equal(bootIp({ interfaces: [] }), "");
  });
});

describe("vendor-data and group files (§3.3, §3.4)", () => {
  test("includes by priority then name, labels without records count as 0", () => {
    const prioritised = new Map(groups);
    prioritised.set("compute", { ...compute, priority: 10 });
    prioritised.set("early", decodeGroup({ name: "early", priority: -5 }));
    const order = includeOrder(["slurm", "compute", "zeta", "early", "alpha"], prioritised);
    assert.deepEqual(order, ["early", "alpha", "slurm", "zeta", "compute"]);
    assert.equal(
      renderVendorData("http://b/ci", ["compute", "slurm"]),
      "#include\nhttp://b/ci/compute.yaml\nhttp://b/ci/slurm.yaml\n",
    );
    assert.equal(renderVendorData("http://b/ci", []), "#include\n");
  });

  test("group files verbatim, exactly base64-decoded, or the fallback", () => {
    assert.equal(renderGroupFile(compute).toString(), "## template: jinja\n#cloud-config\n");
    assert.equal(renderGroupFile(slurm).toString(), "#cloud-config\npackages: [ohpc-slurm-client]\n");
    assert.equal(renderGroupFile(undefined).toString(), EMPTY_CLOUD_CONFIG);
    assert.equal(renderGroupFile(decodeGroup({ name: "e" })).toString(), EMPTY_CLOUD_CONFIG);
    const binary = Buffer.from([0, 1, 2, 255]);
    const raw = decodeGroup({ name: "b", file: { encoding: "base64", content: binary.toString("base64") } });
    assert.deepEqual(renderGroupFile(raw), binary);
  });
});
