/**
 * DHCP, TFTP and DNS with real clients (dhcp.md §8.2): busybox udhcpc, ISC dhclient, tftp-hpa
 * and dig talk to `openchami serve --enable dhcp,tftp,dns` across a veth pair between two
 * network namespaces the test creates and removes. The server namespace has no default
 * route, so nothing leaves the machine. Needs root; skipped with the reason otherwise.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  createNetnsPair,
  eventually,
  type NetnsPair,
  netnsUnavailable,
  type ServeProcess,
  startServeProcess,
} from "@openchami/testkit";

const skip = netnsUnavailable("busybox", "dhclient", "tftp", "dig", "curl");

const KNOWN = "52:54:00:be:ef:01";
const DISABLED = "52:54:00:be:ef:02";
const IGNORED = "52:54:00:be:ef:03";
const UNKNOWN = "52:54:00:be:ef:99";
const IPXE_URL = `http://10.99.0.1:8081/boot/v1/bootscript?mac=${KNOWN}`;

const CONFIG = (tftpDir: string) => `
server4:
  listen: ["0.0.0.0:67"]
  plugins:
    - server_id: 10.99.0.1
    - dns: 10.99.0.1
    - router: 10.99.0.254
    - netmask: 255.255.255.0
    - coresmd: ipxe_base_uri=http://10.99.0.1:8081 tftp_dir=${tftpDir} lease_time=1h domain=cluster rule=id:x1000c0s0b1n0,ignore:true rule=type:Node,hostname:nid{04d} rule=type:NodeBMC,hostname:bmc{04d}
    - bootloop: script_path=default lease_time=5m ipv4_start=10.99.0.200 ipv4_end=10.99.0.210
  subnet: 10.99.0.0/24
dns_server:
  listen: ["10.99.0.1:53"]
  zone:
    - name: cluster.local
      nodes: nid{04d}
`;

/** Env dumps per event, and the leased address put on the interface so renewals can unicast. */
const UDHCPC_SCRIPT = `#!/bin/sh
env > "$OUT.$1"
if [ "$1" = bound ]; then ip addr add "$ip/24" dev "$interface"; fi
exit 0
`;

/** dhclient gives its script a fresh environment, so the output path is written in. */
const dhclientScript = (out: string) => `#!/bin/sh
env > "${out}.$reason"
exit 0
`;

