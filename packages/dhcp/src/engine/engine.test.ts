import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { BROADCAST_FLAG, MessageType, Option } from "../dhcp/message.ts";
import type { DhcpInventoryData } from "../hosts/view.ts";
import { formatIpv4 } from "../ip.ts";
import type { Reply } from "./engine.ts";
import {
  asReply,
  dhcpRequest,
  type EngineFixture,
  engineFixture,
  inventory,
  nic,
  node,
  onWire,
  optionIps,
  optionText,
  type RequestFields,
  recordingLogger,
} from "./test-support.ts";

const { DISCOVER, REQUEST, DECLINE, RELEASE, INFORM, OFFER, ACK, NAK } = MessageType;

const KNOWN = "52:54:00:be:ef:01";
const DISABLED = "52:54:00:be:ef:02";
const IGNORED = "52:54:00:be:ef:03";
const MULTI = "52:54:00:be:ef:04";
const OFFNET = "52:54:00:be:ef:05";
const BMC = "52:54:00:be:ef:10";
const UNKNOWN = "52:54:00:00:00:99";
const UNKNOWN2 = "52:54:00:00:00:98";
const UNKNOWN3 = "52:54:00:00:00:97";
const OURS = "10.0.0.1";
const BSS_URL = `http://10.0.0.1:8081/boot/v1/bootscript?mac=${KNOWN}`;

/** SMD's MACs in odd spellings: matching must not depend on case or separators. */
const DATA: DhcpInventoryData = inventory(
  [
    node("x1000c0s0b0n0", 1),
    node("x1000c0s0b0n1", 2, { Enabled: false }),
    node("x1000c0s0b1n0", 3),
    node("x1000c0s1b0n0", 4),
    node("x1000c0s2b0n0", 5),
    { ID: "x1000c0s0b0", Type: "NodeBMC", Enabled: true },
  ],
  [
    nic("52:54:00:BE:EF:01", "x1000c0s0b0n0", "10.0.0.11"),
    nic("52-54-00-be-ef-02", "x1000c0s0b0n1", "10.0.0.12"),
    nic("525400beef03", "x1000c0s0b1n0", "10.0.0.13"),
    nic(MULTI, "x1000c0s1b0n0", "10.1.0.14", "10.0.0.14"),
    nic(OFFNET, "x1000c0s2b0n0", "10.2.0.15"),
    nic("5254.00BE.EF10", "x1000c0s0b0", "10.0.0.21"),
    // An interface of no listed component: not a host, but its address stays out of the pool.
    nic("52:54:00:be:ef:ee", "x9c0s0b0n0", "10.0.0.200"),
  ],
);

interface YamlParts {
  server4?: string;
  ipxeBaseUri?: string;
  rules?: string[];
  bootloop?: string | undefined;
}

const POOL = `  bootloop:
    lease_time: 5m
    subnet_pool: ["10.0.0.0/24,10.0.0.200,10.0.0.203", "10.1.0.0/24,10.1.0.200,10.1.0.201"]
`;

const RULES = [
  "id:x1000c0s0b1n0,ignore:true",
  "type:Node,hostname:nid{04d}",
  "type:NodeBMC,hostname:bmc{04d}",
];

function yaml(parts: YamlParts = {}): string {
  const rules = (parts.rules ?? RULES).map((r) => `      - "${r}"\n`).join("");
  return `server4:
  server_id: ${OURS}
  dns: [10.0.0.53]
  router: 10.0.0.254
  netmask: 255.255.255.0
${parts.server4 ?? "  subnet: 10.0.0.0/24\n"}  coresmd:
    ipxe_base_uri: ${parts.ipxeBaseUri ?? "http://10.0.0.1:8081"}
    lease_time: 1h
    domain: cluster
    rule:
${rules}${"bootloop" in parts ? (parts.bootloop ?? "") : POOL}`;
}

/** Runs `body` on a fresh fixture, closed afterwards. */
async function withEngine(
  parts: YamlParts,
  body: (f: EngineFixture) => Promise<void>,
  options: Parameters<typeof engineFixture>[2] & { data?: DhcpInventoryData | null } = {},
): Promise<void> {
  const data = options.data === null ? undefined : (options.data ?? DATA);
  const fixture = await engineFixture(yaml(parts), data, options);
  try {
    await body(fixture);
  } finally {
    await fixture.close();
  }
}

