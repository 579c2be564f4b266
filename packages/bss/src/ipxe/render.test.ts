import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { withExtensions } from "@openchami/core";
import { buildIndex, type InventoryIndex, nodesFromSmd, type SmdInventoryData } from "@openchami/inventory";
import { type BssConfig, DEFAULT_BSS_CONFIG } from "../config.ts";
import { parseBootRequest } from "../domain/boot-request.ts";
import { type BootRecord, emptyChange, type Target } from "../domain/records.ts";
import { planBoot } from "../domain/resolve.ts";
import { ParamsIndex } from "../params-index.ts";
import { smdData, smdNode } from "../test-support.ts";
import { type Arrival, chainBase } from "./chain.ts";
import { type BootReply, renderBoot } from "./render.ts";
import { retrySleep } from "./script.ts";

// The spec's §3.8 example.
const KERNEL =
  "http://172.16.0.254:9090/boot-images/efi-images/compute/debug/vmlinuz-5.14.0-503.38.1.el9_5.x86_64";
const INITRD =
  "http://172.16.0.254:9090/boot-images/efi-images/compute/debug/initramfs-5.14.0-503.38.1.el9_5.x86_64.img";
const PARAMS =
  "nomodeset ro root=live:http://172.16.0.254:9090/boot-images/compute/debug/rocky9.5-compute-debug-9.5 ip=dhcp overlayroot=tmpfs overlayroot_cfgdisk=disabled apparmor=0 selinux=0 console=ttyS0,115200 ip6=off cloud-init=enabled ds=nocloud-net;s=http://172.16.0.254:8081/cloud-init";
const TOKEN = "8a7e2f0c-4d1b-4c3e-9f57-2b8d1c6e0a91";
const MAC = "52:54:00:be:ef:01";
const XNAME = "x1000c0s0b0n0";
const TS = 1696373833;

const SERVER: BssConfig = { ...DEFAULT_BSS_CONFIG, ipxeServer: "demo.openchami.cluster" };
const DIRECT: Arrival = { host: "172.16.0.254:8081", proto: "http", mountPrefix: "" };

const record = (fields: Partial<BootRecord>): BootRecord => ({
  kernel: "http://k/vmlinuz",
  initrd: "",
  params: "",
  cloudInit: null,
  token: TOKEN,
  ...fields,
});

interface Setup {
  records?: [Target, BootRecord][];
  images?: [{ kind: "kernel" | "initrd"; path: string }, string][];
  nodes?: Partial<SmdInventoryData>;
  loaded?: boolean;
  config?: BssConfig;
  arrival?: Arrival;
}

const NODE = smdNode(XNAME, { nid: 1, macs: [MAC] });

/** The route's pipeline without HTTP: parse, plan, render. */
function reply(query: Record<string, string>, setup: Setup = {}): BootReply {
  const params = new ParamsIndex();
  params.apply({ ...emptyChange(), set: setup.records ?? [], images: setup.images ?? [] }, false);
  const index: InventoryIndex = buildIndex(
    nodesFromSmd({
      components: [],
      componentEndpoints: [],
      ethernetInterfaces: [],
      memberships: [],
      ...(setup.nodes ?? NODE),
    }),
    1,
  );
  const request = parseBootRequest(query, TS)!;
  const config = setup.config ?? SERVER;
  const plan = planBoot(request, { loaded: setup.loaded ?? true, index }, params, withExtensions());
  const base = chainBase(config, setup.arrival ?? DIRECT);
  return renderBoot(plan, request, { config, params, base });
}

function script(query: Record<string, string>, setup?: Setup): string {
  const answer = reply(query, setup);
  assert.equal(answer.kind, "script", JSON.stringify(answer));
  return (answer as { body: string }).body;
}

const MAC_RECORD: [Target, BootRecord] = [
  { kind: "mac", key: MAC },
  record({ kernel: KERNEL, initrd: INITRD, params: PARAMS }),
];

