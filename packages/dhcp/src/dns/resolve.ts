import type { Answer, Question, SoaAnswer } from "dns-packet";
import type { DnsZone } from "../config/types.ts";
import { formatIpv4 } from "../ip.ts";
import {
  canonicalName,
  type DnsRecords,
  isInZone,
  parseReverseName,
  REVERSE_ZONE,
  zoneOf,
} from "./records.ts";

/** The response codes this server produces itself (forwarded answers keep the upstream's). */
export type Rcode = "NOERROR" | "FORMERR" | "SERVFAIL" | "NXDOMAIN" | "NOTIMP" | "REFUSED";

export type Resolution =
  | {
      kind: "answer";
      rcode: Rcode;
      /** AA: set when the answer comes from our own data. */
      authoritative: boolean;
      answers: Answer[];
      authorities: Answer[];
    }
  | { kind: "forward" };

export interface Authority {
  zones: readonly DnsZone[];
  ttl: number;
  /** Undefined before the first inventory load. */
  records: DnsRecords | undefined;
}

/** Secondaries do not exist: only the negative-caching `minimum` (= ttl) really matters. */
const SOA_TIMERS = { refresh: 3600, retry: 600, expire: 86400 };

function soaRecord(zone: string, serial: number, ttl: number): SoaAnswer {
  return {
    name: zone,
    type: "SOA",
    class: "IN",
    ttl,
    data: {
      mname: `ns.${zone}`,
      rname: `hostmaster.${zone}`,
      serial: serial >>> 0,
      ...SOA_TIMERS,
      minimum: ttl,
    },
  };
}

function reply(rcode: Rcode, answers: Answer[] = [], authorities: Answer[] = []): Resolution {
  const authoritative = rcode === "NOERROR" || rcode === "NXDOMAIN";
  return { kind: "answer", rcode, authoritative, answers, authorities };
}

/** Our data answers class IN (and ANY); other classes are not ours to answer. */
function classIsOurs(question: Question): boolean {
  const klass = question.class ?? "IN";
  return klass === "IN" || klass === "ANY";
}

function wants(question: Question, type: "A" | "PTR" | "SOA"): boolean {
  const asked: string = question.type; // "ANY" (255) decodes, though the typings omit it
  return asked === type || asked === "ANY";
}

function resolveReverse(question: Question, records: DnsRecords, ttl: number): Resolution {
  const ip = parseReverseName(question.name);
  const target = ip === undefined ? undefined : records.pointers.get(ip);
  if (target === undefined) return reply("NXDOMAIN");
  if (!wants(question, "PTR")) return reply("NOERROR");
  return reply("NOERROR", [{ name: question.name, type: "PTR", class: "IN", ttl, data: target }]);
}

function resolveForward(question: Question, zone: DnsZone, records: DnsRecords, ttl: number): Resolution {
  const name = canonicalName(question.name);
  const soa = soaRecord(zone.name, records.serial, ttl);
  const ip = records.addresses.get(name);
  if (ip !== undefined) {
    if (!wants(question, "A")) return reply("NOERROR", [], [soa]);
    return reply("NOERROR", [{ name: question.name, type: "A", class: "IN", ttl, data: formatIpv4(ip) }]);
  }
  if (name === zone.name && wants(question, "SOA")) return reply("NOERROR", [soa]);
  return records.interior.has(name) ? reply("NOERROR", [], [soa]) : reply("NXDOMAIN", [], [soa]);
}

/**
 * The answer to one question (dhcp.md §6): our zones and `in-addr.arpa` from the inventory,
 * everything else forwarded (the caller refuses when there is no forwarder). Names match
 * case-insensitively; answers carry the question's name as asked.
 */
export function resolve(question: Question, authority: Authority): Resolution {
  const reverse = isInZone(question.name, REVERSE_ZONE);
  const zone = reverse ? undefined : zoneOf(question.name, authority.zones);
  if (!reverse && zone === undefined) return { kind: "forward" };
  const { records, ttl } = authority;
  if (records === undefined) return reply("SERVFAIL");
  if (!classIsOurs(question)) return reply("REFUSED");
  return zone === undefined
    ? resolveReverse(question, records, ttl)
    : resolveForward(question, zone, records, ttl);
}
