/**
 * `openchami dhcp` as an operator runs it (dhcp.md §2.3, §2.4): a real process polling a real
 * SMD over HTTP, answering DHCP on 127.0.0.1 with the test-only client and relay ports.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { eventually, runCli, type ServeProcess, startServeProcess } from "@openchami/testkit";

const BIN = new URL("../bin/openchami.js", import.meta.url).pathname;
const MAC = "52:54:00:be:ef:01";

interface DhcpProcess {
  child: ChildProcess;
  httpPort: number;
  dhcpPort: number;
  stop(): Promise<void>;
}

/** Starts `openchami dhcp` and resolves once it logs that it is ready. */
async function startDhcpProcess(args: string[]): Promise<DhcpProcess> {
  const child = spawn(process.execPath, [BIN, "dhcp", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry.msg === "openchami dhcp is ready") resolve(entry);
      } catch {
        // not a log line
      }
    });
    child.once("exit", (code) => reject(new Error(`openchami dhcp exited with ${code}: ${stderr}`)));
  });
  return {
    child,
    httpPort: ready.httpPort as number,
    dhcpPort: (ready.dhcpPorts as number[])[0]!,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** A relayed DISCOVER (giaddr 127.0.0.1) from `mac`, built by hand: the wire format is the contract. */
function relayedDiscover(mac: string, xid: number): Buffer {
  const header = Buffer.alloc(240);
  header.writeUInt8(1, 0); // BOOTREQUEST
  header.writeUInt8(1, 1); // Ethernet
  header.writeUInt8(6, 2);
  header.writeUInt8(1, 3); // one relay hop
  header.writeUInt32BE(xid, 4);
  Buffer.from([127, 0, 0, 1]).copy(header, 24);
  Buffer.from(mac.replaceAll(":", ""), "hex").copy(header, 28);
  header.writeUInt32BE(0x63825363, 236);
  // 53 DISCOVER, 93 arch 7, END, padding to the BOOTP minimum.
  return Buffer.concat([header, Buffer.from([53, 1, 1, 93, 2, 0, 7, 255]), Buffer.alloc(52)]);
}

/** Option `code` of a reply, scanning its options field. */
function option(reply: Buffer, code: number): Buffer | undefined {
  for (let i = 240; i < reply.length && reply[i] !== 255; ) {
    if (reply[i] === 0) {
      i++;
      continue;
    }
    const length = reply[i + 1]!;
    if (reply[i] === code) return reply.subarray(i + 2, i + 2 + length);
    i += 2 + length;
  }
  return undefined;
}

async function seedSmd(url: string): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${url}/hsm/v2${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    assert.ok(response.ok, `POST ${path}: ${response.status} ${await response.text()}`);
  };
  await post("/State/Components", {
    Components: [{ ID: "x1000c0s0b0n0", Type: "Node", State: "Ready", NID: 1, Enabled: true }],
  });
  await post("/Inventory/EthernetInterfaces", {
    MACAddress: MAC,
    ComponentID: "x1000c0s0b0n0",
    IPAddresses: [{ IPAddress: "10.99.0.11" }],
  });
}

describe("openchami dhcp", () => {
  let dir: string;
  let smd: ServeProcess;
  let relay: Socket;
  let relayPort: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "openchami-dhcp-"));
    smd = await startServeProcess(["--only", "smd", "--no-auth", "--data-dir", join(dir, "smd")]);
    await seedSmd(smd.url);
    relay = createSocket("udp4");
    await new Promise<void>((resolve) => relay.bind(0, "127.0.0.1", resolve));
    relayPort = relay.address().port;
  });

  after(async () => {
    await new Promise<void>((resolve) => relay.close(() => resolve()));
    await smd.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const flags = () => [
    "--ipxe-base-uri",
    "http://127.0.0.1:8081",
    "--server-id",
    "127.0.0.1",
    "--listen",
    "127.0.0.1:0",
    "--client-port",
    String(relayPort),
    "--relay-port",
    String(relayPort),
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--data-dir",
    join(dir, "dhcp"),
    "--enable",
    "dhcp",
  ];

  test("polls SMD and answers a relayed DISCOVER with the SMD address; /dhcp/ready says 200", async () => {
    const dhcp = await startDhcpProcess([...flags(), "--svc-base-uri", smd.url]);
    try {
      const ready = await fetch(`http://127.0.0.1:${dhcp.httpPort}/dhcp/ready`);
      assert.equal(ready.status, 200);
      assert.deepEqual(
        { ...((await ready.json()) as object), inventoryAgeSeconds: undefined },
        { ready: true, hosts: 1, inventoryAgeSeconds: undefined },
      );

      const replies: Buffer[] = [];
      const collect = (msg: Buffer) => replies.push(msg);
      relay.on("message", collect);
      try {
        const xid = 0x0badf00d;
        relay.send(relayedDiscover(MAC, xid), dhcp.dhcpPort, "127.0.0.1");
        await eventually(async () => replies.some((r) => r.readUInt32BE(4) === xid));
        const offer = replies.find((r) => r.readUInt32BE(4) === xid)!;
        assert.equal(offer[0], 2, "BOOTREPLY");
        assert.deepEqual([...offer.subarray(16, 20)], [10, 99, 0, 11], "yiaddr = the SMD address");
        assert.deepEqual([...offer.subarray(20, 24)], [127, 0, 0, 1], "siaddr = server_id");
        assert.deepEqual(option(offer, 53), Buffer.from([2]), "OFFER");
        assert.equal(option(offer, 12)?.toString(), "unknown-0001");
        assert.equal(option(offer, 67)?.toString(), "ipxe-x86_64.efi");
      } finally {
        relay.off("message", collect);
      }

      const metrics = await (await fetch(`http://127.0.0.1:${dhcp.httpPort}/metrics`)).text();
      assert.match(metrics, /^dhcp_replies_total\{type="OFFER"\} 1$/m);
    } finally {
      await dhcp.stop();
    }
  });

  test("a bad configuration file fails fast with one line on stderr", async () => {
    const config = join(dir, "bad.yaml");
    writeFileSync(
      config,
      "server4:\n  server_id: 127.0.0.1\n  coresmd:\n    ipxe_base_uri: http://127.0.0.1:8081\n    subnet: 10.0.0.0/24\n",
    );
    const result = await runCli(["dhcp", "--config", config, "--svc-base-uri", smd.url, "--port", "0"]);
    assert.equal(result.code, 1);
    const lines = result.stderr.trim().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /^openchami: .*subnet/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  });

  test("without svc_base_uri it says what is missing", async () => {
    const result = await runCli(["dhcp", ...flags()]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr.trim(),
      "openchami: DHCP: coresmd svc_base_uri (or --svc-base-uri) is required when SMD does not run here",
    );
  });

  test("a missing server id is named", async () => {
    const result = await runCli([
      "dhcp",
      "--ipxe-base-uri",
      "http://127.0.0.1:8081",
      "--svc-base-uri",
      smd.url,
      "--port",
      "0",
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stderr.trim(), /^openchami: .*server_id is required/);
  });
});
