/**
 * DHCPv4 wire format (RFC 2131 §2, RFC 2132, RFC 3396) ↔ DhcpPacket, and request validation
 * (dhcp.md §3.1). Decoding runs for every datagram, so it allocates only the packet, the
 * option Map and one view per option: option values are `subarray` views of the datagram
 * unless an option is split over several instances and has to be joined.
 */

import { type DhcpPacket, type DhcpRequest, type DropReason, MessageType, Option } from "./message.ts";

/** Reply builders live beside the codec so the engine imports one module. */
export { ipv4s, text, u8, u16, u32 } from "./option-values.ts";

const MIN_SIZE = 240;
const MAX_SIZE = 4096;
const MAX_OPTION_LENGTH = 1024;
/** The BOOTP minimum (RFC 1542 §2.1) that some relays and clients still insist on. */
const MIN_REPLY_SIZE = 300;
const MAGIC_COOKIE = 0x63825363;

const CHADDR = 28;
const SNAME = 44;
const SNAME_LENGTH = 64;
const FILE = 108;
const FILE_LENGTH = 128;
const COOKIE = 236;
const OPTIONS = 240;

const OVERLOAD_FILE = 1;
const OVERLOAD_SNAME = 2;

/*
 * Scratch state of one decodePacket call, reused because decoding is synchronous and runs
 * thousands of times a second. Fragments are the option instances in wire order (options
 * field, then file, then sname); each takes at least 2 bytes, which bounds their number.
 */
const MAX_FRAGMENTS = (MAX_SIZE - OPTIONS + SNAME_LENGTH + FILE_LENGTH) / 2;
const fragmentCode = new Uint8Array(MAX_FRAGMENTS);
const fragmentStart = new Uint16Array(MAX_FRAGMENTS);
const fragmentLength = new Uint8Array(MAX_FRAGMENTS);
let fragmentCount = 0;
/** Per option code: instances seen, joined length, bytes copied so far into the joined value. */
const instances = new Uint16Array(256);
const joinedLength = new Uint16Array(256);
const joinedFilled = new Uint16Array(256);

/** Well-formedness only (dhcp.md §3.1 size, cookie, option framing); no policy on contents. */
export function decodePacket(buf: Buffer): DhcpPacket | DropReason {
  if (buf.length < MIN_SIZE || buf.length > MAX_SIZE) return "size";
  if (buf.readUInt32BE(COOKIE) !== MAGIC_COOKIE) return "cookie";

  fragmentCount = 0;
  instances.fill(0);
  joinedLength.fill(0);
  const broken = scanArea(buf, OPTIONS, buf.length);
  if (broken !== undefined) return broken;
  const overload = overloadValue(buf);
  if (overload & OVERLOAD_FILE) {
    const brokenFile = scanArea(buf, FILE, FILE + FILE_LENGTH);
    if (brokenFile !== undefined) return brokenFile;
  }
  if (overload & OVERLOAD_SNAME) {
    const brokenSname = scanArea(buf, SNAME, SNAME + SNAME_LENGTH);
    if (brokenSname !== undefined) return brokenSname;
  }

  return {
    op: buf[0]!,
    htype: buf[1]!,
    hlen: buf[2]!,
    hops: buf[3]!,
    xid: buf.readUInt32BE(4),
    secs: buf.readUInt16BE(8),
    flags: buf.readUInt16BE(10),
    ciaddr: buf.readUInt32BE(12),
    yiaddr: buf.readUInt32BE(16),
    siaddr: buf.readUInt32BE(20),
    giaddr: buf.readUInt32BE(24),
    chaddr: buf.subarray(CHADDR, CHADDR + 16),
    sname: overload & OVERLOAD_SNAME ? buf.subarray(SNAME, SNAME) : untilNul(buf, SNAME, SNAME_LENGTH),
    file: overload & OVERLOAD_FILE ? buf.subarray(FILE, FILE) : untilNul(buf, FILE, FILE_LENGTH),
    options: collectOptions(buf, overload !== 0),
  };
}

