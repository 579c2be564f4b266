import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { createMetrics, type Metrics } from "@openchami/http";
import { eventually } from "@openchami/testkit";
import { toNetascii } from "./netascii.ts";
import { decodeTftp, encodeAck, encodeRequest, type TftpPacket } from "./packet.ts";
import { TftpServer, type TftpServerOptions } from "./server.ts";
import { exchange, metricValue, serverOptions, tftpGet } from "./test-support.ts";

const MB = 1024 * 1024;
const big = randomBytes(MB);
const text = Buffer.from("#!ipxe\necho one\r\necho two\n\rend");
let root: string;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), "tftp-server-"));
  await writeFile(path.join(root, "big.bin"), big);
  await writeFile(path.join(root, "text.ipxe"), text);
  await writeFile(path.join(root, "small.bin"), Buffer.from("short file"));
  await writeFile(path.join(root, "config.ipxe"), "#!ipxe\necho from disk\n");
});

after(() => rm(root, { recursive: true, force: true }));

interface Running {
  server: TftpServer;
  metrics: Metrics;
  count: (name: string, labels?: Record<string, string>) => number;
}

async function withServer(overrides: Partial<TftpServerOptions>, run: (s: Running) => Promise<void>) {
  const metrics = createMetrics();
  const server = new TftpServer(serverOptions(root, { maxBlksize: 65464, metrics, ...overrides }));
  await server.start();
  try {
    await run({ server, metrics, count: (name, labels) => metricValue(metrics, name, labels) });
  } finally {
    await server.close();
  }
}

/** The server counts a transfer when the final ACK arrives, just after the client is done. */
async function settled(count: Running["count"], result: string, expected = 1) {
  await eventually(async () => count("tftp_transfers_total", { result }) === expected);
  assert.equal(count("tftp_transfers_active"), 0);
}

test("1 MB with default 512-byte blocks, from a per-transfer port", () =>
  withServer({}, async ({ server, count }) => {
    const result = await tftpGet(server.port, "big.bin");
    assert.equal(result.outcome, "done");
    assert.ok(result.data.equals(big));
    assert.equal(result.oack, undefined);
    assert.equal(result.blocks, MB / 512 + 1);
    assert.equal(result.lastBlockSize, 0, "a size that is a multiple of blksize ends with an empty block");
    assert.notEqual(result.tid?.port, server.port);
    await settled(count, "done");
  }));

test("blksize 1468, windowsize 8 and tsize are negotiated by OACK", () =>
  withServer({ maxBlksize: 1468 }, async ({ server, count }) => {
    const sized = await tftpGet(server.port, "big.bin", { options: { blksize: "9000", tsize: "0" } });
    assert.ok(sized.data.equals(big));
    assert.deepEqual(
      sized.oack,
      new Map([
        ["blksize", "1468"],
        ["tsize", String(MB)],
      ]),
    );
    assert.equal(sized.blocks, Math.floor(MB / 1468) + 1);

    const windowed = await tftpGet(server.port, "big.bin", { options: { windowsize: "8", blksize: "1468" } });
    assert.ok(windowed.data.equals(big));
    assert.equal(windowed.oack?.get("windowsize"), "8");
    await settled(count, "done", 2);
  }));

test("netascii converts line ends and tsize counts the converted bytes", () =>
  withServer({}, async ({ server }) => {
    const result = await tftpGet(server.port, "text.ipxe", { mode: "NetASCII", options: { tsize: "0" } });
    const expected = toNetascii(text);
    assert.ok(result.data.equals(expected));
    assert.equal(result.oack?.get("tsize"), String(expected.length));
    assert.ok(expected.length > text.length);
  }));

test("block numbers wrap past 65535 (blksize 8, 600,000 bytes)", () =>
  withServer({}, async ({ server, count }) => {
    const data = randomBytes(600_000);
    await writeFile(path.join(root, "wrap.bin"), data);
    const result = await tftpGet(server.port, "wrap.bin", { options: { blksize: "8", windowsize: "8" } });
    assert.equal(result.outcome, "done");
    assert.equal(result.blocks, 75_001);
    assert.ok(result.data.equals(data));
    await settled(count, "done");
  }));

