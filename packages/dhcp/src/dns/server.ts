import { createSocket, type Socket } from "node:dgram";
import { createServer, isIPv6, type Server, type Socket as TcpSocket } from "node:net";
import type { Logger } from "@openchami/core";
import type { Metrics } from "@openchami/http";
import type { DnsZone } from "../config/types.ts";
import type { HostSource, HostView } from "../hosts/types.ts";
import { type DnsEndpoint, Forwarder } from "./forward.ts";
import { type DnsCounters, DnsHandler, dnsCounters, type Transport } from "./handler.ts";
import { buildDnsRecords } from "./records.ts";

export type { DnsEndpoint } from "./forward.ts";

export interface DnsServerOptions {
  /** Each listener serves UDP and TCP on the same port (port 0: the kernel picks one). */
  listen: readonly DnsEndpoint[];
  zones: readonly DnsZone[];
  ttl: number;
  /** Upstream resolvers for out-of-zone names, tried in order; none = REFUSED. */
  forward: readonly DnsEndpoint[];
  hosts: HostSource;
  logger: Logger;
  metrics: Metrics;
  /** Per upstream attempt; default 2 s. */
  forwardTimeoutMs?: number;
  /** A TCP connection with nothing received for this long is closed; default 10 s (RFC 7766). */
  tcpIdleTimeoutMs?: number;
}

interface Listener {
  udp: Socket;
  tcp: Server;
}

const DEFAULT_FORWARD_TIMEOUT_MS = 2000;
const DEFAULT_TCP_IDLE_MS = 10_000;
const MAX_TCP_CONNECTIONS = 1024;
/** With port 0, the port UDP got may be taken for TCP: try another a few times. */
const EPHEMERAL_BIND_ATTEMPTS = 5;

function bindUdp(endpoint: DnsEndpoint): Promise<Socket> {
  const socket = createSocket(isIPv6(endpoint.host) ? "udp6" : "udp4");
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(endpoint.port, endpoint.host, () => {
      socket.off("error", reject);
      resolve(socket);
    });
  });
}

function listenTcp(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function lengthPrefixed(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length);
  return Buffer.concat([prefix, message]);
}

/**
 * The optional DNS server (dhcp.md §6): A and PTR records from the inventory over UDP and TCP,
 * rebuilt on every inventory change, SERVFAIL for our names before the first load, and
 * out-of-zone names forwarded or refused.
 */
export class DnsServer {
  readonly #options: DnsServerOptions;
  readonly #counters: DnsCounters;
  readonly #forwarder: Forwarder | undefined;
  readonly #handler: DnsHandler;
  readonly #listeners: Listener[] = [];
  readonly #connections = new Set<TcpSocket>();
  #unsubscribe: (() => void) | undefined;
  #closed = false;

  constructor(options: DnsServerOptions) {
    this.#options = options;
    this.#counters = dnsCounters(options.metrics);
    this.#forwarder =
      options.forward.length > 0
        ? new Forwarder(options.forward, options.forwardTimeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS)
        : undefined;
    this.#handler = new DnsHandler({
      zones: options.zones,
      ttl: options.ttl,
      forwarder: this.#forwarder,
      counters: this.#counters,
    });
  }

  async start(): Promise<void> {
    const { hosts, logger } = this.#options;
    this.#unsubscribe = hosts.onChange((view) => this.#rebuild(view));
    if (hosts.loaded) this.#rebuild(hosts.current());
    try {
      for (const endpoint of this.#options.listen) {
        const listener = await this.#bind(endpoint);
        this.#listeners.push(listener);
        const { address, port } = listener.udp.address();
        logger.info(
          { address, port, zones: this.#options.zones.map((z) => z.name) },
          "DNS listening (UDP+TCP)",
        );
      }
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Bound ports, in listener order (the same for UDP and TCP). */
  ports(): number[] {
    return this.#listeners.map((listener) => listener.udp.address().port);
  }

  addresses(): DnsEndpoint[] {
    return this.#listeners.map((listener) => {
      const { address, port } = listener.udp.address();
      return { host: address, port };
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#forwarder?.close();
    for (const connection of this.#connections) connection.destroy();
    const listeners = this.#listeners.splice(0);
    await Promise.all(
      listeners.flatMap(({ udp, tcp }) => [
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]),
    );
  }

  async #bind(endpoint: DnsEndpoint): Promise<Listener> {
    const attempts = endpoint.port === 0 ? EPHEMERAL_BIND_ATTEMPTS : 1;
    for (let attempt = 1; ; attempt++) {
      const udp = await bindUdp(endpoint);
      const tcp = createServer((connection) => this.#onConnection(connection));
      tcp.maxConnections = MAX_TCP_CONNECTIONS;
      try {
        await listenTcp(tcp, endpoint.host, udp.address().port);
      } catch (err) {
        udp.close();
        if (attempt >= attempts || (err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
        continue;
      }
      udp.on("message", (query, peer) =>
        this.#serve(query, "udp", (reply) =>
          udp.send(reply, peer.port, peer.address, (err) => err && this.#sendFailed(err)),
        ),
      );
      udp.on("error", (err) => this.#options.logger.error({ err }, "DNS UDP socket error"));
      tcp.on("error", (err) => this.#options.logger.error({ err }, "DNS TCP server error"));
      return { udp, tcp };
    }
  }

  /** RFC 7766 framing: a 2-byte length before each message, several per connection. */
  #onConnection(connection: TcpSocket): void {
    this.#connections.add(connection);
    connection.on("close", () => this.#connections.delete(connection));
    connection.on("error", () => connection.destroy()); // resets by clients are routine
    connection.setTimeout(this.#options.tcpIdleTimeoutMs ?? DEFAULT_TCP_IDLE_MS, () => connection.destroy());
    let pending: Buffer = Buffer.alloc(0);
    connection.on("data", (chunk: Buffer) => {
      pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 2) {
        const end = 2 + pending.readUInt16BE(0);
        if (pending.length < end) break;
        const query = pending.subarray(2, end);
        pending = pending.subarray(end);
        this.#serve(query, "tcp", (reply) => {
          if (!connection.destroyed) connection.write(lengthPrefixed(reply));
        });
      }
    });
  }

  #serve(query: Buffer, transport: Transport, send: (reply: Buffer) => void): void {
    this.#handler.handle(query, transport).then(
      (reply) => {
        if (reply === undefined || this.#closed) return;
        try {
          send(reply);
        } catch (err) {
          this.#sendFailed(err);
        }
      },
      (err: unknown) => {
        this.#counters.dropped.inc({ reason: "internal" });
        this.#options.logger.error({ err }, "DNS query handling failed");
      },
    );
  }

  #sendFailed(err: unknown): void {
    this.#counters.dropped.inc({ reason: "send_error" });
    this.#options.logger.debug({ err }, "DNS reply not sent");
  }

  #rebuild(view: HostView): void {
    const { zones, logger } = this.#options;
    try {
      const records = buildDnsRecords(view, zones);
      this.#handler.records = records;
      this.#counters.records.set({}, records.addresses.size + records.pointers.size);
      if (records.conflicts > 0) {
        this.#counters.conflicts.inc({}, records.conflicts);
        logger.warn(
          { conflicts: records.conflicts, names: records.conflictNames.slice(0, 20) },
          "DNS names or addresses claimed by several components; the smallest xname keeps each",
        );
      }
    } catch (err) {
      logger.error({ err }, "DNS records not rebuilt; the previous ones stay");
    }
  }
}