/** Records the option instances in buf[start, end) as fragments, up to END or the area's end. */
function scanArea(buf: Buffer, start: number, end: number): DropReason | undefined {
  let i = start;
  while (i < end) {
    const code = buf[i]!;
    if (code === Option.END) return undefined;
    if (code === Option.PAD) {
      i++;
      continue;
    }
    if (i + 1 >= end) return "option_overrun";
    const length = buf[i + 1]!;
    const valueStart = i + 2;
    if (valueStart + length > end) return "option_overrun";
    const joined = joinedLength[code]! + length;
    if (joined > MAX_OPTION_LENGTH) return "option_too_long";
    joinedLength[code] = joined;
    instances[code]!++;
    fragmentCode[fragmentCount] = code;
    fragmentStart[fragmentCount] = valueStart;
    fragmentLength[fragmentCount] = length;
    fragmentCount++;
    i = valueStart + length;
  }
  return undefined;
}

/** Option 52 from the options field: 1 = file, 2 = sname, 3 = both hold options; else 0. */
function overloadValue(buf: Buffer): number {
  if (joinedLength[Option.OVERLOAD] !== 1) return 0;
  for (let f = 0; f < fragmentCount; f++) {
    if (fragmentCode[f] === Option.OVERLOAD && fragmentLength[f] === 1) {
      const value = buf[fragmentStart[f]!]!;
      return value >= 1 && value <= 3 ? value : 0;
    }
  }
  return 0;
}

/** The option Map in order of first appearance; an honoured option 52 is framing and left out. */
function collectOptions(buf: Buffer, overloaded: boolean): Map<number, Buffer> {
  const options = new Map<number, Buffer>();
  for (let f = 0; f < fragmentCount; f++) {
    const code = fragmentCode[f]!;
    if (overloaded && code === Option.OVERLOAD) continue;
    const start = fragmentStart[f]!;
    const end = start + fragmentLength[f]!;
    if (instances[code] === 1) {
      options.set(code, buf.subarray(start, end));
      continue;
    }
    let joined = options.get(code);
    if (joined === undefined) {
      // Every byte is overwritten by the fragments copied below.
      joined = Buffer.allocUnsafe(joinedLength[code]!);
      options.set(code, joined);
      joinedFilled[code] = 0;
    }
    const filled = joinedFilled[code]!;
    buf.copy(joined, filled, start, end);
    joinedFilled[code] = filled + end - start;
  }
  return options;
}

/** A view of the bytes of buf[start, start + length) before the first NUL. */
function untilNul(buf: Buffer, start: number, length: number): Buffer {
  let end = start;
  const limit = start + length;
  while (end < limit && buf[end] !== 0) end++;
  return buf.subarray(start, end);
}

const REQUEST_TYPES = new Set<number>([
  MessageType.DISCOVER,
  MessageType.REQUEST,
  MessageType.DECLINE,
  MessageType.RELEASE,
  MessageType.INFORM,
]);
const DEFAULT_MAX_MESSAGE_SIZE = 576;
const EMPTY = new Uint8Array(0);
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** decodePacket plus dhcp.md §3.1 policy for client requests, with §3.2 step 1's fields read. */
export function parseRequest(buf: Buffer): DhcpRequest | DropReason {
  const packet = decodePacket(buf);
  if (typeof packet === "string") return packet;
  if (packet.op !== 1) return "op";
  if (packet.htype !== 1 || packet.hlen !== 6) return "hardware";
  const messageType = packet.options.get(Option.MESSAGE_TYPE);
  if (messageType?.length !== 1 || !REQUEST_TYPES.has(messageType[0]!)) return "message_type";

  const { chaddr, options } = packet;
  const maxMessageSize = options.get(Option.MAX_MESSAGE_SIZE);
  const arch = options.get(Option.CLIENT_ARCH);
  return {
    packet,
    messageType: messageType[0]!,
    mac: `${HEX[chaddr[0]!]}:${HEX[chaddr[1]!]}:${HEX[chaddr[2]!]}:${HEX[chaddr[3]!]}:${HEX[chaddr[4]!]}:${HEX[chaddr[5]!]}`,
    requestedIp: ipv4Option(options.get(Option.REQUESTED_IP)),
    serverId: ipv4Option(options.get(Option.SERVER_ID)),
    parameterList: options.get(Option.PARAMETER_LIST) ?? EMPTY,
    ipxe: isIpxeUserClass(options.get(Option.USER_CLASS)),
    arch: arch !== undefined && arch.length >= 2 ? arch.readUInt16BE(0) : undefined,
    maxMessageSize:
      maxMessageSize?.length === 2
        ? Math.max(DEFAULT_MAX_MESSAGE_SIZE, maxMessageSize.readUInt16BE(0))
        : DEFAULT_MAX_MESSAGE_SIZE,
  };
}

