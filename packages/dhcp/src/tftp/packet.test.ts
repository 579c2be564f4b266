import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  decodeTftp,
  encodeAck,
  encodeData,
  encodeError,
  encodeOack,
  encodeRequest,
  type TftpPacket,
} from "./packet.ts";

const text = fc.string({ unit: "grapheme", maxLength: 40 }).filter((s) => !s.includes("\0"));
const optionName = fc
  .string({ minLength: 1, maxLength: 12 })
  .filter((s) => !s.includes("\0"))
  .map((s) => s.toLowerCase());
const options = (minLength: number) =>
  fc
    .uniqueArray(fc.tuple(optionName, text), { minLength, maxLength: 6, selector: ([name]) => name })
    .map((pairs) => new Map(pairs));
const block = fc.integer({ min: 0, max: 0xffff });

const packets: fc.Arbitrary<TftpPacket> = fc
  .oneof(
    fc.record({
      op: fc.constantFrom("rrq" as const, "wrq" as const),
      filename: text.filter((s) => s !== ""),
      mode: text.map((s) => s.toLowerCase()),
      options: options(0),
    }),
    fc.record({
      op: fc.constant("data" as const),
      block,
      data: fc.uint8Array({ maxLength: 1468 }).map(Buffer.from),
    }),
    fc.record({ op: fc.constant("ack" as const), block }),
    fc.record({ op: fc.constant("error" as const), code: block, message: text }),
    fc.record({ op: fc.constant("oack" as const), options: options(1) }),
  )
  .map((packet) => ({ ...packet })); // fc.record builds null-prototype objects

function encode(packet: TftpPacket): Buffer {
  switch (packet.op) {
    case "rrq":
    case "wrq":
      return encodeRequest(packet.op, packet.filename, packet.mode, packet.options);
    case "data":
      return encodeData(packet.block, packet.data);
    case "ack":
      return encodeAck(packet.block);
    case "error":
      return encodeError(packet.code, packet.message);
    case "oack":
      return encodeOack(packet.options);
  }
}

test("every packet type survives encode → decode", () => {
  fc.assert(fc.property(packets, (packet) => assert.deepEqual(decodeTftp(encode(packet)), packet)));
});

test("random bytes and truncated packets never throw", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      decodeTftp(Buffer.from(bytes));
    }),
    { numRuns: 5000 },
  );
  fc.assert(
    fc.property(packets, fc.nat(), (packet, cut) => {
      const wire = encode(packet);
      decodeTftp(wire.subarray(0, cut % (wire.length + 1)));
    }),
  );
});

test("a request's mode and option names are lower-cased; values are kept as sent", () => {
  const wire = Buffer.from("\0\x01pxe/Boot.EFI\0OCTET\0BlkSize\x001468\0TSIZE\x000\0");
  assert.deepEqual(decodeTftp(wire), {
    op: "rrq",
    filename: "pxe/Boot.EFI",
    mode: "octet",
    options: new Map([
      ["blksize", "1468"],
      ["tsize", "0"],
    ]),
  });
});

test("malformed datagrams decode to undefined", () => {
  const cases: Record<string, string> = {
    empty: "",
    "too short": "\0\x04\0",
    "opcode 0": "\0\0\0\x01",
    "opcode 7": "\0\x07\0\x01",
    "request without NUL after the name": "\0\x01file",
    "request without NUL after the mode": "\0\x01file\0octet",
    "request without a mode": "\0\x01file\0",
    "empty file name": "\0\x01\0octet\0",
    "option without a value": "\0\x01file\0octet\0blksize\0",
    "option value without NUL": "\0\x01file\0octet\0blksize\x001468",
    "duplicate option": "\0\x01file\0octet\0blksize\x00512\0BLKSIZE\x001468\0",
    "empty option name": "\0\x01file\0octet\0\x001468\0",
    "OACK without options": "\0\x06",
    "OACK with an odd list": "\0\x06tsize\0",
  };
  for (const [name, wire] of Object.entries(cases)) {
    assert.equal(decodeTftp(Buffer.from(wire, "latin1")), undefined, name);
  }
});

test("tolerated quirks: an ACK with trailing bytes, an ERROR without its final NUL", () => {
  assert.deepEqual(decodeTftp(Buffer.from("\0\x04\0\x07xx", "latin1")), { op: "ack", block: 7 });
  assert.deepEqual(decodeTftp(Buffer.from("\0\x05\0\x08no tsize", "latin1")), {
    op: "error",
    code: 8,
    message: "no tsize",
  });
});

test("block numbers are sent modulo 65536", () => {
  assert.equal(encodeData(65536, Buffer.alloc(0)).readUInt16BE(2), 0);
  assert.equal(encodeData(65537, Buffer.alloc(0)).readUInt16BE(2), 1);
  assert.equal(encodeAck(65535 + 3).readUInt16BE(2), 2);
});

test("an empty DATA block is four bytes", () => {
  assert.deepEqual(encodeData(3, Buffer.alloc(0)), Buffer.from([0, 3, 0, 3]));
  assert.deepEqual(decodeTftp(Buffer.from([0, 3, 0, 3])), { op: "data", block: 3, data: Buffer.alloc(0) });
});
