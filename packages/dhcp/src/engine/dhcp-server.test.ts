import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "@openchami/core";
import { eventually } from "@openchami/testkit";
import fc from "fast-check";
import { decodePacket, encodePacket } from "../dhcp/codec.ts";
import { type DhcpPacket, type DhcpRequest, MessageType, Option } from "../dhcp/message.ts";
import { formatIpv4 } from "../ip.ts";
import { DhcpServer, dhcpCounters } from "./dhcp-server.ts";
import { DhcpEngine, type Reply, type Silence } from "./engine.ts";
import {
  dhcpRequest,
  type EngineFixture,
  engineFixture,
  inventory,
  nic,
  node,
  type RequestFields,
  requestPacket,
} from "./test-support.ts";

const KNOWN = "52:54:00:be:ef:01";
/** MACs the test engine misbehaves for. */
const THROWS = "52:54:00:00:0b:01";
const REJECTS = "52:54:00:00:0b:02";
const WAITS = "52:54:00:00:0b:03";

const DATA = inventory([node("x1000c0s0b0n0", 1)], [nic(KNOWN, "x1000c0s0b0n0", "10.0.0.11")]);

const YAML = `server4:
  listen: ["127.0.0.1:0"]
  server_id: 127.0.0.1
  coresmd:
    ipxe_base_uri: http://127.0.0.1:8081
    rule: ["type:Node,hostname:nid{04d}"]
`;

/** The real engine, except for a few MACs: a throw, a rejection, and an answer the test releases. */
class MisbehavingEngine extends DhcpEngine {
  release: ((outcome: Reply | Silence) => void) | undefined;

  override handle(request: DhcpRequest): Reply | Silence | Promise<Reply | Silence> {
    if (request.mac === THROWS) throw new Error("engine bug");
    if (request.mac === REJECTS) return Promise.reject(new Error("lease store down"));
    if (request.mac === WAITS) {
      return new Promise((resolve) => {
        this.release = resolve;
      });
    }
    return super.handle(request);
  }
}

/** A UDP socket standing in for a relay: collects what the server sends it. */
class Relay {
  readonly socket: Socket = createSocket("udp4");
  readonly received: DhcpPacket[] = [];

  async bind(): Promise<number> {
    this.socket.on("message", (buf) => {
      const packet = decodePacket(buf);
      if (typeof packet !== "string") this.received.push(packet);
    });
    await new Promise<void>((resolve) => this.socket.bind(0, "127.0.0.1", resolve));
    return this.socket.address().port;
  }