function readEnv(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

async function seedSmd(dataDir: string): Promise<void> {
  const smd = await startServeProcess(["--only", "smd", "--no-auth", "--data-dir", dataDir]);
  try {
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${smd.url}/hsm/v2${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      assert.ok(response.ok, `POST ${path}: ${response.status} ${await response.text()}`);
    };
    await post("/State/Components", {
      Components: [
        { ID: "x1000c0s0b0n0", Type: "Node", State: "Ready", NID: 1, Enabled: true },
        { ID: "x1000c0s0b0n1", Type: "Node", State: "Ready", NID: 2, Enabled: false },
        { ID: "x1000c0s0b1n0", Type: "Node", State: "Ready", NID: 3, Enabled: true },
        { ID: "x1000c0s0b0", Type: "NodeBMC", State: "Ready", Enabled: true },
      ],
    });
    const nic = (MACAddress: string, ComponentID: string, ip: string) =>
      post("/Inventory/EthernetInterfaces", { MACAddress, ComponentID, IPAddresses: [{ IPAddress: ip }] });
    await nic(KNOWN, "x1000c0s0b0n0", "10.99.0.11");
    await nic(DISABLED, "x1000c0s0b0n1", "10.99.0.12");
    await nic(IGNORED, "x1000c0s0b1n0", "10.99.0.13");
    await nic("52:54:00:be:ef:10", "x1000c0s0b0", "10.99.0.21");
  } finally {
    await smd.stop();
  }
}

describe("DHCP, TFTP and DNS with real clients in network namespaces", { skip }, () => {
  let net: NetnsPair;
  let server: ServeProcess;
  let dir: string;
  let binary: Buffer;
  const background: ChildProcess[] = [];

  const inClient = (argv: string[], timeoutMs = 30_000) => net.exec(net.client, argv, { timeoutMs });

  /** Gives the client interface another MAC and no address. */
  function becomeClient(mac: string): void {
    for (const argv of [
      ["ip", "addr", "flush", "dev", "vcli"],
      ["ip", "link", "set", "vcli", "down"],
      ["ip", "link", "set", "vcli", "address", mac],
      ["ip", "link", "set", "vcli", "up"],
    ]) {
      const result = inClient(argv);
      assert.equal(result.status, 0, result.stderr);
    }
  }

  function udhcpc(tag: string, extra: string[] = []) {
    const result = inClient(
      [
        "busybox",
        "udhcpc",
        "-i",
        "vcli",
        "-f",
        "-q",
        "-n",
        "-t",
        "3",
        "-T",
        "1",
        "-s",
        join(dir, "udhcpc.sh"),
        ...extra,
      ],
      20_000,
    );
    const bound = `${join(dir, tag)}.bound`;
    return { result, env: existsSync(bound) ? readEnv(bound) : undefined };
  }

  function metrics(): string {
    const port = new URL(server.url).port;
    return net.exec(net.server, ["curl", "-s", `http://127.0.0.1:${port}/metrics`]).stdout;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "openchami-dhcp-netns-"));
    const tftpDir = join(dir, "tftpboot");
    const dataDir = join(dir, "data");
    binary = randomBytes(1024 * 1024);
    const { mkdirSync } = await import("node:fs");
    mkdirSync(tftpDir);
    writeFileSync(join(tftpDir, "ipxe-x86_64.efi"), binary);
    writeFileSync(join(dir, "udhcpc.sh"), UDHCPC_SCRIPT);
    writeFileSync(join(dir, "dhclient.sh"), dhclientScript(join(dir, "dhclient")));
    chmodSync(join(dir, "udhcpc.sh"), 0o755);
    chmodSync(join(dir, "dhclient.sh"), 0o755);
    writeFileSync(join(dir, "dhcp.yaml"), CONFIG(tftpDir));
    await seedSmd(dataDir);
    net = createNetnsPair({ tag: `ocd${process.pid % 10000}`, clientMac: KNOWN });
    server = await startServeProcess(
      [
        "--no-auth",
        "--data-dir",
        dataDir,
        "--enable",
        "dhcp,tftp,dns",
        "--dhcp-config",
        join(dir, "dhcp.yaml"),
      ],
      {},
      net.prefix(net.server),
    );
  });

  after(async () => {
    for (const child of background) child.kill("SIGKILL");
    await server?.stop();
    net?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the server namespace has no route off the machine", () => {
    const routes = net.exec(net.server, ["ip", "route", "show", "default"]);
    assert.equal(routes.stdout.trim(), "");
  });

  test("udhcpc gets the SMD address, router, DNS, hostname, lease time and the arch binary", () => {
    process.env.OUT = join(dir, "known");
    const { result, env } = udhcpc("known", ["-x", "0x5d:0007"]);
    assert.ok(env, `no lease: ${result.stderr}`);
    assert.equal(env.ip, "10.99.0.11");
    assert.equal(env.router, "10.99.0.254");
    assert.equal(env.dns, "10.99.0.1");
    assert.equal(env.subnet, "255.255.255.0");
    assert.equal(env.hostname, "nid0001.cluster");
    assert.equal(env.lease, "3600");
    assert.equal(env.serverid, "10.99.0.1");
    assert.equal(env.siaddr, "10.99.0.1");
    assert.equal(env.boot_file, "ipxe-x86_64.efi");
  });

  test("tftp downloads the binary byte for byte, config.ipxe chains BSS, ../ is refused", () => {
    const out = join(dir, "downloaded.efi");
    const get = inClient(["tftp", "10.99.0.1", "-m", "binary", "-c", "get", "ipxe-x86_64.efi", out]);
    assert.equal(get.status, 0, get.stderr);
    assert.ok(readFileSync(out).equals(binary), "downloaded bytes differ");

    const script = join(dir, "config.ipxe");
    inClient(["tftp", "10.99.0.1", "-m", "binary", "-c", "get", "config.ipxe", script]);
    assert.equal(readFileSync(script, "utf8"), `#!ipxe\necho Booting from ${IPXE_URL}\nchain ${IPXE_URL}\n`);

    const outside = inClient([
      "tftp",
      "10.99.0.1",
      "-m",
      "binary",
      "-c",
      "get",
      "../etc/passwd",
      join(dir, "x"),
    ]);
    assert.match(outside.stdout + outside.stderr, /Error code 2/);
  });

  test("dig resolves a node name and its PTR", () => {
    const a = inClient(["dig", "@10.99.0.1", "+short", "+time=2", "+tries=1", "nid0001.cluster.local"]);
    assert.equal(a.stdout.trim(), "10.99.0.11");
    const bmc = inClient(["dig", "@10.99.0.1", "+short", "+time=2", "+tries=1", "x1000c0s0b0.cluster.local"]);
    assert.equal(bmc.stdout.trim(), "10.99.0.21");
    const ptr = inClient(["dig", "@10.99.0.1", "+short", "+time=2", "+tries=1", "-x", "10.99.0.11"]);
    assert.equal(ptr.stdout.trim(), "x1000c0s0b0n0.cluster.local.");
    const missing = inClient(["dig", "@10.99.0.1", "+time=2", "+tries=1", "nid0099.cluster.local"]);
    assert.match(missing.stdout, /status: NXDOMAIN/);
  });

  test("an iPXE request gets the BSS bootscript URL", () => {
    becomeClient(KNOWN);
    process.env.OUT = join(dir, "ipxe");
    const { result, env } = udhcpc("ipxe", ["-x", "0x5d:0007", "-x", "0x4d:69505845", "-O", "bootfile"]);
    assert.ok(env, `no lease: ${result.stderr}`);
    assert.equal(env.ip, "10.99.0.11");
    assert.equal(env.bootfile, IPXE_URL);
  });

  test("ISC dhclient gets the SMD address, router, DNS, hostname and lease time", async () => {
    becomeClient(KNOWN);
    const conf = join(dir, "dhclient.conf");
    writeFileSync(
      conf,
      "option arch code 93 = unsigned integer 16;\nsend arch 7;\n" +
        "request subnet-mask, routers, domain-name-servers, host-name, domain-name;\n",
    );
    const out = join(dir, "dhclient");
    const child = spawn(
      "ip",
      [
        ...["netns", "exec", net.client, "dhclient", "-d", "-1", "-v", "-cf", conf],
        ...[
          "-lf",
          join(dir, "dhclient.leases"),
          "-pf",
          join(dir, "dhclient.pid"),
          "-sf",
          join(dir, "dhclient.sh"),
          "vcli",
        ],
      ],
      { stdio: "ignore" },
    );
    background.push(child);
    await eventually(async () => existsSync(`${out}.BOUND`), 20_000);
    child.kill("SIGTERM");
    const env = readEnv(`${out}.BOUND`);
    assert.equal(env.new_ip_address, "10.99.0.11");
    assert.equal(env.new_routers, "10.99.0.254");
    assert.equal(env.new_domain_name_servers, "10.99.0.1");
    assert.equal(env.new_host_name, "nid0001.cluster");
    assert.equal(env.new_dhcp_lease_time, "3600");
  });

  test("a disabled component and an ignore rule get no answer, and neither falls into the pool", () => {
    for (const [mac, tag] of [
      [DISABLED, "disabled"],
      [IGNORED, "ignored"],
    ] as const) {
      becomeClient(mac);
      process.env.OUT = join(dir, tag);
      const { result, env } = udhcpc(tag, ["-t", "2"]);
      assert.equal(env, undefined, `${tag} got a lease`);
      assert.notEqual(result.status, 0);
    }
    const text = metrics();
    assert.match(text, /dhcp_unanswered_total\{reason="disabled"\} [1-9]/);
    assert.match(text, /dhcp_unanswered_total\{reason="ignored"\} [1-9]/);
  });

  test("an unknown MAC completes DORA from the pool and renews; as iPXE it gets the reboot script", async () => {
    becomeClient(UNKNOWN);
    const out = join(dir, "unknown");
    const child = spawn(
      "ip",
      [
        ...["netns", "exec", net.client, "busybox", "udhcpc", "-i", "vcli", "-f", "-t", "3", "-T", "1"],
        ...["-s", join(dir, "udhcpc.sh"), "-x", "0x5d:0007"],
      ],
      { env: { ...process.env, OUT: out }, stdio: "ignore" },
    );
    background.push(child);
    await eventually(async () => existsSync(`${out}.bound`), 20_000);
    const bound = readEnv(`${out}.bound`);
    assert.equal(bound.ip, "10.99.0.200");
    assert.equal(bound.lease, "300");
    assert.equal(bound.boot_file, "ipxe-x86_64.efi");
    assert.equal(bound.hostname, undefined);
    child.kill("SIGUSR1"); // renew now: a unicast REQUEST with ciaddr
    await eventually(async () => existsSync(`${out}.renew`), 20_000);
    assert.equal(readEnv(`${out}.renew`).ip, "10.99.0.200");
    child.kill("SIGTERM");
    assert.doesNotMatch(metrics(), /dhcp_replies_total\{type="NAK"\}/);

    becomeClient(UNKNOWN);
    process.env.OUT = join(dir, "unknown-ipxe");
    const { env } = udhcpc("unknown-ipxe", ["-x", "0x4d:69505845", "-O", "bootfile"]);
    assert.ok(env, "no pool lease for the iPXE client");
    assert.equal(env.ip, "10.99.0.200");
    assert.equal(env.bootfile, "default");
  });
});
