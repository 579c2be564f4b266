import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { test } from "node:test";
import { silentLogger } from "@openchami/core";
import { createMetrics } from "@openchami/http";
import * as dnsPacket from "dns-packet";
import fc from "fast-check";
import { DnsHandler, dnsCounters } from "./handler.ts";
import { buildDnsRecords } from "./records.ts";
import { DnsServer } from "./server.ts";
import { type TestHost, TestHostSource, testHostView } from "./test-hosts.ts";

const HOSTS: TestHost[] = [{ mac: "02:00:00:00:00:01", xname: "x1000c0s0b0n0", nid: 1, ipv4: ["10.0.0.1"] }];
const zones = [{ name: "cluster.local", nodes: "nid{04d}" }];

function handlerWithRecords(): DnsHandler {
  const handler = new DnsHandler({
    zones,
    ttl: 60,
    forwarder: undefined,
    counters: dnsCounters(createMetrics()),
  });
  handler.records = buildDnsRecords(testHostView(HOSTS), zones);
  return handler;
}

/** The length of the first question when its name is plain labels; undefined when compressed or cut. */
function plainQuestionLength(query: Buffer): number | undefined {
  let offset = 12;
  while (offset < query.length) {
    const length = query[offset]!;
    if (length === 0) return offset + 5 <= query.length ? offset + 5 - 12 : undefined;
    if (length > 63) return undefined;
    offset += 1 + length;
  }
  return undefined;
}

/** A header announcing one question, then the given question bytes. */
function queryWith(id: number, flags: number, question: Uint8Array): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(flags & 0x7fff, 2);
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, question]);
}

test("random bytes never make the handler throw; any reply is a decodable response to that id", async () => {
  const handler = handlerWithRecords();
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
      const query = Buffer.from(bytes);
      const reply = await handler.handle(query, "udp");
      if (reply === undefined) return;
      const decoded = dnsPacket.decode(reply);
      assert.equal(decoded.type, "response");
      assert.equal(decoded.id, query.readUInt16BE(0));
    }),
    { numRuns: 3000 },
  );
});

test("a reply's question is the asked one byte for byte, or absent (FORMERR)", async () => {
  const handler = handlerWithRecords();
  const label = fc.oneof(
    fc.constantFrom("nid0001", "NID0001", "cluster", "local", "x1000c0s0b0n0", "in-addr", "arpa", "10", "1"),
    fc.string({ maxLength: 70 }),
    fc.uint8Array({ maxLength: 70 }).map((bytes) => Buffer.from(bytes).toString("latin1")),
  );
  const question = fc
    .record({
      labels: fc.array(label, { maxLength: 6 }),
      type: fc.integer({ min: 0, max: 0xffff }),
      klass: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 0xffff })),
    })
    .map(({ labels, type, klass }) => {
      // Raw length bytes: over 63 they read as compression pointers or bad labels.
      const parts = labels.map((l) => {
        const bytes = Buffer.from(l, "utf8");
        return Buffer.concat([Buffer.from([bytes.length & 0xff]), bytes]);
      });
      const tail = Buffer.alloc(5);
      tail.writeUInt16BE(type, 1);
      tail.writeUInt16BE(klass, 3);
      return Buffer.concat([...parts, tail]);
    });
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 0xffff }),
      question,
      async (id, flags, q) => {
        const query = queryWith(id, flags, q);
        const reply = await handler.handle(query, "tcp");
        assert.ok(reply, "a readable query header always gets a reply");
        assert.equal(reply.readUInt16BE(0), id);
        if (reply.readUInt16BE(4) === 0) return;
        const length = plainQuestionLength(query);
        assert.ok(length !== undefined, "compressed or cut questions are not echoed");
        assert.deepEqual(reply.subarray(12, 12 + length), query.subarray(12, 12 + length));
      },
    ),
    { numRuns: 3000 },
  );
});

test("the UDP server keeps answering after a burst of random datagrams", async () => {
  const hosts = new TestHostSource();
  hosts.load(HOSTS);
  const metrics = createMetrics();
  const server = new DnsServer({
    listen: [{ host: "127.0.0.1", port: 0 }],
    zones,
    ttl: 60,
    forward: [],
    hosts,
    logger: silentLogger(),
    metrics,
  });
  await server.start();
  const client = createSocket("udp4");
  try {
    const port = server.ports()[0]!;
    const asked = dnsPacket.encode({
      type: "query",
      id: 4242,
      questions: [{ type: "A", name: "nid0001.cluster.local" }],
    });
    const base = dnsPacket.encode({
      type: "query",
      id: 7,
      questions: [{ type: "A", name: "nid0001.cluster.local" }],
    });
    const mutated = fc
      .array(fc.record({ at: fc.nat(base.length - 1), value: fc.nat(255) }), { minLength: 1, maxLength: 8 })
      .map((edits) => {
        const copy = Buffer.from(base);
        for (const { at, value } of edits) copy[at] = value;
        return copy;
      });
    const datagrams = fc.sample(fc.oneof(fc.uint8Array({ maxLength: 512, size: "max" }), mutated), 400);
    for (const bytes of datagrams) {
      await new Promise<void>((resolve) => client.send(bytes, port, "127.0.0.1", () => resolve()));
      await new Promise((resolve) => setImmediate(resolve)); // let the server read: UDP queues are short
    }
    // UDP may lose a datagram under this burst: ask again until answered.
    const answer = await new Promise<dnsPacket.DecodedPacket>((resolve, reject) => {
      const retry = setInterval(() => client.send(asked, port, "127.0.0.1"), 200);
      const deadline = setTimeout(() => {
        clearInterval(retry);
        reject(new Error("the server stopped answering after the fuzz burst"));
      }, 20_000);
      client.on("message", (reply) => {
        if (reply.length < 12 || reply.readUInt16BE(0) !== 4242 || reply.readUInt16BE(6) === 0) return;
        clearInterval(retry);
        clearTimeout(deadline);
        resolve(dnsPacket.decode(reply));
      });
      client.send(asked, port, "127.0.0.1");
    });
    assert.deepEqual(
      answer.answers?.map((a) => ("data" in a ? a.data : undefined)),
      ["10.0.0.1"],
    );
    assert.match(metrics.render(), /dns_requests_total\{rcode="FORMERR"\} [1-9]/);
  } finally {
    client.close();
    await server.close();
  }
});