  send(buf: Buffer | Uint8Array, port: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(buf, port, "127.0.0.1", (err) => (err ? reject(err) : resolve())),
    );
  }

  /** Waits for the reply with this xid. */
  async reply(xid: number): Promise<DhcpPacket> {
    let found: DhcpPacket | undefined;
    await eventually(async () => {
      found = this.received.find((p) => p.xid === xid);
      return found !== undefined;
    });
    return found!;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

function relayed(type: number, mac: string, xid: number, fields: RequestFields = {}): Buffer {
  return encodePacket(requestPacket(type, mac, { giaddr: "127.0.0.1", xid, ...fields }));
}

/** A counter's value in the exposition, 0 when the series is absent. */
function counter(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** The sum of a counter family over its labels. */
function family(text: string, name: string): number {
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

describe("DhcpServer on 127.0.0.1", () => {
  let fixture: EngineFixture;
  let engine: MisbehavingEngine;
  let server: DhcpServer;
  let relay: Relay;
  let port: number;
  let xid = 1;
  const metrics = () => fixture.metrics.render();

  before(async () => {
    relay = new Relay();
    const relayPort = await relay.bind();
    const flags = { "relay-port": String(relayPort), "client-port": String(relayPort) };
    fixture = await engineFixture(YAML, DATA, { flags });
    const { config, hosts, metrics } = fixture;
    const counters = dhcpCounters(metrics);
    engine = new MisbehavingEngine({ config, hosts, bootloop: undefined, logger: silentLogger(), counters });
    server = new DhcpServer({ listen: config.listen, engine, logger: silentLogger(), metrics }, counters);
    await server.start();
    [port] = server.ports() as [number];
  });

  after(async () => {
    await server.close();
    await relay.close();
    await fixture.close();
  });

  async function discoverAnswered(): Promise<DhcpPacket> {
    const id = xid++;
    await relay.send(relayed(MessageType.DISCOVER, KNOWN, id), port);
    return relay.reply(id);
  }

  test("a relayed DISCOVER is answered on the relay port with the SMD address", async () => {
    const offer = await discoverAnswered();
    assert.equal(offer.op, 2);
    assert.equal(offer.options.get(Option.MESSAGE_TYPE)?.[0], MessageType.OFFER);
    assert.equal(formatIpv4(offer.yiaddr), "10.0.0.11");
    assert.equal(formatIpv4(offer.giaddr), "127.0.0.1");
    await eventually(async () => counter(metrics(), 'dhcp_replies_total{type="OFFER"}') >= 1);
    assert.ok(counter(metrics(), 'dhcp_packets_total{type="DISCOVER"}') >= 1);
  });

  test("silence is counted by reason", async () => {
    const unknownBefore = counter(metrics(), 'dhcp_unanswered_total{reason="unknown"}');
    await relay.send(relayed(MessageType.DISCOVER, "52:54:00:00:00:99", xid++), port);
    await eventually(
      async () => counter(metrics(), 'dhcp_unanswered_total{reason="unknown"}') === unknownBefore + 1,
    );
  });

  test("malformed datagrams are dropped and counted by reason; the server keeps answering", async () => {
    const valid = () => requestPacket(MessageType.DISCOVER, KNOWN, { giaddr: "127.0.0.1" });
    const badCookie = encodePacket(valid());
    badCookie.writeUInt32BE(0xdeadbeef, 236);
    const noType = valid();
    noType.options.delete(Option.MESSAGE_TYPE);
    const cases: [string, Buffer][] = [
      ["size", Buffer.alloc(100)],
      ["size", Buffer.alloc(5000)],
      ["cookie", badCookie],
      ["op", encodePacket({ ...valid(), op: 2 })],
      ["hardware", encodePacket({ ...valid(), htype: 6 })],
      ["hardware", encodePacket({ ...valid(), hlen: 20 })],
      ["message_type", encodePacket(noType)],
      [
        "option_overrun",
        Buffer.concat([encodePacket(valid()).subarray(0, 240), Buffer.from([53, 1, 1, 12, 40])]),
      ],
    ];
    const before = metrics();
    for (const [, buf] of cases) await relay.send(buf, port);
    const expected = new Map<string, number>();
    for (const [reason] of cases) expected.set(reason, (expected.get(reason) ?? 0) + 1);
    await eventually(async () => {
      const now = metrics();
      return [...expected].every(
        ([reason, n]) =>
          counter(now, `dhcp_dropped_total{reason="${reason}"}`) ===
          counter(before, `dhcp_dropped_total{reason="${reason}"}`) + n,
      );
    });
    assert.equal((await discoverAnswered()).options.get(Option.MESSAGE_TYPE)?.[0], MessageType.OFFER);
  });

  test("random datagrams: each is dropped or handled, never a crash", async () => {
    const header = encodePacket(requestPacket(MessageType.DISCOVER, KNOWN, { giaddr: "127.0.0.1" })).subarray(
      0,
      240,
    );
    const datagrams = fc.sample(
      fc.oneof(
        fc.uint8Array({ minLength: 0, maxLength: 700 }),
        // A plausible header and cookie, then random options: deeper into the parser.
        fc
          .uint8Array({ minLength: 0, maxLength: 400 })
          .map((options) => Buffer.concat([header, Buffer.from([53, 1, 1]), options])),
      ),
      { numRuns: 300, seed: 20300101 },
    );
    const seen = (text: string) => family(text, "dhcp_dropped_total") + family(text, "dhcp_packets_total");
    // In batches: the server shares this process, and a burst would overflow its receive buffer.
    for (let at = 0; at < datagrams.length; at += 25) {
      const batch = datagrams.slice(at, at + 25);
      const before = seen(metrics());
      for (const datagram of batch) await relay.send(datagram, port);
      await eventually(async () => seen(metrics()) === before + batch.length);
    }
    assert.equal((await discoverAnswered()).yiaddr !== 0, true);
  });

  test("an engine that throws or rejects is counted as internal and the server goes on", async () => {
    const before = counter(metrics(), 'dhcp_dropped_total{reason="internal"}');
    await relay.send(relayed(MessageType.DISCOVER, THROWS, xid++), port);
    await relay.send(relayed(MessageType.REQUEST, REJECTS, xid++), port);
    await eventually(async () => counter(metrics(), 'dhcp_dropped_total{reason="internal"}') === before + 2);
    assert.equal(formatIpv4((await discoverAnswered()).yiaddr), "10.0.0.11");
  });
});

test("a reply that outlives the socket (shutdown during a lease write) is a send error, not a crash", async () => {
  const relay = new Relay();
  const relayPort = await relay.bind();
  const fixture = await engineFixture(YAML, DATA, { flags: { "relay-port": String(relayPort) } });
  try {
    const { config, hosts, metrics } = fixture;
    const counters = dhcpCounters(metrics);
    const engine = new MisbehavingEngine({
      config,
      hosts,
      bootloop: undefined,
      logger: silentLogger(),
      counters,
    });
    const server = new DhcpServer(
      { listen: config.listen, engine, logger: silentLogger(), metrics },
      counters,
    );
    await server.start();
    await relay.send(relayed(MessageType.REQUEST, WAITS, 7), server.ports()[0]!);
    await eventually(async () => engine.release !== undefined);
    await server.close();
    engine.release!(
      await fixture.engine.handle(dhcpRequest(MessageType.DISCOVER, KNOWN, { giaddr: "127.0.0.1" })),
    );
    await eventually(async () => family(metrics.render(), "dhcp_send_errors_total") === 1);
    assert.match(metrics.render(), /dhcp_send_errors_total\{code="ERR_SOCKET_DGRAM_NOT_RUNNING"\} 1/);
  } finally {
    await relay.close();
    await fixture.close();
  }
});
