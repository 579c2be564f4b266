import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import type { Logger } from "@openchami/core";
import type { Counter, Metrics } from "@openchami/http";
import type { DhcpListener } from "../config/types.ts";
import { encodePacket, parseRequest } from "../dhcp/codec.ts";
import type { DhcpRequest } from "../dhcp/message.ts";
import { type DhcpEngine, messageTypeName, type Reply, type Silence } from "./engine.ts";

const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export interface DhcpServerOptions {
  listen: readonly DhcpListener[];
  engine: DhcpEngine;
  logger: Logger;
  metrics: Metrics;
}

interface DhcpCounters {
  received: Counter;
  replies: Counter;
  dropped: Counter;
  unanswered: Counter;
  sendErrors: Counter;
}

export function dhcpCounters(metrics: Metrics): DhcpCounters & { poolExhausted: Counter } {
  return {
    received: metrics.counter("dhcp_packets_total", "Valid DHCP requests received, by message type.", [
      "type",
    ]),
    replies: metrics.counter("dhcp_replies_total", "DHCP replies sent, by message type.", ["type"]),
    dropped: metrics.counter("dhcp_dropped_total", "Malformed or unsupported datagrams dropped.", ["reason"]),
    unanswered: metrics.counter(
      "dhcp_unanswered_total",
      "Valid requests deliberately left unanswered (disabled, ignore rule, unknown, …).",
      ["reason"],
    ),
    sendErrors: metrics.counter("dhcp_send_errors_total", "Replies the socket failed to send.", ["code"]),
    poolExhausted: metrics.counter(
      "bootloop_pool_exhausted_total",
      "DISCOVERs from unknown MACs that found no free pool address.",
    ),
  };
}

/**
 * The UDP side of DHCP: one socket per listener (normally 0.0.0.0:67, the only way `dgram`
 * hears limited broadcasts), each datagram parsed, decided by the engine and answered.
 * Nothing a client sends can throw out of here: bad datagrams are dropped and counted.
 */
export class DhcpServer {
  readonly #options: DhcpServerOptions;
  readonly #counters: DhcpCounters;
  readonly #sockets: Socket[] = [];

  constructor(options: DhcpServerOptions, counters: DhcpCounters) {
    this.#options = options;
    this.#counters = counters;
  }

  async start(): Promise<void> {
    for (const listener of this.#options.listen) {
      // A deep receive queue rides out short stalls (GC, a view rebuild) in a boot storm; the
      // kernel caps it at net.core.rmem_max.
      const socket = createSocket({ type: "udp4", reuseAddr: true, recvBufferSize: RECEIVE_BUFFER_BYTES });
      socket.on("message", (buf, rinfo) => this.#onMessage(socket, buf, rinfo));
      socket.on("error", (err) => this.#options.logger.error({ err }, "DHCP socket error"));
      await new Promise<void>((resolve, reject) => {
        socket.once("error", reject);
        socket.bind(listener.port, listener.host, () => {
          socket.off("error", reject);
          resolve();
        });
      });
      socket.setBroadcast(true);
      this.#sockets.push(socket);
      const { address, port } = socket.address();
      this.#options.logger.info({ address, port, iface: listener.iface }, "DHCP listening");
    }
  }

  /** Bound ports, in listener order (tests bind port 0). */
  ports(): number[] {
    return this.#sockets.map((s) => s.address().port);
  }

  async close(): Promise<void> {
    await Promise.all(this.#sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.#sockets.length = 0;
  }

  #onMessage(socket: Socket, buf: Buffer, rinfo: RemoteInfo): void {
    const request = parseRequest(buf);
    if (typeof request === "string") {
      this.#counters.dropped.inc({ reason: request });
      return;
    }
    this.#counters.received.inc({ type: messageTypeName(request.messageType) });
    try {
      const outcome = this.#options.engine.handle(request);
      if (outcome instanceof Promise) {
        outcome
          .then((result) => this.#answer(socket, result))
          .catch((err) => this.#failed(err, request, rinfo));
      } else this.#answer(socket, outcome);
    } catch (err) {
      this.#failed(err, request, rinfo);
    }
  }

  #answer(socket: Socket, outcome: Reply | Silence): void {
    if (typeof outcome === "string") {
      this.#counters.unanswered.inc({ reason: outcome });
      return;
    }
    const type = messageTypeName(outcome.packet.options.get(53)?.[0] ?? 0);
    const datagram = encodePacket(outcome.packet, outcome.maxSize);
    try {
      socket.send(datagram, outcome.port, outcome.address, (err) => {
        if (err) this.#sendFailed(err);
        else this.#counters.replies.inc({ type });
      });
    } catch (err) {
      // A reply that waited for its lease to be stored may find the socket closed (shutdown).
      this.#sendFailed(err);
    }
  }

  #sendFailed(err: unknown): void {
    this.#counters.sendErrors.inc({ code: (err as NodeJS.ErrnoException).code ?? "unknown" });
  }

  #failed(err: unknown, request: DhcpRequest, rinfo: RemoteInfo): void {
    this.#counters.dropped.inc({ reason: "internal" });
    this.#options.logger.error(
      { err, mac: request.mac, from: `${rinfo.address}:${rinfo.port}` },
      "DHCP request failed",
    );
  }
}