async function answer(f: EngineFixture, type: number, mac: string, fields: RequestFields = {}) {
  return f.engine.handle(dhcpRequest(type, mac, fields));
}

async function reply(f: EngineFixture, type: number, mac: string, fields: RequestFields = {}) {
  const r = asReply(await answer(f, type, mac, fields));
  return { ...r, wire: onWire(r).packet, bytes: onWire(r).bytes };
}

const codes = (r: { wire: { options: Map<number, Buffer> } }) => [...r.wire.options.keys()];
const yiaddr = (r: Reply) => formatIpv4(r.packet.yiaddr);
const messageType = (r: Reply) => r.packet.options.get(Option.MESSAGE_TYPE)?.[0];

describe("known MACs (§3.2)", () => {
  let f: EngineFixture;
  before(async () => {
    f = await engineFixture(yaml({ bootloop: undefined }), DATA);
  });
  after(() => f.close());

  test("DISCOVER → OFFER with the SMD address and the options in the spec's order and values", async () => {
    const r = await reply(f, DISCOVER, KNOWN, { arch: 7, xid: 0xdeadbeef, flags: BROADCAST_FLAG });
    assert.equal(messageType(r), OFFER);
    assert.deepEqual(codes(r), [53, 54, 51, 1, 3, 12, 17, 67]);
    const p = r.wire;
    assert.equal(p.op, 2);
    assert.equal(p.xid, 0xdeadbeef);
    assert.equal(p.flags, BROADCAST_FLAG);
    assert.equal(p.htype, 1);
    assert.equal(p.hlen, 6);
    assert.equal(p.chaddr.subarray(0, 6).toString("hex"), "525400beef01");
    assert.equal(formatIpv4(p.yiaddr), "10.0.0.11");
    assert.equal(formatIpv4(p.siaddr), OURS, "siaddr = server_id (next-server)");
    assert.deepEqual(optionIps(p, Option.SERVER_ID), [OURS]);
    assert.equal(p.options.get(Option.LEASE_TIME)?.readUInt32BE(0), 3600);
    assert.deepEqual(optionIps(p, Option.SUBNET_MASK), ["255.255.255.0"]);
    assert.deepEqual(optionIps(p, Option.ROUTER), ["10.0.0.254"]);
    assert.equal(optionText(p, Option.HOSTNAME), "nid0001.cluster");
    assert.equal(optionText(p, Option.ROOT_PATH), OURS);
    assert.equal(optionText(p, Option.BOOTFILE), "ipxe-x86_64.efi");
    assert.equal(p.file.toString(), "ipxe-x86_64.efi", "a short boot file is in `file` too");
    assert.ok(r.bytes.length >= 300, `padded to 300 bytes, got ${r.bytes.length}`);
  });

  test("option 6 only when option 55 asks for it; option 82 is echoed last", async () => {
    const relayAgent = Buffer.from("0106657468302f31", "hex");
    const r = await reply(f, DISCOVER, KNOWN, { params: [1, 3, 6, 12, 15], relayAgent });
    assert.deepEqual(codes(r), [53, 54, 51, 1, 3, 6, 12, 17, 82]);
    assert.deepEqual(optionIps(r.wire, Option.DNS), ["10.0.0.53"]);
    assert.deepEqual(r.wire.options.get(Option.RELAY_AGENT), relayAgent);
    const without = await reply(f, DISCOVER, KNOWN, { params: [1, 3, 12] });
    assert.equal(without.wire.options.has(Option.DNS), false);
  });

  test("REQUEST selecting the SMD address → ACK with the same options", async () => {
    const r = await reply(f, REQUEST, KNOWN, { serverId: OURS, requestedIp: "10.0.0.11", arch: 0 });
    assert.equal(messageType(r), ACK);
    assert.equal(yiaddr(r), "10.0.0.11");
    assert.deepEqual(codes(r), [53, 54, 51, 1, 3, 12, 17, 67]);
    assert.equal(optionText(r.wire, Option.BOOTFILE), "undionly.kpxe");
  });

  test("the boot file follows option 93; unmapped or absent arches get a lease without one", async () => {
    const expected: [number | undefined, string | undefined][] = [
      [0, "undionly.kpxe"],
      [6, "ipxe-i386.efi"],
      [7, "ipxe-x86_64.efi"],
      [9, "ipxe-x86_64.efi"],
      [10, "ipxe-arm32.efi"],
      [11, "ipxe-arm64.efi"],
      [16, undefined],
      [2, undefined],
      [undefined, undefined],
    ];
    for (const [arch, file] of expected) {
      const r = await reply(f, DISCOVER, KNOWN, { arch });
      assert.equal(optionText(r.wire, Option.BOOTFILE), file, `arch ${arch}`);
      assert.equal(r.wire.file.toString(), file ?? "", `arch ${arch}: file field`);
      assert.equal(yiaddr(r), "10.0.0.11", `arch ${arch}: lease still given`);
    }
  });

  test("iPXE (option 77) gets its BSS boot script URL, whatever its arch", async () => {
    const r = await reply(f, DISCOVER, KNOWN, { ipxe: true, arch: 7 });
    assert.equal(optionText(r.wire, Option.BOOTFILE), BSS_URL);
    assert.equal(r.wire.file.toString(), BSS_URL);
    assert.equal(f.engine.bootScriptUrl(KNOWN), BSS_URL);
  });

  test("SMD MACs match whatever their case and separators", async () => {
    assert.equal(yiaddr(await reply(f, DISCOVER, KNOWN)), "10.0.0.11");
    assert.equal(yiaddr(await reply(f, DISCOVER, BMC)), "10.0.0.21");
    const bmc = await reply(f, DISCOVER, BMC);
    assert.equal(optionText(bmc.wire, Option.HOSTNAME), "bmc0001.cluster", "a BMC takes its node's NID");
  });

  test("Enabled=false and ignore rules → silence", async () => {
    assert.equal(await answer(f, DISCOVER, DISABLED), "disabled");
    assert.equal(await answer(f, REQUEST, DISABLED, { requestedIp: "10.0.0.12" }), "disabled");
    assert.equal(await answer(f, DISCOVER, IGNORED), "ignored");
    assert.equal(await answer(f, REQUEST, IGNORED, { requestedIp: "10.0.0.13" }), "ignored");
  });

  test("REQUEST for another address → NAK, broadcast to the client port", async () => {
    for (const fields of [
      { serverId: OURS, requestedIp: "10.0.0.99" },
      { requestedIp: "10.0.0.99" },
      { ciaddr: "10.0.0.99" },
    ]) {
      const r = await reply(f, REQUEST, KNOWN, fields);
      assert.equal(messageType(r), NAK, JSON.stringify(fields));
      assert.deepEqual(codes(r), [53, 54]);
      assert.equal(r.wire.yiaddr, 0);
      assert.equal(r.wire.siaddr, 0);
      assert.equal(r.wire.ciaddr, 0, "RFC 2131 table 3: a NAK's ciaddr is 0");
      assert.deepEqual([r.address, r.port], ["255.255.255.255", 68]);
    }
  });

  test("renewing the right address (ciaddr) → ACK unicast to ciaddr", async () => {
    const r = await reply(f, REQUEST, KNOWN, { ciaddr: "10.0.0.11" });
    assert.equal(messageType(r), ACK);
    assert.equal(formatIpv4(r.wire.ciaddr), "10.0.0.11");
    assert.deepEqual([r.address, r.port], ["10.0.0.11", 68]);
  });

  test("REQUEST naming another server → silence", async () => {
    assert.equal(
      await answer(f, REQUEST, KNOWN, { serverId: "10.0.0.2", requestedIp: "10.0.0.11" }),
      "other_server",
    );
  });

  test("INFORM → ACK with yiaddr 0 and no lease time, sent to ciaddr", async () => {
    const r = await reply(f, INFORM, KNOWN, { ciaddr: "10.0.0.11", params: [6] });
    assert.equal(messageType(r), ACK);
    assert.equal(r.wire.yiaddr, 0);
    assert.equal(formatIpv4(r.wire.ciaddr), "10.0.0.11");
    assert.deepEqual(codes(r), [53, 54, 1, 3, 6, 12, 17]);
    assert.deepEqual([r.address, r.port], ["10.0.0.11", 68]);
  });

  test("RELEASE and DECLINE → silence", async () => {
    assert.equal(await answer(f, RELEASE, KNOWN, { ciaddr: "10.0.0.11" }), "release");
    assert.equal(await answer(f, DECLINE, KNOWN, { requestedIp: "10.0.0.11" }), "decline");
  });

  test("relayed (giaddr ≠ 0) → every reply, NAK included, goes to giaddr on the relay port", async () => {
    const relay = { giaddr: "10.0.0.250" };
    const offer = await reply(f, DISCOVER, KNOWN, relay);
    assert.deepEqual([offer.address, offer.port], ["10.0.0.250", 67]);
    assert.equal(formatIpv4(offer.wire.giaddr), "10.0.0.250");
    const relayAgent = Buffer.from("0203abcdef", "hex");
    const nak = await reply(f, REQUEST, KNOWN, { ...relay, requestedIp: "10.0.0.99", relayAgent });
    assert.equal(messageType(nak), NAK);
    assert.deepEqual([nak.address, nak.port], ["10.0.0.250", 67]);
    assert.deepEqual(nak.wire.options.get(Option.RELAY_AGENT), relayAgent, "82 echoed in a NAK too");
    const inform = await reply(f, INFORM, KNOWN, { ...relay, ciaddr: "10.0.0.11" });
    assert.deepEqual([inform.address, inform.port], ["10.0.0.250", 67]);
  });

  test("with giaddr 0, the listener subnet picks the address of a multi-homed host", async () => {
    assert.equal(yiaddr(await reply(f, DISCOVER, MULTI)), "10.0.0.14");
  });

  test("option 57: an option that does not fit is left out, the rest still sent", async () => {
    // Default 576 (548 for the message): fits. The client's own larger limit is honoured too.
    const small = await reply(f, DISCOVER, KNOWN, { ipxe: true });
    assert.equal(small.maxSize, 548);
    const large = await reply(f, DISCOVER, KNOWN, { ipxe: true, maxSize: 1500 });
    assert.equal(large.maxSize, 1472);
    // Below the RFC minimum counts as 576.
    assert.equal((await reply(f, DISCOVER, KNOWN, { maxSize: 300 })).maxSize, 548);
  });
});