function ipv4Option(value: Buffer | undefined): number | undefined {
  return value?.length === 4 ? value.readUInt32BE(0) : undefined;
}

/**
 * Option 77 as iPXE sends it (the bare bytes `iPXE`, not RFC 3004 framed), or an RFC 3004
 * list of [length][class] entries containing `iPXE` (dhcp.md §5.1).
 */
export function isIpxeUserClass(value: Buffer | undefined): boolean {
  if (value === undefined) return false;
  if (isIpxeAt(value, 0, value.length)) return true;
  for (let i = 0; i < value.length; ) {
    const length = value[i]!;
    const start = i + 1;
    if (start + length > value.length) return false;
    if (isIpxeAt(value, start, length)) return true;
    i = start + length;
  }
  return false;
}

function isIpxeAt(value: Buffer, start: number, length: number): boolean {
  return (
    length === 4 &&
    value[start] === 0x69 && // i
    value[start + 1] === 0x50 && // P
    value[start + 2] === 0x58 && // X
    value[start + 3] === 0x45 // E
  );
}

/** Per code: whether encodePacket's sizing pass kept the option (scratch, like decoding's). */
const included = new Uint8Array(256);

/**
 * The wire form of a packet: header, `sname` (up to 64 bytes) and `file` (up to 128), NUL
 * padded; the cookie; options in the Map's order, values over 255 bytes split into
 * consecutive instances of the same code (RFC 3396); END; zeros up to 300 bytes.
 *
 * `maxSize` bounds the datagram (the UDP payload): an option that would not fit is left out
 * and later, smaller ones are still tried. A client's option 57 counts the IP and UDP headers
 * too (RFC 2131 §2: 576 = 548 + 28), so callers pass it minus 28. Codes 0 and 255 and codes
 * outside 1..254 cannot be framed and are skipped; the 300-byte minimum wins over `maxSize`.
 */
export function encodePacket(packet: DhcpPacket, maxSize = Number.POSITIVE_INFINITY): Buffer {
  let length = OPTIONS;
  for (const [code, value] of packet.options) {
    if (!encodable(code)) continue;
    const size = encodedSize(value.length);
    const fits = length + size + 1 <= maxSize;
    included[code] = fits ? 1 : 0;
    if (fits) length += size;
  }
  const out = Buffer.alloc(Math.max(MIN_REPLY_SIZE, length + 1));

  out[0] = packet.op;
  out[1] = packet.htype;
  out[2] = packet.hlen;
  out[3] = packet.hops;
  out.writeUInt32BE(packet.xid >>> 0, 4);
  out.writeUInt16BE(packet.secs & 0xffff, 8);
  out.writeUInt16BE(packet.flags & 0xffff, 10);
  out.writeUInt32BE(packet.ciaddr >>> 0, 12);
  out.writeUInt32BE(packet.yiaddr >>> 0, 16);
  out.writeUInt32BE(packet.siaddr >>> 0, 20);
  out.writeUInt32BE(packet.giaddr >>> 0, 24);
  packet.chaddr.copy(out, CHADDR, 0, Math.min(16, packet.chaddr.length));
  packet.sname.copy(out, SNAME, 0, Math.min(SNAME_LENGTH, packet.sname.length));
  packet.file.copy(out, FILE, 0, Math.min(FILE_LENGTH, packet.file.length));
  out.writeUInt32BE(MAGIC_COOKIE, COOKIE);

  let at = OPTIONS;
  for (const [code, value] of packet.options) {
    if (encodable(code) && included[code] === 1) at = writeOption(out, at, code, value);
  }
  out[at] = Option.END;
  return out;
}

function encodable(code: number): boolean {
  return Number.isInteger(code) && code > Option.PAD && code < Option.END;
}

/** Bytes an option takes on the wire: a code and length byte per 255-byte piece. */
function encodedSize(valueLength: number): number {
  return valueLength === 0 ? 2 : valueLength + 2 * Math.ceil(valueLength / 255);
}

function writeOption(out: Buffer, start: number, code: number, value: Buffer): number {
  let at = start;
  let offset = 0;
  do {
    const piece = Math.min(255, value.length - offset);
    out[at] = code;
    out[at + 1] = piece;
    value.copy(out, at + 2, offset, offset + piece);
    at += 2 + piece;
    offset += piece;
  } while (offset < value.length);
  return at;
}
