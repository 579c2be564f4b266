import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseIpv4 } from "../ip.ts";
import { decodePacket, encodePacket, isIpxeUserClass, parseRequest } from "./codec.ts";
import { BROADCAST_FLAG, type DhcpPacket, type DropReason, MessageType, Option } from "./message.ts";
import { ipv4s, text, u8, u16, u32 } from "./option-values.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");
const zeros = (n: number) => "00".repeat(n);
const ip = (s: string) => parseIpv4(s)!;

const DROP_REASONS = new Set<DropReason>([
  "size",
  "cookie",
  "option_overrun",
  "option_too_long",
  "op",
  "hardware",
  "message_type",
]);

/** The 240 bytes before the options of a broadcast DISCOVER from 52:54:00:be:ef:01. */
const DISCOVER_HEADER = `
  01 01 06 00  45 bd a0 53  00 00  00 00
  00000000 00000000 00000000 00000000
  525400beef01 ${zeros(10)}
  ${zeros(64)} ${zeros(128)}
  63 82 53 63`;

/**
 * Captured from busybox 1.35 `udhcpc -i cdxc -x 0x5d:0007 -x 0x4d:69505845
 * -V PXEClient:Arch:00007` in a network namespace (dhcp.md §8.1).
 */
const UDHCPC_DISCOVER = hex(`${DISCOVER_HEADER}
  35 01 01
  39 02 02 40
  37 07 01 03 06 0c 0f 1c 2a
  3c 14 505845436c69656e743a417263683a3030303037
  3d 07 01 525400beef01
  4d 04 69505845
  5d 02 0007
  ff 0000`);

/** A raw datagram: the DISCOVER header followed by the given option bytes, unpadded. */
function withOptions(options: string, patch: (buf: Buffer) => void = () => {}): Buffer {
  const buf = hex(DISCOVER_HEADER + options);
  patch(buf);
  return buf;
}

function packet(options: Array<[number, Buffer]>, fields: Partial<DhcpPacket> = {}): DhcpPacket {
  return {
    op: 1,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: 0x12345678,
    secs: 0,
    flags: 0,
    ciaddr: 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr: 0,
    chaddr: hex(`525400beef01${zeros(10)}`),
    sname: Buffer.alloc(0),
    file: Buffer.alloc(0),
    options: new Map(options),
    ...fields,
  };
}

const discover = (options: Array<[number, Buffer]>, fields: Partial<DhcpPacket> = {}) =>
  encodePacket(packet([[Option.MESSAGE_TYPE, u8(MessageType.DISCOVER)], ...options], fields));

function decoded(buf: Buffer): DhcpPacket {
  const result = decodePacket(buf);
  assert.equal(typeof result, "object", `dropped: ${String(result)}`);
  return result as DhcpPacket;
}

function request(buf: Buffer) {
  const result = parseRequest(buf);
  assert.equal(typeof result, "object", `dropped: ${String(result)}`);
  return result as Exclude<ReturnType<typeof parseRequest>, DropReason>;
}

test("a udhcpc DISCOVER decodes field by field", () => {
  const p = decoded(UDHCPC_DISCOVER);
  assert.equal(UDHCPC_DISCOVER.length, 300);
  assert.deepEqual([p.op, p.htype, p.hlen, p.hops, p.xid, p.secs, p.flags], [1, 1, 6, 0, 0x45bda053, 0, 0]);
  assert.deepEqual([p.ciaddr, p.yiaddr, p.siaddr, p.giaddr], [0, 0, 0, 0]);
  assert.equal(p.chaddr.toString("hex"), `525400beef01${zeros(10)}`);
  assert.equal(p.sname.length, 0);
  assert.equal(p.file.length, 0);
  assert.deepEqual([...p.options.keys()], [53, 57, 55, 60, 61, 77, 93]);
  assert.equal(p.options.get(53)!.toString("hex"), "01");
  assert.equal(p.options.get(57)!.readUInt16BE(0), 576);
  assert.equal(p.options.get(55)!.toString("hex"), "0103060c0f1c2a");
  assert.equal(p.options.get(60)!.toString(), "PXEClient:Arch:00007");
  assert.equal(p.options.get(61)!.toString("hex"), "01525400beef01");
  assert.equal(p.options.get(77)!.toString(), "iPXE");
  assert.equal(p.options.get(93)!.toString("hex"), "0007");

  const r = request(UDHCPC_DISCOVER);
  assert.equal(r.packet.xid, 0x45bda053);
  assert.equal(r.messageType, MessageType.DISCOVER);
  assert.equal(r.mac, "52:54:00:be:ef:01");
  assert.equal(r.requestedIp, undefined);
  assert.equal(r.serverId, undefined);
  assert.deepEqual([...r.parameterList], [1, 3, 6, 12, 15, 28, 42]);
  assert.equal(r.ipxe, true);
  assert.equal(r.arch, 7);
  assert.equal(r.maxMessageSize, 576);
});