describe("known MACs: configuration variants", () => {
  test("before the first inventory load → not_ready", async () => {
    await withEngine(
      {},
      async (f) => {
        assert.equal(await answer(f, DISCOVER, KNOWN), "not_ready");
        assert.equal(await answer(f, DISCOVER, UNKNOWN), "not_ready");
        assert.equal(f.bootloop?.size, 0);
        f.hosts.update(DATA);
        assert.equal(yiaddr(asReply(await answer(f, DISCOVER, KNOWN))), "10.0.0.11");
      },
      { data: null },
    );
  });

  test("destinations (§3.2 step 9): test ports, broadcast_address subnet", async () => {
    await withEngine(
      { server4: "  subnet: 10.0.0.0/24\n  broadcast_address: subnet\n", bootloop: undefined },
      async (f) => {
        const offer = await reply(f, DISCOVER, KNOWN);
        assert.deepEqual([offer.address, offer.port], ["10.0.0.255", 6868]);
        const relayed = await reply(f, DISCOVER, KNOWN, { giaddr: "10.0.0.250" });
        assert.deepEqual([relayed.address, relayed.port], ["10.0.0.250", 6767]);
        const nak = await reply(f, REQUEST, KNOWN, { requestedIp: "10.0.0.99" });
        assert.deepEqual([nak.address, nak.port], ["255.255.255.255", 6868]);
        const renew = await reply(f, REQUEST, KNOWN, { ciaddr: "10.0.0.11" });
        assert.deepEqual([renew.address, renew.port], ["10.0.0.11", 6868]);
      },
      { flags: { "client-port": "6868", "relay-port": "6767" } },
    );
  });

  test("without a listener subnet, giaddr 0 takes the first SMD address", async () => {
    await withEngine({ server4: "", bootloop: undefined }, async (f) => {
      assert.equal(yiaddr(await reply(f, DISCOVER, MULTI)), "10.1.0.14");
    });
  });

  test("rule hostname, routers and netmask override the standard plugins", async () => {
    await withEngine(
      {
        rules: [
          "type:Node,hostname:n{03d}-{id},routers:10.0.0.253|10.0.0.252,netmask:255.255.0.0,domain:lab",
        ],
      },
      async (f) => {
        const r = await reply(f, DISCOVER, KNOWN);
        assert.equal(optionText(r.wire, Option.HOSTNAME), "n001-x1000c0s0b0n0.lab");
        assert.deepEqual(optionIps(r.wire, Option.ROUTER), ["10.0.0.253", "10.0.0.252"]);
        assert.deepEqual(optionIps(r.wire, Option.SUBNET_MASK), ["255.255.0.0"]);
        // The BMC matches no rule: standard plugins and the default name.
        const bmc = await reply(f, DISCOVER, BMC);
        assert.equal(optionText(bmc.wire, Option.HOSTNAME), "unknown-0001.cluster");
        assert.deepEqual(optionIps(bmc.wire, Option.ROUTER), ["10.0.0.254"]);
        assert.deepEqual(optionIps(bmc.wire, Option.SUBNET_MASK), ["255.255.255.0"]);
      },
    );
  });

  test("a boot URL over 127 bytes is only in option 67; a 255-byte one needs the client's option 57", async () => {
    // 214 + 41 bytes: the longest base the configuration accepts.
    const base = `http://10.0.0.1:8081/${"x".repeat(193)}`;
    await withEngine({ ipxeBaseUri: base, bootloop: undefined }, async (f) => {
      const url = `${base}/boot/v1/bootscript?mac=${KNOWN}`;
      assert.equal(Buffer.byteLength(url), 255);
      const relayAgent = Buffer.from("0104abcdef01", "hex");
      const roomy = await reply(f, DISCOVER, KNOWN, { ipxe: true, maxSize: 1472, relayAgent });
      assert.equal(optionText(roomy.wire, Option.BOOTFILE), url);
      assert.equal(roomy.wire.file.length, 0, "too long for the 128-byte file field");
      // At the RFC default of 576, option 67 does not fit: it is left out, option 82 still goes.
      const tight = await reply(f, DISCOVER, KNOWN, { ipxe: true, relayAgent });
      assert.ok(tight.bytes.length <= 548, `${tight.bytes.length} bytes`);
      assert.deepEqual(codes(tight), [53, 54, 51, 1, 3, 12, 17, 82]);
    });
  });

  test("several rule subnets: the SMD address in the relay's subnet; none there → bootloop", async () => {
    const rules = [
      "name:mgmt,subnet:10.0.0.0/24,hostname:nid{04d}",
      "name:hsn,subnet:10.1.0.0/24,hostname:hsn{04d},routers:10.1.0.254",
    ];
    await withEngine({ rules }, async (f) => {
      const viaMgmt = await reply(f, DISCOVER, MULTI, { giaddr: "10.0.0.250" });
      assert.equal(yiaddr(viaMgmt), "10.0.0.14");
      assert.equal(optionText(viaMgmt.wire, Option.HOSTNAME), "nid0004.cluster");
      assert.deepEqual(optionIps(viaMgmt.wire, Option.SUBNET_MASK), ["255.255.255.0"]);
      const viaHsn = await reply(f, DISCOVER, MULTI, { giaddr: "10.1.0.250" });
      assert.equal(yiaddr(viaHsn), "10.1.0.14");
      assert.equal(optionText(viaHsn.wire, Option.HOSTNAME), "hsn0004.cluster");
      assert.deepEqual(optionIps(viaHsn.wire, Option.ROUTER), ["10.1.0.254"]);
      // KNOWN has no address on 10.1.0.0/24: it boot-loops there, from that subnet's pool.
      const looped = await reply(f, DISCOVER, KNOWN, { giaddr: "10.1.0.250" });
      assert.equal(yiaddr(looped), "10.1.0.200");
      assert.equal(looped.wire.options.has(Option.HOSTNAME), false);
      assert.equal(f.bootloop?.lease(KNOWN)?.state, "offered");
    });
  });

  test("a relay outside every rule subnet: warned, the first SMD address kept", async () => {
    const { logger, lines } = recordingLogger();
    await withEngine(
      { rules: ["subnet:10.0.0.0/24,hostname:nid{04d}"], bootloop: undefined },
      async (f) => {
        assert.equal(yiaddr(await reply(f, DISCOVER, MULTI, { giaddr: "10.9.0.1" })), "10.1.0.14");
        assert.ok(lines.some((l) => l.msg === "relay address outside every rule subnet" && l.level === 40));
      },
      { logger },
    );
  });

  test("DECLINE of an SMD address is logged as an error", async () => {
    const { logger, lines } = recordingLogger();
    await withEngine(
      { bootloop: undefined },
      async (f) => {
        assert.equal(await answer(f, DECLINE, KNOWN, { requestedIp: "10.0.0.11" }), "decline");
        const line = lines.find((l) => l.level === 50);
        assert.equal(line?.mac, KNOWN);
        assert.equal(line?.ip, "10.0.0.11");
      },
      { logger },
    );
  });

  test("unknown MACs without a bootloop section → silence", async () => {
    await withEngine({ bootloop: undefined }, async (f) => {
      assert.equal(await answer(f, DISCOVER, UNKNOWN), "unknown");
    });
  });
});

