import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { silentLogger } from "@openchami/core";
import { createMetrics, type Metrics } from "@openchami/http";
import * as dnsPacket from "dns-packet";
import { DnsServer, type DnsServerOptions } from "./server.ts";
import { type TestHost, TestHostSource } from "./test-hosts.ts";

const digMissing = spawnSync("dig", ["-v"]).error
  ? "dig is not installed (Debian package dnsutils)"
  : undefined;
const run = promisify(execFile);

const HOSTS: TestHost[] = [
  { mac: "02:00:00:00:00:01", xname: "x1000c0s0b0n0", nid: 1, ipv4: ["10.0.0.1"] },
  { mac: "02:00:00:00:00:02", xname: "x1000c0s0b1n0", nid: 2, ipv4: ["10.0.0.2"], enabled: false },
  { mac: "02:00:00:00:01:00", xname: "x1000c0s0b0", type: "NodeBMC", ipv4: ["10.0.1.1"] },
];
const CLUSTER = { name: "cluster.local", nodes: "nid{04d}" };

async function dig(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run("dig", ["@127.0.0.1", "-p", String(port), "+time=3", "+tries=1", ...args]);
  return stdout;
}

function status(output: string): string | undefined {
  return /status: (\w+)/.exec(output)?.[1];
}

function headerFlags(output: string): string[] {
  return /flags: ([^;]*);/.exec(output)?.[1]?.trim().split(" ") ?? [];
}

function sourceWith(hosts: readonly TestHost[] | undefined): TestHostSource {
  const source = new TestHostSource();
  if (hosts) source.load(hosts);
  return source;
}

async function startServer(
  options: Partial<DnsServerOptions> & { hosts: DnsServerOptions["hosts"] },
): Promise<{ server: DnsServer; port: number; metrics: Metrics }> {
  const metrics = createMetrics();
  const server = new DnsServer({
    listen: [{ host: "127.0.0.1", port: 0 }],
    zones: [CLUSTER],
    ttl: 60,
    forward: [],
    logger: silentLogger(),
    metrics,
    ...options,
  });
  await server.start();
  return { server, port: server.ports()[0]!, metrics };
}

function counterValue(metrics: Metrics, series: string): number {
  const line = metrics
    .render()
    .split("\n")
    .find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(" ")[1]) : 0;
}