test("refusals: WRQ → ERROR 2, unknown mode → ERROR 4, missing → ERROR 1, traversal → ERROR 2", () =>
  withServer({}, async ({ server, count }) => {
    const cases: [string, Parameters<typeof tftpGet>[2], number][] = [
      ["upload.bin", { op: "wrq" }, 2],
      ["small.bin", { mode: "mail" }, 4],
      ["nothing-here", {}, 1],
      ["../etc/passwd", {}, 2],
      ["/etc/passwd", {}, 2],
    ];
    for (const [name, opts, code] of cases) {
      const result = await tftpGet(server.port, name, opts);
      assert.equal(result.outcome, "error", name);
      assert.equal(result.error?.code, code, name);
    }
    assert.equal(count("tftp_transfers_total", { result: "refused" }), 5);
    assert.equal(count("tftp_errors_sent_total", { code: "2" }), 3);
    assert.equal(count("tftp_errors_sent_total", { code: "4" }), 1);
    assert.equal(count("tftp_errors_sent_total", { code: "1" }), 1);
    assert.equal(count("tftp_transfers_active"), 0);
  }));

test("a packet from a foreign TID gets ERROR 5 and the transfer completes", () =>
  withServer({}, async ({ server, count }) => {
    let answer: TftpPacket | undefined;
    const result = await tftpGet(server.port, "big.bin", {
      onFirstReply: async (tid) => {
        answer = await exchange(tid.port, encodeAck(1));
      },
    });
    assert.deepEqual(answer && { op: answer.op, code: answer.op === "error" && answer.code }, {
      op: "error",
      code: 5,
    });
    assert.ok(result.data.equals(big));
    assert.equal(count("tftp_errors_sent_total", { code: "5" }), 1);
    await settled(count, "done");
  }));

test("a lost packet is recovered by a retransmission after the timeout", () =>
  withServer({ timeoutMs: 100 }, async ({ server }) => {
    const result = await tftpGet(server.port, "small.bin", { ignoreFirstData: true, timeoutMs: 10_000 });
    assert.equal(result.data.toString(), "short file");
    assert.ok(result.dataPackets > result.blocks, "DATA 1 was sent again");
  }));

test("duplicate ACKs never cause duplicate sends (lock-step and windowed)", () =>
  withServer({ timeoutMs: 30_000 }, async ({ server }) => {
    const windows: Record<string, string>[] = [{}, { windowsize: "4" }];
    for (const options of windows) {
      const result = await tftpGet(server.port, "big.bin", { duplicateAcks: true, options });
      assert.ok(result.data.equals(big));
      assert.equal(result.dataPackets, result.blocks, JSON.stringify(options));
    }
  }));

test("a client that stops acknowledging is abandoned after `retries` retransmissions", () =>
  withServer({ timeoutMs: 20, retries: 2 }, async ({ server, count }) => {
    const stop = new AbortController();
    const pending = tftpGet(server.port, "big.bin", { ackLimit: 0, signal: stop.signal });
    await settled(count, "failed");
    stop.abort();
    const result = await pending;
    assert.equal(result.dataPackets, 3, "the first DATA 1 and two retransmissions");
  }));

test("a client ERROR aborts the transfer", () =>
  withServer({ timeoutMs: 30_000 }, async ({ server, count }) => {
    const socket = createSocket("udp4");
    try {
      const first = new Promise<{ port: number }>((resolve) =>
        socket.once("message", (_, rinfo) => resolve(rinfo)),
      );
      await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
      socket.send(
        encodeRequest("rrq", "big.bin", "octet", new Map([["tsize", "0"]])),
        server.port,
        "127.0.0.1",
      );
      const tid = await first;
      socket.send(Buffer.from("\0\x05\0\x08tsize too big\0", "latin1"), tid.port, "127.0.0.1");
      await settled(count, "aborted");
    } finally {
      socket.close();
    }
  }));

test("beyond maxTransfers new requests are dropped and counted", () =>
  withServer({ maxTransfers: 1, timeoutMs: 30_000 }, async ({ server, count }) => {
    const stop = new AbortController();
    const holder = tftpGet(server.port, "small.bin", { ackLimit: 0, signal: stop.signal });
    await eventually(async () => count("tftp_transfers_active") === 1);
    const refused = await tftpGet(server.port, "small.bin", { timeoutMs: 200, retries: 1 });
    assert.equal(refused.outcome, "timeout");
    assert.equal(refused.dataPackets, 0);
    assert.equal(count("tftp_dropped_total", { reason: "busy" }), 2, "the request and its retransmission");
    stop.abort();
    await holder;
  }));