test("single option values are views into the datagram, not copies", () => {
  const p = decoded(UDHCPC_DISCOVER);
  const value = p.options.get(Option.CLASS_ID)!;
  assert.equal(value.buffer, UDHCPC_DISCOVER.buffer);
  assert.equal(value.byteOffset, UDHCPC_DISCOVER.byteOffset + 240 + 3 + 4 + 9 + 2);
  assert.equal(p.chaddr.buffer, UDHCPC_DISCOVER.buffer);
});

test("an OFFER encodes byte for byte: header, options in Map order, END, zeros to 300", () => {
  const offer = packet(
    [
      [Option.MESSAGE_TYPE, u8(MessageType.OFFER)],
      [Option.SERVER_ID, ipv4s(ip("10.99.0.1"))],
      [Option.LEASE_TIME, u32(3600)],
      [Option.SUBNET_MASK, ipv4s(ip("255.255.255.0"))],
      [Option.ROUTER, ipv4s(ip("10.99.0.1"))],
      [Option.HOSTNAME, text("nid0001")],
      [Option.BOOTFILE, text("ipxe-x86_64.efi")],
    ],
    {
      op: 2,
      xid: 0x45bda053,
      flags: BROADCAST_FLAG,
      yiaddr: ip("10.99.0.50"),
      siaddr: ip("10.99.0.1"),
      file: text("ipxe-x86_64.efi"),
    },
  );
  const wire = encodePacket(offer);
  assert.equal(wire.length, 300);
  const header = hex(`
    02 01 06 00  45 bd a0 53  00 00  80 00
    00000000 0a630032 0a630001 00000000
    525400beef01 ${zeros(10)}
    ${zeros(64)}
    69 70 78 65 2d 78 38 36 5f 36 34 2e 65 66 69 ${zeros(113)}
    63 82 53 63`);
  assert.equal(wire.subarray(0, 240).toString("hex"), header.toString("hex"));
  const options = hex(`
    35 01 02
    36 04 0a630001
    33 04 00000e10
    01 04 ffffff00
    03 04 0a630001
    0c 07 6e696430303031
    43 0f 697078652d783836 5f36342e656669
    ff`);
  assert.equal(wire.subarray(240, 240 + options.length).toString("hex"), options.toString("hex"));
  assert.equal(wire.subarray(240 + options.length).toString("hex"), zeros(300 - 240 - options.length));
});

const byte = fc.integer({ min: 0, max: 255 });
const u16Arb = fc.integer({ min: 0, max: 0xffff });
const u32Arb = fc.integer({ min: 0, max: 0xffffffff });
const noNul = (maxLength: number) =>
  fc.uint8Array({ min: 1, max: 255, maxLength }).map((bytes) => Buffer.from(bytes));
const optionValue = fc
  .oneof(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ minLength: 200, maxLength: 600 }))
  .map((bytes) => Buffer.from(bytes));
const optionCode = fc.integer({ min: 1, max: 254 }).filter((code) => code !== Option.OVERLOAD);
/** At most 6 options of ≤600 bytes keep the datagram under 4096 bytes. */
const packetArb: fc.Arbitrary<DhcpPacket> = fc.record(
  {
    op: byte,
    htype: byte,
    hlen: byte,
    hops: byte,
    xid: u32Arb,
    secs: u16Arb,
    flags: u16Arb,
    ciaddr: u32Arb,
    yiaddr: u32Arb,
    siaddr: u32Arb,
    giaddr: u32Arb,
    chaddr: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => Buffer.from(bytes)),
    sname: noNul(64),
    file: noNul(128),
    options: fc
      .uniqueArray(fc.tuple(optionCode, optionValue), { selector: ([code]) => code, maxLength: 6 })
      .map((entries) => new Map(entries)),
  },
  { noNullPrototype: true },
);

test("any valid packet survives encode then decode, option order included", () => {
  fc.assert(
    fc.property(packetArb, (p) => {
      const wire = encodePacket(p);
      assert.ok(wire.length >= 300);
      const back = decoded(wire);
      assert.deepEqual(back, p);
      assert.deepEqual([...back.options.keys()], [...p.options.keys()]);
    }),
    { numRuns: 300 },
  );
});

