import { createSocket, type Socket } from "node:dgram";
import { silentLogger } from "@openchami/core";
import { createMetrics, type Metrics } from "@openchami/http";
import { decodeTftp, encodeAck, encodeRequest, type TftpPacket } from "./packet.ts";
import type { TftpServerOptions } from "./server.ts";

/** A small TFTP client for tests, with knobs to misbehave (lose, repeat or withhold packets). */

export interface GetOptions {
  op?: "rrq" | "wrq";
  mode?: string;
  options?: Record<string, string>;
  /** Silence after which the client repeats its last packet (default 2 s). */
  timeoutMs?: number;
  /** Repeats before giving up with outcome "timeout" (default 5). */
  retries?: number;
  /** Pretend the first DATA 1 was lost. */
  ignoreFirstData?: boolean;
  /** Send every ACK twice. */
  duplicateAcks?: boolean;
  /** Stop acknowledging after this many ACKs (0: never acknowledge). */
  ackLimit?: number;
  /** Awaited on the server's first reply, before it is processed. */
  onFirstReply?: (tid: Endpoint) => Promise<void> | void;
  signal?: AbortSignal;
}

export interface Endpoint {
  address: string;
  port: number;
}

export interface GetResult {
  outcome: "done" | "error" | "timeout" | "aborted";
  data: Buffer;
  error: { code: number; message: string } | undefined;
  oack: ReadonlyMap<string, string> | undefined;
  /** Where the server's replies came from. */
  tid: Endpoint | undefined;
  /** Distinct blocks received, the last (short) one included. */
  blocks: number;
  /** Every DATA received, repeats and ignored ones included. */
  dataPackets: number;
  lastBlockSize: number;
}

export function tftpGet(
  port: number,
  name: string,
  opts: GetOptions = {},
  host = "127.0.0.1",
): Promise<GetResult> {
  const socket = createSocket("udp4");
  const timeoutMs = opts.timeoutMs ?? 2000;
  const retries = opts.retries ?? 5;
  const chunks: Buffer[] = [];
  const result: GetResult = {
    outcome: "timeout",
    data: Buffer.alloc(0),
    error: undefined,
    oack: undefined,
    tid: undefined,
    blocks: 0,
    dataPackets: 0,
    lastBlockSize: 0,
  };
  let blksize = 512;
  let windowsize = 1;
  let sinceAck = 0;
  let acksSent = 0;
  let ignored = false;
  let attempts = 0;
  let finished = false;
  let lastSent = encodeRequest(
    opts.op ?? "rrq",
    name,
    opts.mode ?? "octet",
    new Map(Object.entries(opts.options ?? {})),
  );
  let target: Endpoint = { address: host, port };
  let queue = Promise.resolve();
  let lastSend = Promise.resolve();

  return new Promise<GetResult>((resolve) => {
    const timer = setInterval(() => {
      if (++attempts > retries) finish("timeout");
      else send(lastSent);
    }, timeoutMs);
    const onAbort = () => finish("aborted");
    opts.signal?.addEventListener("abort", onAbort);

    function finish(outcome: GetResult["outcome"]): void {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      result.outcome = outcome;
      result.data = Buffer.concat(chunks);
      // Close only once the last send (often the final ACK) has left the socket.
      lastSend.then(() => socket.close());
      resolve(result);
    }

    function send(packet: Buffer): void {
      if (finished) return;
      lastSent = packet;
      lastSend = new Promise((sent) => socket.send(packet, target.port, target.address, () => sent()));
    }

    function ack(block: number): void {
      if (opts.ackLimit !== undefined && acksSent >= opts.ackLimit) return;
      acksSent++;
      send(encodeAck(block));
      if (opts.duplicateAcks) send(encodeAck(block));
    }

    function onPacket(packet: TftpPacket): void {
      if (packet.op === "error") {
        result.error = { code: packet.code, message: packet.message };
        finish("error");
        return;
      }
      if (packet.op === "oack" && result.blocks === 0) {
        result.oack = packet.options;
        blksize = Number(packet.options.get("blksize") ?? 512);
        windowsize = Number(packet.options.get("windowsize") ?? 1);
        attempts = 0;
        ack(0);
        return;
      }
      if (packet.op !== "data") return;
      result.dataPackets++;
      if (opts.ignoreFirstData && !ignored && packet.block === 1) {
        ignored = true;
        return;
      }
      if (packet.block !== ((result.blocks + 1) & 0xffff)) return;
      attempts = 0;
      chunks.push(Buffer.from(packet.data));
      result.blocks++;
      result.lastBlockSize = packet.data.length;
      if (packet.data.length < blksize) {
        ack(packet.block);
        finish("done");
        return;
      }
      if (++sinceAck >= windowsize) {
        sinceAck = 0;
        ack(packet.block);
      }
    }

    socket.on("message", (msg, rinfo) => {
      // Packets are handled in order even while onFirstReply is pending.
      queue = queue.then(async () => {
        if (finished) return;
        if (!result.tid) {
          result.tid = { address: rinfo.address, port: rinfo.port };
          target = result.tid;
          await opts.onFirstReply?.(result.tid);
        } else if (rinfo.address !== result.tid.address || rinfo.port !== result.tid.port) return;
        const packet = decodeTftp(msg);
        if (packet) onPacket(packet);
      });
    });
    socket.bind(0, "127.0.0.1", () => send(lastSent));
  });
}

/** Sends one datagram from a fresh socket and returns the first answer (undefined on silence). */
export function exchange(port: number, packet: Buffer, waitMs = 2000): Promise<TftpPacket | undefined> {
  const socket: Socket = createSocket("udp4");
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(undefined), waitMs);
    function done(answer: TftpPacket | undefined): void {
      clearTimeout(timer);
      socket.close();
      resolve(answer);
    }
    socket.on("message", (msg) => done(decodeTftp(msg)));
    socket.bind(0, "127.0.0.1", () => socket.send(packet, port, "127.0.0.1"));
  });
}

/** A series' value in the Prometheus rendering (0 when absent). */
export function metricValue(metrics: Metrics, name: string, labels: Record<string, string> = {}): number {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const series = pairs.length === 0 ? name : `${name}{${pairs.join(",")}}`;
  const line = metrics
    .render()
    .split("\n")
    .find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Server options for tests: loopback, kernel-chosen port, silent, fresh metrics. */
export function serverOptions(root: string, overrides: Partial<TftpServerOptions> = {}): TftpServerOptions {
  return {
    host: "127.0.0.1",
    port: 0,
    root,
    singlePort: false,
    maxTransfers: 256,
    maxBlksize: 1468,
    maxWindowsize: 64,
    timeoutMs: 1000,
    retries: 5,
    logger: silentLogger(),
    metrics: createMetrics(),
    ...overrides,
  };
}