describe("DNS server answering dig", { skip: digMissing }, () => {
  let server: DnsServer;
  let port: number;
  let metrics: Metrics;

  before(async () => {
    ({ server, port, metrics } = await startServer({ hosts: sourceWith(HOSTS), tcpIdleTimeoutMs: 300 }));
  });
  after(() => server.close());

  test("ports() and addresses() report the bound listener", () => {
    assert.ok(port > 0);
    assert.deepEqual(server.addresses(), [{ host: "127.0.0.1", port }]);
  });

  test("A over UDP and TCP for pattern names, xnames, BMCs and disabled nodes", async () => {
    for (const transport of ["+notcp", "+tcp"]) {
      assert.equal(await dig(port, transport, "+short", "nid0001.cluster.local"), "10.0.0.1\n");
      assert.equal(await dig(port, transport, "+short", "x1000c0s0b0n0.cluster.local"), "10.0.0.1\n");
      assert.equal(await dig(port, transport, "+short", "x1000c0s0b0.cluster.local"), "10.0.1.1\n");
      assert.equal(await dig(port, transport, "+short", "nid0002.cluster.local"), "10.0.0.2\n");
    }
  });

  test("answers are authoritative, carry the TTL and echo the name's case", async () => {
    const output = await dig(port, "NID0001.Cluster.LOCAL");
    assert.equal(status(output), "NOERROR");
    assert.ok(headerFlags(output).includes("aa"), output);
    assert.match(output, /^NID0001\.Cluster\.LOCAL\.\s+60\s+IN\s+A\s+10\.0\.0\.1$/m);
  });

  test("PTR over UDP and TCP names the xname in the first zone", async () => {
    assert.equal(await dig(port, "+short", "-x", "10.0.0.1"), "x1000c0s0b0n0.cluster.local.\n");
    assert.equal(await dig(port, "+tcp", "+short", "-x", "10.0.1.1"), "x1000c0s0b0.cluster.local.\n");
    assert.equal(status(await dig(port, "-x", "10.9.9.9")), "NXDOMAIN");
  });

  test("an unknown name in the zone is NXDOMAIN with the zone's SOA", async () => {
    for (const transport of ["+notcp", "+tcp"]) {
      const output = await dig(port, transport, "nid0099.cluster.local");
      assert.equal(status(output), "NXDOMAIN");
      assert.ok(headerFlags(output).includes("aa"), output);
      assert.match(
        output,
        /AUTHORITY SECTION:\ncluster\.local\.\s+60\s+IN\s+SOA\s+ns\.cluster\.local\. hostmaster\.cluster\.local\. 1 3600 600 86400 60/,
      );
    }
  });

  test("another type for a known name is NODATA with the SOA", async () => {
    const output = await dig(port, "AAAA", "nid0001.cluster.local");
    assert.equal(status(output), "NOERROR");
    assert.match(output, /ANSWER: 0,/);
    assert.match(output, /AUTHORITY SECTION:\ncluster\.local\.\s+60\s+IN\s+SOA/);
  });

  test("names outside the zones are refused without forwarders", async () => {
    const output = await dig(port, "example.com");
    assert.equal(status(output), "REFUSED");
    assert.ok(!headerFlags(output).includes("aa"));
  });

  test("several framed queries on one TCP connection, split anyhow, all get answers", async () => {
    const queries = [11, 12, 13].map((id, i) =>
      dnsPacket.streamEncode({
        type: "query",
        id,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [
          {
            type: i === 2 ? "PTR" : "A",
            name: ["nid0001.cluster.local", "nope.cluster.local", "1.0.0.10.in-addr.arpa"][i]!,
          },
        ],
      }),
    );
    const bytes = Buffer.concat(queries);
    const socket = connect(port, "127.0.0.1");
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    const replies = new Promise<Map<number, dnsPacket.DecodedPacket>>((resolve) => {
      let received = Buffer.alloc(0);
      const byId = new Map<number, dnsPacket.DecodedPacket>();
      socket.on("data", (chunk) => {
        received = Buffer.concat([received, chunk]);
        while (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
          const end = 2 + received.readUInt16BE(0);
          const reply = dnsPacket.decode(received.subarray(2, end));
          byId.set(reply.id!, reply);
          received = received.subarray(end);
        }
        if (byId.size === 3) resolve(byId);
      });
    });
    socket.write(bytes.subarray(0, 1));
    socket.write(bytes.subarray(1, 30));
    socket.write(bytes.subarray(30));
    const byId = await replies;
    const data = (id: number) => byId.get(id)?.answers?.map((a) => ("data" in a ? a.data : undefined));
    assert.deepEqual(data(11), ["10.0.0.1"]);
    assert.equal(byId.get(12)!.flags! & 0x0f, 3, "NXDOMAIN");
    assert.deepEqual(data(13), ["x1000c0s0b0n0.cluster.local"]);
    await closed; // the idle timeout ends the connection
  });

  test("metrics count replies by rcode, drops by reason, and the records", async () => {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) =>
      socket.send(Buffer.from([1, 2, 3]), port, "127.0.0.1", () => resolve()),
    );
    socket.close();
    await dig(port, "+short", "nid0001.cluster.local"); // the short datagram came first
    assert.ok(counterValue(metrics, 'dns_dropped_total{reason="short"}') >= 1);
    assert.ok(counterValue(metrics, 'dns_requests_total{rcode="NOERROR"}') >= 1);
    assert.ok(counterValue(metrics, 'dns_requests_total{rcode="NXDOMAIN"}') >= 1);
    assert.ok(counterValue(metrics, 'dns_requests_total{rcode="REFUSED"}') >= 1);
    // 3 xnames + 2 node patterns, 3 addresses.
    assert.equal(counterValue(metrics, "dns_records"), 8);
  });
});