test("a repeated RRQ from a peer with an active transfer is ignored", () =>
  withServer({}, async ({ server, count }) => {
    const socket = createSocket("udp4");
    const received: TftpPacket[] = [];
    try {
      socket.on("message", (msg, rinfo) => {
        const packet = decodeTftp(msg);
        if (packet) received.push(packet);
        if (packet?.op === "data") socket.send(encodeAck(packet.block), rinfo.port, "127.0.0.1");
      });
      await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
      const rrq = encodeRequest("rrq", "small.bin", "octet");
      socket.send(rrq, server.port, "127.0.0.1");
      socket.send(rrq, server.port, "127.0.0.1");
      await settled(count, "done");
      assert.equal(count("tftp_dropped_total", { reason: "duplicate" }), 1);
      assert.equal(received.length, 1);
    } finally {
      socket.close();
    }
  }));

test("malformed datagrams are dropped and counted; the server keeps serving", () =>
  withServer({}, async ({ server, count }) => {
    for (const junk of ["", "\0", "\0\x09abc", "\0\x01no-terminator"]) {
      assert.equal(await exchange(server.port, Buffer.from(junk), 100), undefined);
    }
    assert.equal(count("tftp_dropped_total", { reason: "malformed" }), 4);
    const result = await tftpGet(server.port, "small.bin");
    assert.equal(result.data.toString(), "short file");
  }));

test("single-port mode answers from the listening port and demultiplexes clients", () =>
  withServer({ singlePort: true }, async ({ server, count }) => {
    const results = await Promise.all([
      tftpGet(server.port, "big.bin"),
      tftpGet(server.port, "big.bin", { options: { blksize: "1468", windowsize: "4" } }),
      tftpGet(server.port, "small.bin"),
    ]);
    for (const result of results) assert.equal(result.tid?.port, server.port);
    assert.ok(results[0]!.data.equals(big));
    assert.ok(results[1]!.data.equals(big));
    assert.equal(results[2]!.data.toString(), "short file");
    await settled(count, "done", 3);
  }));

test("single-port mode: a stray ACK from an unknown peer gets ERROR 5", () =>
  withServer({ singlePort: true }, async ({ server }) => {
    const answer = await exchange(server.port, encodeAck(3));
    assert.equal(answer?.op === "error" && answer.code, 5);
  }));

test("generated files are served ahead of the disk, by normalised name", () => {
  const calls: [string, string][] = [];
  const generate: TftpServerOptions["generate"] = (name, client) => {
    calls.push([name, client.address]);
    return name === "config.ipxe" ? Buffer.from(`#!ipxe\necho generated for ${client.address}\n`) : undefined;
  };
  return withServer({ generate }, async ({ server }) => {
    const generated = await tftpGet(server.port, "./config.ipxe");
    assert.equal(generated.data.toString(), "#!ipxe\necho generated for 127.0.0.1\n");
    const fromDisk = await tftpGet(server.port, "small.bin");
    assert.equal(fromDisk.data.toString(), "short file");
    const traversal = await tftpGet(server.port, "../config.ipxe");
    assert.equal(traversal.error?.code, 2);
    assert.deepEqual(calls, [
      ["config.ipxe", "127.0.0.1"],
      ["small.bin", "127.0.0.1"],
    ]);
  });
});

test("close() aborts running transfers", async () => {
  const metrics = createMetrics();
  const server = new TftpServer(serverOptions(root, { timeoutMs: 30_000, metrics }));
  await server.start();
  const stop = new AbortController();
  const client = tftpGet(server.port, "big.bin", { ackLimit: 0, signal: stop.signal });
  await eventually(async () => metricValue(metrics, "tftp_transfers_active") === 1);
  await server.close();
  stop.abort();
  await client;
  assert.equal(metricValue(metrics, "tftp_transfers_total", { result: "aborted" }), 1);
  assert.equal(metricValue(metrics, "tftp_transfers_active"), 0);
});

test("start() rejects when the port is taken", () =>
  withServer({}, async ({ server }) => {
    const second = new TftpServer(serverOptions(root, { port: server.port }));
    await assert.rejects(second.start(), /EADDRINUSE/);
  }));