test("values over 255 bytes are split into consecutive instances of the same code (RFC 3396)", () => {
  const value = Buffer.alloc(600, 0xab);
  const wire = encodePacket(packet([[Option.HOSTNAME, value]]));
  assert.deepEqual([wire[240], wire[241]], [12, 255]);
  assert.deepEqual([wire[240 + 257], wire[240 + 258]], [12, 255]);
  assert.deepEqual([wire[240 + 514], wire[240 + 515]], [12, 90]);
  assert.equal(wire[240 + 516 + 90], Option.END);
  assert.equal(wire.length, 240 + 3 * 2 + 600 + 1);
  assert.deepEqual(decoded(wire).options.get(Option.HOSTNAME), value);
  assert.equal(
    encodePacket(packet([[Option.HOSTNAME, Buffer.alloc(0)]]))
      .subarray(240, 243)
      .toString("hex"),
    "0c00ff",
  );
});

test("repeated options are joined in order and keep the position of their first instance", () => {
  const p = decoded(withOptions("35 01 01  0c 02 6e 69  37 02 01 03  0c 01 64  00 00  0c 02 30 31  ff"));
  assert.deepEqual([...p.options.keys()], [53, 12, 55]);
  assert.equal(p.options.get(Option.HOSTNAME)!.toString(), "nid01");
  assert.equal(p.options.get(Option.PARAMETER_LIST)!.toString("hex"), "0103");
});

test("option 52 continues the options in file, then sname, which then read as empty", () => {
  const both = decoded(
    withOptions("35 01 01  34 01 03  0c 02 6e 69  ff", (buf) => {
      buf.set(hex("0c 01 64  00  43 03 61 62 63  ff"), 108);
      buf.set(hex("0c 02 30 31  37 01 03"), 44);
    }),
  );
  assert.deepEqual([...both.options.keys()], [53, 12, 67, 55]);
  assert.equal(both.options.get(Option.HOSTNAME)!.toString(), "nid01");
  assert.equal(both.options.get(Option.BOOTFILE)!.toString(), "abc");
  assert.equal(both.options.has(Option.OVERLOAD), false);
  assert.equal(both.file.length, 0);
  assert.equal(both.sname.length, 0);

  const fileOnly = decoded(
    withOptions("35 01 01  34 01 01  ff", (buf) => {
      buf.set(hex("43 03 61 62 63 ff"), 108);
      buf.write("tftp-server\0junk", 44, "latin1");
    }),
  );
  assert.equal(fileOnly.options.get(Option.BOOTFILE)!.toString(), "abc");
  assert.equal(fileOnly.file.length, 0);
  assert.equal(fileOnly.sname.toString(), "tftp-server");

  const snameOnly = decoded(
    withOptions("35 01 01  34 01 02  ff", (buf) => {
      buf.set(hex("0c 01 78 ff"), 44);
      buf.write("boot.efi", 108, "latin1");
    }),
  );
  assert.equal(snameOnly.options.get(Option.HOSTNAME)!.toString(), "x");
  assert.equal(snameOnly.sname.length, 0);
  assert.equal(snameOnly.file.toString(), "boot.efi");
});

test("an option 52 of another value is kept as data and file/sname stay text", () => {
  const p = decoded(withOptions("35 01 01  34 01 07  ff", (buf) => buf.write("boot.efi", 108, "latin1")));
  assert.equal(p.options.get(Option.OVERLOAD)!.toString("hex"), "07");
  assert.equal(p.file.toString(), "boot.efi");
});

test("sname and file hold the bytes before their first NUL", () => {
  const p = decoded(
    withOptions("35 01 01 ff", (buf) => {
      buf.write("server\0rest", 44, "latin1");
      buf.fill(0x41, 108, 236);
    }),
  );
  assert.equal(p.sname.toString(), "server");
  assert.equal(p.file.toString(), "A".repeat(128));
});

