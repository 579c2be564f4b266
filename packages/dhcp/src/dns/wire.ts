import type { Answer, DecodedPacket, OptAnswer, Question } from "dns-packet";
import * as dnsPacket from "dns-packet";
import type { Rcode } from "./resolve.ts";

/**
 * The DNS wire format around `dns-packet`: checking what a client sent before trusting it,
 * and building replies that echo its id, opcode, RD bit and question.
 */

export const HEADER_BYTES = 12;
const QR = 0x8000;
const OPCODE_MASK = 0x7800;
const RD = 0x0100;
const CLASSIC_UDP_LIMIT = 512;
/** Our EDNS buffer size (DNS flag day 2020); larger offers are capped to it. */
const EDNS_UDP_SIZE = 1232;

const RCODE_NAMES = [
  "NOERROR",
  "FORMERR",
  "SERVFAIL",
  "NXDOMAIN",
  "NOTIMP",
  "REFUSED",
  "YXDOMAIN",
  "YXRRSET",
  "NXRRSET",
  "NOTAUTH",
  "NOTZONE",
] as const;

const RCODE_VALUES: Record<Rcode, number> = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
};

/** The rcode of a reply, as a metric label. */
export function rcodeName(reply: Buffer): string {
  const code = reply[3]! & 0x0f;
  return RCODE_NAMES[code] ?? `RCODE_${code}`;
}

export function isResponse(packet: Buffer): boolean {
  return (packet.readUInt16BE(2) & QR) !== 0;
}

/** A reply with only a header, for queries whose body cannot be trusted. */
export function headerOnlyReply(query: Buffer, rcode: Rcode): Buffer {
  const reply = Buffer.alloc(HEADER_BYTES);
  reply.writeUInt16BE(query.readUInt16BE(0), 0);
  reply.writeUInt16BE(QR | (query.readUInt16BE(2) & (OPCODE_MASK | RD)) | RCODE_VALUES[rcode], 2);
  return reply;
}

/**
 * True when `dns-packet` writes the question back byte for byte, so the client recognises its
 * answer: compressed, non-UTF-8 or dot-carrying labels and unknown classes do not survive.
 */
function echoable(query: Buffer, question: Question): boolean {
  try {
    const alone = dnsPacket.encode({ questions: [question] });
    return alone.subarray(HEADER_BYTES).equals(query.subarray(HEADER_BYTES, alone.length));
  } catch {
    return false;
  }
}

export type ParsedQuery =
  | { ok: true; packet: DecodedPacket; question: Question }
  | { ok: false; rcode: "FORMERR" | "NOTIMP" };

/** Checks a query whose header is readable and QR clear: one echoable question, opcode QUERY. */
export function parseQuery(query: Buffer): ParsedQuery {
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(query);
  } catch {
    return { ok: false, rcode: "FORMERR" };
  }
  if ((query.readUInt16BE(2) & OPCODE_MASK) !== 0) return { ok: false, rcode: "NOTIMP" };
  const question = packet.questions?.[0];
  if (packet.questions?.length !== 1 || !question || !echoable(query, question)) {
    return { ok: false, rcode: "FORMERR" };
  }
  return { ok: true, packet, question };
}

function clientOpt(query: DecodedPacket): OptAnswer | undefined {
  return query.additionals?.find((record): record is OptAnswer => record.type === "OPT");
}

/** What a UDP reply may weigh: 512 bytes, or the client's EDNS size up to ours. */
export function udpLimit(query: DecodedPacket): number {
  const opt = clientOpt(query);
  return opt ? Math.max(CLASSIC_UDP_LIMIT, Math.min(opt.udpPayloadSize, EDNS_UDP_SIZE)) : CLASSIC_UDP_LIMIT;
}

export interface ReplyContent {
  rcode: Rcode;
  authoritative: boolean;
  recursionAvailable: boolean;
  answers: Answer[];
  authorities: Answer[];
}

/**
 * The encoded reply; past `limit` bytes the records are left out and TC set, so the client
 * retries over TCP.
 */
export function encodeReply(
  query: DecodedPacket,
  question: Question,
  content: ReplyContent,
  limit: number,
): Buffer {
  let flags = RCODE_VALUES[content.rcode] | ((query.flags ?? 0) & RD);
  if (content.authoritative) flags |= dnsPacket.AUTHORITATIVE_ANSWER;
  if (content.recursionAvailable) flags |= dnsPacket.RECURSION_AVAILABLE;
  const additionals: Answer[] = [];
  if (clientOpt(query)) {
    additionals.push({
      name: ".",
      type: "OPT",
      udpPayloadSize: EDNS_UDP_SIZE,
      extendedRcode: 0,
      ednsVersion: 0,
      flags: 0,
      flag_do: false,
      options: [],
    });
  }
  const base = { type: "response" as const, id: query.id, questions: [question], additionals };
  const full = dnsPacket.encode({
    ...base,
    flags,
    answers: content.answers,
    authorities: content.authorities,
  });
  if (full.length <= limit) return full;
  return dnsPacket.encode({ ...base, flags: flags | dnsPacket.TRUNCATED_RESPONSE });
}
