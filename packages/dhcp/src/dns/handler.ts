import type { Counter, Gauge, Metrics } from "@openchami/http";
import type { DnsZone } from "../config/types.ts";
import type { Forwarder } from "./forward.ts";
import type { DnsRecords } from "./records.ts";
import { type Rcode, resolve } from "./resolve.ts";
import {
  encodeReply,
  HEADER_BYTES,
  headerOnlyReply,
  isResponse,
  parseQuery,
  type ReplyContent,
  rcodeName,
  udpLimit,
} from "./wire.ts";

export interface DnsCounters {
  requests: Counter;
  dropped: Counter;
  records: Gauge;
  conflicts: Counter;
}

export function dnsCounters(metrics: Metrics): DnsCounters {
  return {
    requests: metrics.counter("dns_requests_total", "DNS replies sent, by rcode.", ["rcode"]),
    dropped: metrics.counter("dns_dropped_total", "DNS messages left unanswered, by reason.", ["reason"]),
    records: metrics.gauge("dns_records", "Names and reverse names the DNS server answers from inventory."),
    conflicts: metrics.counter(
      "dns_name_conflicts_total",
      "Names or addresses two components claimed, found at each rebuild (the smallest xname keeps them).",
    ),
  };
}

export type Transport = "udp" | "tcp";

const TCP_LIMIT = 0xffff;

export interface DnsHandlerOptions {
  zones: readonly DnsZone[];
  ttl: number;
  /** Undefined when no forwarder is configured: out-of-zone names are refused. */
  forwarder: Forwarder | undefined;
  counters: DnsCounters;
}

/**
 * One DNS message in, at most one out, whatever the transport. Undecodable messages get a
 * header-only FORMERR when their header is readable and is a query; shorter ones and responses
 * are dropped (answering a response could loop between servers). Never throws.
 */
export class DnsHandler {
  /** Undefined until the inventory is first loaded: our names answer SERVFAIL meanwhile. */
  records: DnsRecords | undefined;
  readonly #options: DnsHandlerOptions;

  constructor(options: DnsHandlerOptions) {
    this.#options = options;
  }

  async handle(query: Buffer, transport: Transport): Promise<Buffer | undefined> {
    if (query.length < HEADER_BYTES) return this.#drop("short");
    if (isResponse(query)) return this.#drop("response");
    const parsed = parseQuery(query);
    if (!parsed.ok) return this.#sent(headerOnlyReply(query, parsed.rcode));

    const { zones, ttl, forwarder } = this.#options;
    const resolution = resolve(parsed.question, { zones, ttl, records: this.records });
    const limit = transport === "udp" ? udpLimit(parsed.packet) : TCP_LIMIT;
    const local = (content: Omit<ReplyContent, "recursionAvailable">) => {
      try {
        const reply = { ...content, recursionAvailable: forwarder !== undefined };
        return this.#sent(encodeReply(parsed.packet, parsed.question, reply, limit));
      } catch {
        return this.#drop("encode");
      }
    };
    const failure = (rcode: Rcode) => local({ rcode, authoritative: false, answers: [], authorities: [] });

    if (resolution.kind === "answer") return local(resolution);
    if (!forwarder) return failure("REFUSED");
    const relayed = await forwarder.relay(query);
    return relayed ? this.#sent(relayed) : failure("SERVFAIL");
  }

  #sent(reply: Buffer): Buffer {
    this.#options.counters.requests.inc({ rcode: rcodeName(reply) });
    return reply;
  }

  #drop(reason: string): undefined {
    this.#options.counters.dropped.inc({ reason });
    return undefined;
  }
}