test("every drop reason is reachable", () => {
  const cases: Array<[DropReason, Buffer]> = [
    ["size", UDHCPC_DISCOVER.subarray(0, 239)],
    ["size", Buffer.alloc(0)],
    ["size", Buffer.concat([UDHCPC_DISCOVER, Buffer.alloc(4097 - 300)])],
    ["cookie", withOptions("35 01 01 ff", (buf) => buf.writeUInt8(0x64, 239))],
    ["option_overrun", withOptions("35 01 01  0c 05 61 62")],
    ["option_overrun", withOptions("35 01 01  0c")],
    // An overloaded file area ends before the cookie even though bytes follow it.
    ["option_overrun", withOptions("35 01 01  34 01 01  ff", (buf) => buf.set(hex("0c 7f"), 234))],
    ["option_too_long", withOptions(`35 01 01 ${`0c ff ${zeros(255)} `.repeat(5)} ff`)],
    ["op", withOptions("35 01 01 ff", (buf) => buf.writeUInt8(2, 0))],
    ["hardware", withOptions("35 01 01 ff", (buf) => buf.writeUInt8(6, 1))],
    ["hardware", withOptions("35 01 01 ff", (buf) => buf.writeUInt8(16, 2))],
    ["message_type", withOptions("0c 01 61 ff")],
    ["message_type", withOptions("35 02 01 01 ff")],
    ["message_type", withOptions("35 01 02 ff")],
    ["message_type", withOptions("35 01 09 ff")],
  ];
  for (const [reason, buf] of cases)
    assert.equal(parseRequest(buf), reason, `${reason}, ${buf.length} bytes`);
  const policyOnly = cases.filter(([reason]) => ["op", "hardware", "message_type"].includes(reason));
  for (const [, buf] of policyOnly) assert.equal(typeof decodePacket(buf), "object");
  assert.deepEqual(new Set(cases.map(([reason]) => reason)), DROP_REASONS);
});

test("the size and length limits are inclusive", () => {
  assert.equal(typeof decodePacket(UDHCPC_DISCOVER.subarray(0, 240)), "object");
  assert.equal(typeof decodePacket(Buffer.concat([UDHCPC_DISCOVER, Buffer.alloc(4096 - 300)])), "object");
  const joined = decoded(withOptions(`35 01 01 ${`0c ff ${zeros(255)} `.repeat(4)} 0c 04 ${zeros(4)} ff`));
  assert.equal(joined.options.get(Option.HOSTNAME)!.length, 1024);
});

test("every accepted request type parses; server-bound types do not", () => {
  for (const type of [1, 3, 4, 7, 8]) assert.equal(request(discover([[53, u8(type)]])).messageType, type);
  for (const type of [0, 2, 5, 6, 9, 255])
    assert.equal(parseRequest(discover([[53, u8(type)]])), "message_type");
});

test("options 50 and 54 are read only with exactly 4 bytes; 55 defaults to empty", () => {
  const r = request(
    discover([
      [Option.REQUESTED_IP, ipv4s(ip("10.99.0.50"))],
      [Option.SERVER_ID, ipv4s(ip("10.99.0.1"))],
    ]),
  );
  assert.equal(r.requestedIp, ip("10.99.0.50"));
  assert.equal(r.serverId, ip("10.99.0.1"));
  assert.equal(r.parameterList.length, 0);
  const odd = request(
    discover([
      [Option.REQUESTED_IP, hex("0a6300")],
      [Option.SERVER_ID, hex("0a63000100")],
    ]),
  );
  assert.equal(odd.requestedIp, undefined);
  assert.equal(odd.serverId, undefined);
});

test("the MAC is lower-case hex from the first six bytes of chaddr", () => {
  const r = request(discover([], { chaddr: hex(`AABBCC0D0EFF 1122 ${zeros(8)}`) }));
  assert.equal(r.mac, "aa:bb:cc:0d:0e:ff");
});

test("iPXE is detected as the bare bytes or inside an RFC 3004 user-class list", () => {
  const ipxe = (value: Buffer) => request(discover([[Option.USER_CLASS, value]])).ipxe;
  assert.equal(ipxe(text("iPXE")), true);
  assert.equal(ipxe(hex("04 69505845")), true);
  assert.equal(ipxe(hex("03 616263 04 69505845")), true);
  assert.equal(request(discover([])).ipxe, false);
  for (const other of ["ipxe", "iPXE2", "xiPXE", ""]) assert.equal(ipxe(text(other)), false, other);
  assert.equal(ipxe(hex("05 6950584532")), false);
  assert.equal(ipxe(hex("03 616263 09 69505845")), false, "entry runs past the value");
  assert.equal(isIpxeUserClass(undefined), false);
});

test("arch is option 93's first 16-bit entry", () => {
  const arch = (value: Buffer) => request(discover([[Option.CLIENT_ARCH, value]])).arch;
  assert.equal(arch(u16(7)), 7);
  assert.equal(arch(hex("000b 0007")), 11);
  assert.equal(arch(hex("07")), undefined);
  assert.equal(request(discover([])).arch, undefined);
});