describe("bootloop (§4.2) on a durable store", () => {
  test("Enabled=false and ignore rules create no lease", async () => {
    await withEngine({}, async (f) => {
      assert.equal(await answer(f, DISCOVER, DISABLED), "disabled");
      assert.equal(await answer(f, DISCOVER, IGNORED), "ignored");
      assert.equal(f.bootloop!.size, 0);
    });
  });

  test("DISCOVER → OFFER of the lowest free address, skipping SMD's; REQUEST → ACK, durable", async () => {
    await withEngine({}, async (f) => {
      const offer = await reply(f, DISCOVER, UNKNOWN, { arch: 7, params: [6] });
      assert.equal(messageType(offer), OFFER);
      assert.equal(yiaddr(offer), "10.0.0.201", "10.0.0.200 is SMD's");
      assert.deepEqual(codes(offer), [53, 54, 51, 1, 3, 6, 17, 67]);
      assert.equal(offer.wire.options.get(Option.LEASE_TIME)?.readUInt32BE(0), 300);
      assert.equal(optionText(offer.wire, Option.BOOTFILE), "ipxe-x86_64.efi");
      assert.equal(formatIpv4(offer.wire.siaddr), OURS);
      assert.deepEqual([offer.address, offer.port], ["255.255.255.255", 68]);
      assert.equal(f.bootloop!.lease(UNKNOWN)?.state, "offered");
      // A repeated DISCOVER gets the same address.
      assert.equal(yiaddr(await reply(f, DISCOVER, UNKNOWN)), "10.0.0.201");
      assert.equal(yiaddr(await reply(f, DISCOVER, UNKNOWN2)), "10.0.0.202");

      const ack = await reply(f, REQUEST, UNKNOWN, { serverId: OURS, requestedIp: "10.0.0.201", arch: 7 });
      assert.equal(messageType(ack), ACK);
      assert.equal(yiaddr(ack), "10.0.0.201");
      assert.equal(optionText(ack.wire, Option.BOOTFILE), "ipxe-x86_64.efi");

      const reopened = await f.reopen();
      const lease = reopened.lease(UNKNOWN);
      assert.equal(lease?.state, "bound");
      assert.equal(lease && formatIpv4(lease.ip), "10.0.0.201");
      assert.equal(lease?.expiresAt, f.clock.now + 300_000);
    });
  });

  test("REQUEST selecting another address than offered → NAK", async () => {
    await withEngine({}, async (f) => {
      await reply(f, DISCOVER, UNKNOWN);
      const nak = await reply(f, REQUEST, UNKNOWN, { serverId: OURS, requestedIp: "10.0.0.203" });
      assert.equal(messageType(nak), NAK);
      assert.deepEqual([nak.address, nak.port], ["255.255.255.255", 68]);
      // Selecting with no offer at all is also NAKed: it named us.
      assert.equal(
        messageType(await reply(f, REQUEST, UNKNOWN2, { serverId: OURS, requestedIp: "10.0.0.202" })),
        NAK,
      );
    });
  });

  test("init-reboot: right address → ACK, another or expired → NAK, no record → silence", async () => {
    await withEngine({}, async (f) => {
      await reply(f, DISCOVER, UNKNOWN);
      await reply(f, REQUEST, UNKNOWN, { serverId: OURS, requestedIp: "10.0.0.201" });
      const ack = await reply(f, REQUEST, UNKNOWN, { requestedIp: "10.0.0.201" });
      assert.equal(messageType(ack), ACK);
      assert.equal(messageType(await reply(f, REQUEST, UNKNOWN, { requestedIp: "10.0.0.202" })), NAK);
      assert.equal(await answer(f, REQUEST, UNKNOWN2, { requestedIp: "10.0.0.202" }), "no_lease");
      f.clock.now += 300_001;
      const expired = await reply(f, REQUEST, UNKNOWN, { requestedIp: "10.0.0.201" });
      assert.equal(messageType(expired), NAK, "expired");
    });
  });

  test("renewing: own lease → ACK extended; unknown or expired → NAK", async () => {
    await withEngine({}, async (f) => {
      await reply(f, DISCOVER, UNKNOWN);
      await reply(f, REQUEST, UNKNOWN, { serverId: OURS, requestedIp: "10.0.0.201" });
      f.clock.now += 200_000;
      const renew = await reply(f, REQUEST, UNKNOWN, { ciaddr: "10.0.0.201" });
      assert.equal(messageType(renew), ACK);
      assert.deepEqual([renew.address, renew.port], ["10.0.0.201", 68]);
      assert.equal(f.bootloop!.lease(UNKNOWN)?.expiresAt, f.clock.now + 300_000, "extended");

      const stranger = await reply(f, REQUEST, UNKNOWN2, { ciaddr: "10.0.0.202" });
      assert.equal(messageType(stranger), NAK);
      assert.deepEqual([stranger.address, stranger.port], ["255.255.255.255", 68]);
      assert.equal(messageType(await reply(f, REQUEST, UNKNOWN, { ciaddr: "10.0.0.203" })), NAK);

      f.clock.now += 300_001;
      assert.equal(messageType(await reply(f, REQUEST, UNKNOWN, { ciaddr: "10.0.0.201" })), NAK, "expired");
    });
  });

  test("iPXE gets script_path; other clients the binary for their arch, new or stored lease", async () => {
    await withEngine({}, async (f) => {
      const first = await reply(f, DISCOVER, UNKNOWN, { arch: 0 });
      assert.equal(optionText(first.wire, Option.BOOTFILE), "undionly.kpxe");
      for (const type of [DISCOVER, REQUEST]) {
        const r = await reply(f, type, UNKNOWN, {
          ipxe: true,
          arch: 7,
          ...(type === REQUEST ? { serverId: OURS, requestedIp: "10.0.0.201" } : {}),
        });
        assert.equal(optionText(r.wire, Option.BOOTFILE), "default");
        assert.equal(r.wire.file.toString(), "default");
      }
    });
    await withEngine(
      { bootloop: POOL.replace("lease_time: 5m", "lease_time: 5m\n    script_path: loop.ipxe") },
      async (f) => {
        assert.equal(optionText((await reply(f, DISCOVER, UNKNOWN, { ipxe: true })).wire, 67), "loop.ipxe");
      },
    );
  });

  test("INFORM from an unknown MAC → ACK without a lease", async () => {
    await withEngine({}, async (f) => {
      const r = await reply(f, INFORM, UNKNOWN, { ciaddr: "10.0.0.77" });
      assert.equal(messageType(r), ACK);
      assert.equal(r.wire.yiaddr, 0);
      assert.equal(r.wire.options.has(Option.LEASE_TIME), false);
      assert.deepEqual([r.address, r.port], ["10.0.0.77", 68]);
      assert.equal(f.bootloop!.size, 0);
    });
  });

  test("a known MAC with no SMD address in the listener subnet boot-loops there", async () => {
    await withEngine({}, async (f) => {
      const offer = await reply(f, DISCOVER, OFFNET);
      assert.equal(yiaddr(offer), "10.0.0.201");
      assert.equal(offer.wire.options.get(Option.LEASE_TIME)?.readUInt32BE(0), 300);
      assert.equal(f.bootloop!.lease(OFFNET)?.state, "offered");
    });
  });

  test("pool choice: relays by giaddr, direct by listener subnet; no pool → silence", async () => {
    await withEngine({}, async (f) => {
      assert.equal(yiaddr(await reply(f, DISCOVER, UNKNOWN, { giaddr: "10.1.0.250" })), "10.1.0.200");
      assert.equal(yiaddr(await reply(f, DISCOVER, UNKNOWN2)), "10.0.0.201");
      assert.equal(await answer(f, DISCOVER, UNKNOWN3, { giaddr: "10.7.0.1" }), "no_pool");
    });
  });

  test("exhaustion → silence, a warning and bootloop_pool_exhausted_total", async () => {
    const { logger, lines } = recordingLogger();
    await withEngine(
      {},
      async (f) => {
        const relay = { giaddr: "10.1.0.250" };
        assert.equal(yiaddr(await reply(f, DISCOVER, UNKNOWN, relay)), "10.1.0.200");
        assert.equal(yiaddr(await reply(f, DISCOVER, UNKNOWN2, relay)), "10.1.0.201");
        assert.equal(await answer(f, DISCOVER, UNKNOWN3, relay), "pool_exhausted");
        assert.match(f.metrics.render(), /^bootloop_pool_exhausted_total 1$/m);
        assert.ok(lines.some((l) => l.msg === "bootloop pool exhausted" && l.mac === UNKNOWN3));
        // Once a lease expires, its address is free again.
        f.clock.now += 300_001;
        assert.equal(yiaddr(await reply(f, DISCOVER, UNKNOWN3, relay)), "10.1.0.200");
      },
      { logger },
    );
  });

  test("RELEASE frees the address; DECLINE drops the lease and quarantines it", async () => {
    await withEngine({}, async (f) => {
      await reply(f, DISCOVER, UNKNOWN);
      await reply(f, REQUEST, UNKNOWN, { serverId: OURS, requestedIp: "10.0.0.201" });
      assert.equal(await answer(f, RELEASE, UNKNOWN, { ciaddr: "10.0.0.201" }), "release");
      assert.equal(f.bootloop!.lease(UNKNOWN), undefined);
      assert.equal(yiaddr(await reply(f, DISCOVER, UNKNOWN2)), "10.0.0.201", "freed");

      await reply(f, REQUEST, UNKNOWN2, { serverId: OURS, requestedIp: "10.0.0.201" });
      assert.equal(await answer(f, DECLINE, UNKNOWN2, { requestedIp: "10.0.0.201" }), "decline");
      assert.equal(f.bootloop!.lease(UNKNOWN2), undefined);
      assert.equal(yiaddr(await reply(f, DISCOVER, UNKNOWN3)), "10.0.0.202", "10.0.0.201 quarantined");
      // The quarantine lasts the bootloop lease time.
      f.clock.now += 300_001;
      const next = [await reply(f, DISCOVER, UNKNOWN), await reply(f, DISCOVER, UNKNOWN2)].map(yiaddr);
      assert.deepEqual(next.sort(), ["10.0.0.201", "10.0.0.203"]);
    });
  });

  test("a REQUEST naming another server releases our offer", async () => {
    await withEngine({}, async (f) => {
      await reply(f, DISCOVER, UNKNOWN);
      assert.equal(
        await answer(f, REQUEST, UNKNOWN, { serverId: "10.0.0.2", requestedIp: "10.0.0.55" }),
        "other_server",
      );
      assert.equal(f.bootloop!.lease(UNKNOWN), undefined);
      assert.equal(yiaddr(await reply(f, DISCOVER, UNKNOWN2)), "10.0.0.201");
    });
  });

  test("a MAC that becomes known: pool renewal NAKed, next DISCOVER gets SMD's address, lease freed on ACK", async () => {
    await withEngine({}, async (f) => {
      await reply(f, DISCOVER, UNKNOWN);
      await reply(f, REQUEST, UNKNOWN, { serverId: OURS, requestedIp: "10.0.0.201" });
      f.hosts.update(
        inventory(
          [...DATA.components, node("x1000c0s3b0n0", 9)],
          [...DATA.ethernetInterfaces, nic(UNKNOWN, "x1000c0s3b0n0", "10.0.0.30")],
        ),
      );
      const renewal = await reply(f, REQUEST, UNKNOWN, { ciaddr: "10.0.0.201" });
      assert.equal(messageType(renewal), NAK);
      assert.deepEqual([renewal.address, renewal.port], ["255.255.255.255", 68]);
      const offer = await reply(f, DISCOVER, UNKNOWN);
      assert.equal(yiaddr(offer), "10.0.0.30");
      assert.equal(optionText(offer.wire, Option.HOSTNAME), "nid0009.cluster");
      assert.equal(f.bootloop!.lease(UNKNOWN)?.state, "bound", "kept until the ACK");
      const ack = await reply(f, REQUEST, UNKNOWN, { serverId: OURS, requestedIp: "10.0.0.30" });
      assert.equal(messageType(ack), ACK);
      assert.equal(f.bootloop!.lease(UNKNOWN), undefined);
      await f.bootloop!.close();
      assert.equal((await f.reopen()).lease(UNKNOWN), undefined, "released in the database too");
    });
  });
});