describe("boot scripts, byte for byte (§3.5, §3.8)", () => {
  test("the §3.8 example: known node by MAC, record with initrd and its own ds=", () => {
    assert.equal(
      script({ mac: MAC }, { records: [MAC_RECORD] }),
      `#!ipxe
kernel --name kernel ${KERNEL} initrd=initrd ${PARAMS} xname=${XNAME} nid=1 bss_referral_token=${TOKEN} BOOTIF=01-52-54-00-be-ef-01 || goto boot_retry
initrd --name initrd ${INITRD} || goto boot_retry
boot || goto boot_retry
:boot_retry
sleep 30
chain https://demo.openchami.cluster/apis/bss/boot/v1/bootscript?mac=${MAC}&retry=1

`,
    );
  });

  test("chain URL from the request's Host when BSS_IPXE_SERVER is unset (§3.8)", () => {
    const body = script({ mac: MAC }, { records: [MAC_RECORD], config: DEFAULT_BSS_CONFIG });
    assert.ok(
      body.endsWith(`chain http://172.16.0.254:8081/boot/v1/bootscript?mac=${MAC}&retry=1\n\n`),
      body,
    );
    const proxied = script(
      { mac: MAC },
      {
        records: [MAC_RECORD],
        config: DEFAULT_BSS_CONFIG,
        arrival: { host: "boot.example:443", proto: "https", mountPrefix: "/apis/bss" },
      },
    );
    assert.ok(
      proxied.endsWith(`chain https://boot.example:443/apis/bss/boot/v1/bootscript?mac=${MAC}&retry=1\n\n`),
    );
  });

  test("chain URL from configuration: BSS_CHAIN_PROTO and BSS_GW_URI (may be empty)", () => {
    const config = { ...SERVER, chainProto: "http" as const, gatewayUri: "" };
    const body = script({ mac: MAC }, { records: [MAC_RECORD], config });
    assert.ok(body.endsWith(`chain http://demo.openchami.cluster/boot/v1/bootscript?mac=${MAC}&retry=1\n\n`));
  });

  test("known node without initrd, by name: no initrd line, no BOOTIF, chain by the node's first MAC", () => {
    assert.equal(
      script(
        { name: XNAME },
        { records: [[{ kind: "xname", key: XNAME }, record({ params: "console=ttyS0" })]] },
      ),
      `#!ipxe
kernel --name kernel http://k/vmlinuz console=ttyS0 xname=${XNAME} nid=1 bss_referral_token=${TOKEN} || goto boot_retry
boot || goto boot_retry
:boot_retry
sleep 30
chain https://demo.openchami.cluster/apis/bss/boot/v1/bootscript?mac=${MAC}&retry=1

`,
    );
  });

  test("a node without MACs chains by name; image params are appended; ds= from BSS_ADVERTISE_ADDRESS", () => {
    const body = script(
      { nid: "7" },
      {
        nodes: smdNode("x1c0s0b0n0", { nid: 7 }),
        records: [[{ kind: "tag", key: "Compute" }, record({ params: "quiet" })]],
        images: [[{ kind: "kernel", path: "http://k/vmlinuz" }, "console=tty0"]],
        config: { ...SERVER, advertiseAddress: "http://10.0.0.1:8081/cloud-init" },
      },
    );
    assert.equal(
      body,
      `#!ipxe
kernel --name kernel http://k/vmlinuz quiet console=tty0 xname=x1c0s0b0n0 nid=7 bss_referral_token=${TOKEN} ds=nocloud-net;s=http://10.0.0.1:8081/cloud-init/ || goto boot_retry
boot || goto boot_retry
:boot_retry
sleep 30
chain https://demo.openchami.cluster/apis/bss/boot/v1/bootscript?name=x1c0s0b0n0&retry=1

`,
    );
  });

  test("byte-exact for each resolution level: MAC, xname, NID, Role tag, Default", () => {
    const node = smdNode(XNAME, { nid: 1, macs: [MAC, "52:54:00:be:ef:0a"] });
    const cases: [Record<string, string>, Target, string][] = [
      [
        { mac: "52:54:00:BE:EF:0A" },
        { kind: "mac", key: "52:54:00:be:ef:0a" },
        " BOOTIF=01-52-54-00-BE-EF-0A",
      ],
      [{ name: XNAME }, { kind: "xname", key: XNAME }, ""],
      [{ nid: "1" }, { kind: "nid", key: "1" }, ""],
      [{ nid: "1" }, { kind: "tag", key: "Compute" }, ""],
      [{ name: XNAME }, { kind: "tag", key: "Default" }, ""],
    ];
    for (const [query, target, bootif] of cases) {
      const chainMac = query.mac ?? MAC;
      assert.equal(
        script(query, { nodes: node, records: [[target, record({ params: `level=${target.kind}` })]] }),
        `#!ipxe
kernel --name kernel http://k/vmlinuz level=${target.kind} xname=${XNAME} nid=1 bss_referral_token=${TOKEN}${bootif} || goto boot_retry
boot || goto boot_retry
:boot_retry
sleep 30
chain https://demo.openchami.cluster/apis/bss/boot/v1/bootscript?mac=${chainMac}&retry=1

`,
        `${JSON.stringify(query)} → ${target.kind}`,
      );
    }
  });

  test("retry=N chains with retry=N+1", () => {
    assert.match(script({ mac: MAC, retry: "4" }, { records: [MAC_RECORD] }), /&retry=5\n\n$/);
    assert.match(script({ mac: MAC, retry: "junk" }, { records: [MAC_RECORD] }), /&retry=1\n\n$/);
  });

  test("BSS_MAX_RETRIES: at the limit the script gives up instead of chaining", () => {
    const config = { ...SERVER, maxRetries: 3 };
    assert.match(
      script({ mac: MAC, retry: "2" }, { records: [MAC_RECORD], config }),
      /sleep 30\nchain .*&retry=3\n\n$/,
    );
    assert.ok(
      script({ mac: MAC, retry: "3" }, { records: [MAC_RECORD], config }).endsWith(
        ":boot_retry\necho Boot failed after 3 retries, giving up\nexit\n\n",
      ),
    );
  });

  test("exponential backoff: doubling up to the maximum, less at most 20% jitter fixed by (xname, retry)", () => {
    const config = { ...SERVER, retryBackoff: "exponential" as const, retryDelay: 10, retryMaxDelay: 300 };
    const sleeps = [0, 1, 2, 3, 4, 5, 10].map((retry) => retrySleep(config, retry, XNAME));
    const ceilings = [10, 20, 40, 80, 160, 300, 300];
    sleeps.forEach((sleep, i) => {
      assert.ok(
        sleep <= ceilings[i]! && sleep >= Math.floor(ceilings[i]! * 0.8),
        `${sleep} vs ${ceilings[i]}`,
      );
    });
    assert.deepEqual(
      sleeps,
      [0, 1, 2, 3, 4, 5, 10].map((retry) => retrySleep(config, retry, XNAME)),
    );
    const body = script({ mac: MAC, retry: "2" }, { records: [MAC_RECORD], config });
    assert.match(body, new RegExp(`\nsleep ${sleeps[2]}\nchain `));
    assert.equal(retrySleep({ ...config, retryBackoff: "none" }, 9, XNAME), 10);
  });

  test("json=1: the same record and injections as JSON (§3.9)", () => {
    const answer = reply(
      { mac: MAC, json: "1" },
      { records: [MAC_RECORD], images: [[{ kind: "initrd", path: INITRD }, "rd.debug"]] },
    );
    assert.equal(answer.kind, "json");
    assert.deepEqual(JSON.parse((answer as { body: string }).body), {
      params: `kernel initrd=initrd ${PARAMS} rd.debug xname=${XNAME} nid=1 bss_referral_token=${TOKEN} BOOTIF=01-52-54-00-be-ef-01`,
      kernel: { path: KERNEL },
      initrd: { path: INITRD, params: "rd.debug" },
    });
    const noInitrd = reply(
      { name: XNAME, json: "1" },
      { records: [[{ kind: "xname", key: XNAME }, record({})]] },
    );
    assert.deepEqual(JSON.parse((noInitrd as { body: string }).body).initrd, { path: "" });
  });
});