describe("DNS server inventory lifecycle", { skip: digMissing }, () => {
  test("SERVFAIL before the first load, then each new view is picked up", async () => {
    const source = sourceWith(undefined);
    const { server, port, metrics } = await startServer({ hosts: source });
    try {
      assert.equal(status(await dig(port, "nid0001.cluster.local")), "SERVFAIL");
      assert.equal(status(await dig(port, "+tcp", "-x", "10.0.0.1")), "SERVFAIL");
      assert.equal(counterValue(metrics, 'dns_requests_total{rcode="SERVFAIL"}'), 2);

      source.load(HOSTS);
      assert.equal(await dig(port, "+short", "nid0001.cluster.local"), "10.0.0.1\n");

      source.load([
        { mac: "02:00:00:00:00:01", xname: "x1000c0s0b0n0", nid: 1, ipv4: ["10.0.0.99"] },
        { mac: "02:00:00:00:00:03", xname: "x1000c0s0b0n1", nid: 1, ipv4: ["10.0.0.100"] },
      ]);
      assert.equal(await dig(port, "+short", "nid0001.cluster.local"), "10.0.0.99\n");
      assert.equal(await dig(port, "+short", "-x", "10.0.0.1"), "");
      assert.match(await dig(port, "+short", "SOA", "cluster.local"), / 2 3600 600 86400 60$/m);
      assert.equal(counterValue(metrics, "dns_name_conflicts_total"), 1);
    } finally {
      await server.close();
    }
  });
});

describe("DNS forwarding", { skip: digMissing }, () => {
  let upstream: Awaited<ReturnType<typeof startServer>>;
  const silent = createSocket("udp4");
  let silentPort: number;

  before(async () => {
    upstream = await startServer({
      hosts: sourceWith([{ mac: "02:00:00:00:00:07", xname: "x9000c0s0b0n0", nid: 7, ipv4: ["192.0.2.7"] }]),
      zones: [{ name: "upstream.test", nodes: "nid{04d}" }],
    });
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", () => resolve()));
    silentPort = silent.address().port;
  });
  after(async () => {
    await upstream.server.close();
    silent.close();
  });

  test("out-of-zone names are relayed to the forwarder, our own still answered locally", async () => {
    const front = await startServer({
      hosts: sourceWith(HOSTS),
      forward: [{ host: "127.0.0.1", port: upstream.port }],
    });
    try {
      for (const transport of ["+notcp", "+tcp"]) {
        const output = await dig(front.port, transport, "nid0007.upstream.test");
        assert.equal(status(output), "NOERROR");
        assert.match(output, /^nid0007\.upstream\.test\.\s+60\s+IN\s+A\s+192\.0\.2\.7$/m);
      }
      assert.equal(status(await dig(front.port, "nope.upstream.test")), "NXDOMAIN");
      assert.equal(await dig(front.port, "+short", "nid0001.cluster.local"), "10.0.0.1\n");
      assert.ok(headerFlags(await dig(front.port, "nid0001.cluster.local")).includes("ra"));
    } finally {
      await front.server.close();
    }
  });

  test("a silent forwarder is skipped for the next one, and all silent is SERVFAIL", async () => {
    const quiet = { host: "127.0.0.1", port: silentPort };
    const both = await startServer({
      hosts: sourceWith(HOSTS),
      forward: [quiet, { host: "127.0.0.1", port: upstream.port }],
      forwardTimeoutMs: 200,
    });
    const none = await startServer({ hosts: sourceWith(HOSTS), forward: [quiet], forwardTimeoutMs: 200 });
    try {
      assert.equal(await dig(both.port, "+short", "nid0007.upstream.test"), "192.0.2.7\n");
      assert.equal(status(await dig(none.port, "nid0007.upstream.test")), "SERVFAIL");
    } finally {
      await both.server.close();
      await none.server.close();
    }
  });
});