test("the maximum message size defaults to 576 and is never below it", () => {
  const size = (options: Array<[number, Buffer]>) => request(discover(options)).maxMessageSize;
  assert.equal(size([]), 576);
  assert.equal(size([[Option.MAX_MESSAGE_SIZE, u16(1500)]]), 1500);
  assert.equal(size([[Option.MAX_MESSAGE_SIZE, u16(300)]]), 576);
  assert.equal(size([[Option.MAX_MESSAGE_SIZE, hex("05")]]), 576);
});

test("with maxSize, options that do not fit are left out and later ones still tried", () => {
  const p = packet([
    [Option.MESSAGE_TYPE, u8(MessageType.OFFER)],
    [Option.ROOT_PATH, Buffer.alloc(400, 0x61)],
    [Option.HOSTNAME, text("nid0001")],
    [Option.BOOTFILE, Buffer.alloc(280, 0x62)],
  ]);
  const wire = encodePacket(p, 548);
  assert.ok(wire.length <= 548);
  assert.deepEqual([...decoded(wire).options.keys()], [53, 12, 67]);
  assert.equal(wire.length, 240 + 3 + 9 + 284 + 1);
  // The header alone fills the budget: no options, still END and the 300-byte minimum.
  const bare = encodePacket(p, 241);
  assert.equal(bare.length, 300);
  assert.equal(bare[240], Option.END);
  assert.equal(decoded(bare).options.size, 0);
  assert.deepEqual([...decoded(encodePacket(p)).options.keys()], [53, 17, 12, 67]);
});

test("encoding truncates long sname/file, skips unframeable codes and normalises signed addresses", () => {
  const wire = encodePacket(
    packet(
      [
        [0, u8(1)],
        [255, u8(1)],
        [300, u8(1)],
        [Option.MESSAGE_TYPE, u8(MessageType.ACK)],
      ],
      { sname: Buffer.alloc(70, 0x73), file: Buffer.alloc(130, 0x66), yiaddr: ip("255.1.2.3") | 0 },
    ),
  );
  const p = decoded(wire);
  assert.equal(p.sname.length, 64);
  assert.equal(p.file.length, 128);
  assert.equal(p.yiaddr, ip("255.1.2.3"));
  assert.deepEqual([...p.options.keys()], [53]);
});

function assertDropOrPacket(result: unknown): void {
  if (typeof result === "string") assert.ok(DROP_REASONS.has(result as DropReason), result);
  else assert.equal(typeof result, "object");
}

test("fuzz: random datagrams never throw", () => {
  const cookie = hex("63825363");
  const datagram = fc.oneof(
    fc.uint8Array({ maxLength: 5000, size: "max" }),
    fc.uint8Array({ minLength: 230, maxLength: 700 }),
  );
  fc.assert(
    fc.property(datagram, fc.boolean(), (bytes, withCookie) => {
      const buf = Buffer.from(bytes);
      if (withCookie && buf.length >= 240) buf.set(cookie, 236);
      assertDropOrPacket(decodePacket(buf));
      assertDropOrPacket(parseRequest(buf));
    }),
    { numRuns: 500 },
  );
});

/** Offsets of the option length bytes in the golden DISCOVER. */
const GOLDEN_LENGTHS = [241, 244, 248, 257, 279, 288, 294];

test("fuzz: mutated DISCOVERs never throw, and what decodes re-encodes to the same options", () => {
  const mutation = fc.record({
    flips: fc.array(fc.tuple(fc.nat(), byte), { maxLength: 8 }),
    optionFlips: fc.array(fc.tuple(fc.nat(), byte), { maxLength: 8 }),
    lengths: fc.array(fc.tuple(fc.constantFrom(...GOLDEN_LENGTHS), byte), { maxLength: 3 }),
    length: fc.option(fc.integer({ min: 200, max: 400 }), { nil: undefined }),
  });
  fc.assert(
    fc.property(mutation, ({ flips, optionFlips, lengths, length }) => {
      const buf = Buffer.from(UDHCPC_DISCOVER);
      for (const [at, value] of flips) buf[at % buf.length] = value;
      for (const [at, value] of optionFlips) buf[240 + (at % 60)] = value;
      for (const [at, value] of lengths) buf[at] = value;
      const mutated =
        length === undefined ? buf : Buffer.concat([buf, Buffer.alloc(400)]).subarray(0, length);
      const result = decodePacket(mutated);
      assertDropOrPacket(result);
      assertDropOrPacket(parseRequest(mutated));
      if (typeof result === "object") {
        const again = decoded(encodePacket(result));
        assert.deepEqual(again.options, result.options);
        assert.deepEqual([...again.options.keys()], [...result.options.keys()]);
      }
    }),
    { numRuns: 3000 },
  );
});