describe("unknown and unservable nodes (§3.3)", () => {
  test("unknown MAC, no arch: the delay reply (§3.8)", () => {
    assert.equal(
      script({ mac: "52:54:00:be:ef:99", ts: String(TS) }),
      `#!ipxe
sleep 10
chain https://demo.openchami.cluster/apis/bss/boot/v1/bootscript?mac=52:54:00:be:ef:99&arch=\${buildarch}&ts=${TS}

`,
    );
  });

  test("before the inventory has loaded, even a configured node gets the delay reply", () => {
    assert.equal(
      script({ mac: MAC }, { records: [MAC_RECORD], loaded: false }),
      `#!ipxe\nsleep 10\nchain https://demo.openchami.cluster/apis/bss/boot/v1/bootscript?mac=${MAC}&arch=\${buildarch}&ts=${TS}\n\n`,
    );
  });

  test("unknown with arch and Unknown-<arch>: that record, only ds= injected, the unknown chain", () => {
    const body = script(
      { mac: "52:54:00:be:ef:99", arch: "x86_64", ts: String(TS) },
      {
        records: [
          [
            { kind: "tag", key: "Unknown-x86_64" },
            record({ kernel: "http://k/discovery", params: "console=ttyS0" }),
          ],
        ],
        config: { ...SERVER, advertiseAddress: "http://10.0.0.1:8081/cloud-init" },
      },
    );
    assert.equal(
      body,
      `#!ipxe
kernel --name kernel http://k/discovery console=ttyS0 ds=nocloud-net;s=http://10.0.0.1:8081/cloud-init/ || goto boot_retry
boot || goto boot_retry
:boot_retry
sleep 30
chain https://demo.openchami.cluster/apis/bss/boot/v1/bootscript?mac=52:54:00:be:ef:99&arch=\${buildarch}&ts=${TS}

`,
    );
  });

  test("unknown with arch and no Unknown-<arch>: 404 with the upstream description", () => {
    assert.deepEqual(reply({ mac: "52:54:00:be:ef:99", arch: "x86_64" }), {
      kind: "not-found",
      detail: "Unknown MAC 52:54:00:be:ef:99 architecture x86_64: this host not configured for booting.",
    });
  });

  test("a disabled node is on the unknown path: delay without arch, 404 naming its xname with (deviation)", () => {
    const nodes = smdNode(XNAME, { nid: 1, macs: [MAC], enabled: false });
    assert.match(script({ mac: MAC }, { nodes, records: [MAC_RECORD] }), /^#!ipxe\nsleep 10\n/);
    assert.deepEqual(reply({ mac: MAC, arch: "x86_64" }, { nodes, records: [MAC_RECORD] }), {
      kind: "not-found",
      detail: `Unknown MAC ${MAC} (${XNAME}) architecture x86_64: this host not configured for booting.`,
    });
  });

  test("a ComponentEndpoint with Enabled=false disables the node; none at all is fine (deviation)", () => {
    const disabled = smdNode(XNAME, { nid: 1, macs: [MAC], endpoint: false });
    assert.match(script({ mac: MAC }, { nodes: disabled, records: [MAC_RECORD] }), /^#!ipxe\nsleep 10\n/);
    const enabled = smdNode(XNAME, { nid: 1, macs: [MAC], endpoint: true });
    assert.match(script({ mac: MAC }, { nodes: enabled, records: [MAC_RECORD] }), /^#!ipxe\nkernel /);
    assert.match(script({ mac: MAC }, { records: [MAC_RECORD] }), /^#!ipxe\nkernel /);
  });

  test("<descr>: names as given, the xname only when it differs; NIDs; json=1 turns delays into 404s", () => {
    const nodes = smdNode(XNAME, { nid: 1, macs: [MAC], enabled: false });
    const detail = (query: Record<string, string>) =>
      (reply({ ...query, arch: "arm64" }, { nodes }) as { detail: string }).detail;
    assert.equal(
      detail({ name: "X1000C0S0B0N0" }),
      "Unknown X1000C0S0B0N0 (x1000c0s0b0n0) architecture arm64: this host not configured for booting.",
    );
    assert.equal(
      detail({ name: XNAME }),
      `Unknown ${XNAME} architecture arm64: this host not configured for booting.`,
    );
    assert.equal(
      detail({ nid: "1" }),
      `Unknown NID 1 (${XNAME}) architecture arm64: this host not configured for booting.`,
    );
    assert.deepEqual(reply({ mac: "52:54:00:be:ef:99", json: "1" }), {
      kind: "not-found",
      detail: "Unknown MAC 52:54:00:be:ef:99: this host not configured for booting.",
    });
  });

  test("the unknown chain names a known node by its first MAC, else the request; odd values are escaped", () => {
    const nodes = smdData(
      smdNode(XNAME, { nid: 1, macs: [MAC], enabled: false }),
      smdNode("x1c0s0b0n0", { nid: 2 }),
    );
    assert.match(
      script({ nid: "1", ts: "5" }, { nodes }),
      /\?mac=52:54:00:be:ef:01&arch=\$\{buildarch\}&ts=5\n/,
    );
    assert.match(script({ nid: "2", ts: "5" }, { nodes }), /\?name=x1c0s0b0n0&arch=/);
    assert.match(script({ nid: "3", ts: "5" }, { nodes }), /\?nid=3&arch=/);
    assert.match(script({ name: "a b&c\nshell", ts: "5" }, { nodes }), /\?name=a%20b%26c%0Ashell&arch=/);
  });
});
