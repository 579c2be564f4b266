import { randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import { isIPv6 } from "node:net";
import { HEADER_BYTES, isResponse } from "./wire.ts";

export interface DnsEndpoint {
  host: string;
  port: number;
}

/** Each relay holds a socket: past this many at once, queries fail fast instead of piling up. */
const MAX_IN_FLIGHT = 256;

/**
 * Relays whole queries over UDP to upstream resolvers, in order, until one answers in time.
 * Each attempt uses a fresh connected socket (random source port, only the upstream's
 * datagrams accepted) and a random id, so a blind spoofer must guess both.
 */
export class Forwarder {
  readonly #upstreams: readonly DnsEndpoint[];
  readonly #timeoutMs: number;
  /** Cancels each attempt in flight, for close(). */
  readonly #inFlight = new Set<() => void>();

  constructor(upstreams: readonly DnsEndpoint[], timeoutMs: number) {
    this.#upstreams = upstreams;
    this.#timeoutMs = timeoutMs;
  }

  /** The first upstream answer, carrying the query's own id; undefined when none came. */
  async relay(query: Buffer): Promise<Buffer | undefined> {
    if (this.#inFlight.size >= MAX_IN_FLIGHT) return undefined;
    for (const upstream of this.#upstreams) {
      const answer = await this.#ask(query, upstream);
      if (answer) {
        answer.writeUInt16BE(query.readUInt16BE(0), 0);
        return answer;
      }
    }
    return undefined;
  }

  /** Abandons every relay in flight (they resolve undefined). */
  close(): void {
    for (const cancel of [...this.#inFlight]) cancel();
  }

  #ask(query: Buffer, upstream: DnsEndpoint): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const id = randomInt(0x10000);
      const relayed = Buffer.from(query);
      relayed.writeUInt16BE(id, 0);
      const socket = createSocket(isIPv6(upstream.host) ? "udp6" : "udp4");
      const finish = (answer: Buffer | undefined) => {
        if (!this.#inFlight.delete(cancel)) return;
        clearTimeout(timer);
        socket.close();
        resolve(answer);
      };
      const cancel = () => finish(undefined);
      const timer = setTimeout(cancel, this.#timeoutMs);
      this.#inFlight.add(cancel);
      socket.on("error", cancel);
      socket.on("message", (answer) => {
        if (answer.length >= HEADER_BYTES && answer.readUInt16BE(0) === id && isResponse(answer))
          finish(answer);
      });
      socket.connect(upstream.port, upstream.host, () => {
        if (this.#inFlight.has(cancel)) socket.send(relayed, (err) => err && cancel());
      });
    });
  }
}
