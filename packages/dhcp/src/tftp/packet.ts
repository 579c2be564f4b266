/**
 * TFTP packets (RFC 1350) with option extension (RFC 2347): a pure codec. Decoding never
 * throws; anything that is not a well-formed packet is `undefined`, for the caller to drop.
 */

export const Opcode = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

export const ErrorCode = {
  NOT_DEFINED: 0,
  FILE_NOT_FOUND: 1,
  ACCESS_VIOLATION: 2,
  DISK_FULL: 3,
  ILLEGAL_OPERATION: 4,
  UNKNOWN_TID: 5,
  FILE_EXISTS: 6,
  NO_SUCH_USER: 7,
  OPTION_REFUSED: 8,
} as const;

/** Option names lower-cased, values as sent, in packet order. */
export type TftpOptions = ReadonlyMap<string, string>;

export type TftpPacket =
  | { op: "rrq" | "wrq"; filename: string; mode: string; options: TftpOptions }
  | { op: "data"; block: number; data: Buffer }
  | { op: "ack"; block: number }
  | { op: "error"; code: number; message: string }
  | { op: "oack"; options: TftpOptions };

export function decodeTftp(buf: Buffer): TftpPacket | undefined {
  if (buf.length < 4) return undefined;
  const opcode = buf.readUInt16BE(0);
  switch (opcode) {
    case Opcode.RRQ:
    case Opcode.WRQ:
      return decodeRequest(opcode === Opcode.RRQ ? "rrq" : "wrq", buf);
    case Opcode.DATA:
      return { op: "data", block: buf.readUInt16BE(2), data: buf.subarray(4) };
    case Opcode.ACK:
      // Trailing bytes are tolerated, as tftp-hpa does.
      return { op: "ack", block: buf.readUInt16BE(2) };
    case Opcode.ERROR: {
      // Some clients omit the message's NUL; the message is informational, so accept that.
      const end = buf.indexOf(0, 4);
      return {
        op: "error",
        code: buf.readUInt16BE(2),
        message: buf.toString("utf8", 4, end < 0 ? undefined : end),
      };
    }
    case Opcode.OACK: {
      const strings = splitStrings(buf, 2);
      const options = strings && toOptions(strings);
      return options && options.size > 0 ? { op: "oack", options } : undefined;
    }
    default:
      return undefined;
  }
}

function decodeRequest(op: "rrq" | "wrq", buf: Buffer): TftpPacket | undefined {
  const strings = splitStrings(buf, 2);
  if (!strings || strings.length < 2) return undefined;
  const [filename, mode, ...rest] = strings as [string, string, ...string[]];
  if (filename === "") return undefined;
  const options = toOptions(rest);
  return options && { op, filename, mode: mode.toLowerCase(), options };
}

/** NUL-terminated strings from `offset` to the end; undefined if the last one is unterminated. */
function splitStrings(buf: Buffer, offset: number): string[] | undefined {
  const strings: string[] = [];
  let start = offset;
  while (start < buf.length) {
    const end = buf.indexOf(0, start);
    if (end < 0) return undefined;
    strings.push(buf.toString("utf8", start, end));
    start = end + 1;
  }
  return strings;
}

/** Name/value pairs; an odd count, an empty or a repeated name makes the packet malformed. */
function toOptions(strings: readonly string[]): Map<string, string> | undefined {
  if (strings.length % 2 !== 0) return undefined;
  const options = new Map<string, string>();
  for (let i = 0; i < strings.length; i += 2) {
    const name = strings[i]!.toLowerCase();
    if (name === "" || options.has(name)) return undefined;
    options.set(name, strings[i + 1]!);
  }
  return options;
}

function header(opcode: number, second: number, extra: number): Buffer {
  const buf = Buffer.allocUnsafe(4 + extra);
  buf.writeUInt16BE(opcode, 0);
  buf.writeUInt16BE(second, 2);
  return buf;
}

function withStrings(opcode: number, strings: readonly string[]): Buffer {
  const parts = strings.map((s) => Buffer.from(`${s}\0`, "utf8"));
  const head = Buffer.allocUnsafe(2);
  head.writeUInt16BE(opcode, 0);
  return Buffer.concat([head, ...parts]);
}

function optionStrings(options: TftpOptions): string[] {
  return [...options].flat();
}

/** A block number is sent modulo 2^16 (blocks wrap 65535 → 0). */
export function encodeData(block: number, data: Uint8Array): Buffer {
  const buf = header(Opcode.DATA, block & 0xffff, data.length);
  buf.set(data, 4);
  return buf;
}

export function encodeAck(block: number): Buffer {
  return header(Opcode.ACK, block & 0xffff, 0);
}

export function encodeError(code: number, message: string): Buffer {
  const text = Buffer.from(`${message}\0`, "utf8");
  const buf = header(Opcode.ERROR, code, text.length);
  buf.set(text, 4);
  return buf;
}

export function encodeOack(options: TftpOptions): Buffer {
  return withStrings(Opcode.OACK, optionStrings(options));
}

/** RRQ or WRQ (used by clients and tests; the server only reads requests). */
export function encodeRequest(
  op: "rrq" | "wrq",
  filename: string,
  mode: string,
  options: TftpOptions = new Map(),
): Buffer {
  return withStrings(op === "rrq" ? Opcode.RRQ : Opcode.WRQ, [filename, mode, ...optionStrings(options)]);
}
