/** Fixtures for this directory's tests (test-only): requests, inventories, engines. */
import { createLogger, type Logger, silentLogger } from "@openchami/core";
import type { Db } from "@openchami/db";
import { createMetrics, type Metrics } from "@openchami/http";
import { migratedPglite } from "@openchami/testkit";
import { BootloopLeases } from "../bootloop/leases.ts";
import { dhcpMigrations } from "../bootloop/migrations.ts";
import { parseDhcpConfig } from "../config/load.ts";
import type { DhcpConfig } from "../config/types.ts";
import { decodePacket, encodePacket, parseRequest } from "../dhcp/codec.ts";
import { type DhcpPacket, type DhcpRequest, Option } from "../dhcp/message.ts";
import { ipv4s, u8, u16 } from "../dhcp/option-values.ts";
import { StaticHostSource } from "../hosts/static.ts";
import type { DhcpInventoryData, SmdComponentRecord, SmdInterfaceRecord } from "../hosts/view.ts";
import { formatIpv4, parseIpv4 } from "../ip.ts";
import { dhcpCounters } from "./dhcp-server.ts";
import { DhcpEngine, type Reply, type Silence } from "./engine.ts";

export const ip = (text: string): number => parseIpv4(text)!;

export interface RequestFields {
  /** Option 50. */
  requestedIp?: string;
  /** Option 54. */
  serverId?: string;
  /** Option 55. */
  params?: number[];
  /** Option 77 as iPXE sends it. */
  ipxe?: boolean;
  /** Option 93. */
  arch?: number;
  /** Option 57. */
  maxSize?: number;
  /** Option 82, raw. */
  relayAgent?: Buffer;
  ciaddr?: string;
  giaddr?: string;
  flags?: number;
  xid?: number;
}

/** Header fields of a client request, before any option. */
export function requestPacket(type: number, mac: string, fields: RequestFields = {}): DhcpPacket {
  const options = new Map<number, Buffer>([[Option.MESSAGE_TYPE, u8(type)]]);
  if (fields.requestedIp !== undefined) options.set(Option.REQUESTED_IP, ipv4s(ip(fields.requestedIp)));
  if (fields.serverId !== undefined) options.set(Option.SERVER_ID, ipv4s(ip(fields.serverId)));
  if (fields.params) options.set(Option.PARAMETER_LIST, Buffer.from(fields.params));
  if (fields.maxSize !== undefined) options.set(Option.MAX_MESSAGE_SIZE, u16(fields.maxSize));
  if (fields.ipxe) options.set(Option.USER_CLASS, Buffer.from("iPXE"));
  if (fields.arch !== undefined) options.set(Option.CLIENT_ARCH, u16(fields.arch));
  if (fields.relayAgent) options.set(Option.RELAY_AGENT, fields.relayAgent);
  const chaddr = Buffer.alloc(16);
  Buffer.from(mac.replace(/[:.-]/g, ""), "hex").copy(chaddr);
  return {
    op: 1,
    htype: 1,
    hlen: 6,
    hops: fields.giaddr ? 1 : 0,
    xid: fields.xid ?? 0x1234abcd,
    secs: 0,
    flags: fields.flags ?? 0,
    ciaddr: fields.ciaddr ? ip(fields.ciaddr) : 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr: fields.giaddr ? ip(fields.giaddr) : 0,
    chaddr,
    sname: Buffer.alloc(0),
    file: Buffer.alloc(0),
    options,
  };
}

/** A request as the server would see it: encoded, then parsed back. */
export function dhcpRequest(type: number, mac: string, fields: RequestFields = {}): DhcpRequest {
  const parsed = parseRequest(encodePacket(requestPacket(type, mac, fields)));
  if (typeof parsed === "string") throw new Error(`test request dropped: ${parsed}`);
  return parsed;
}

/** A reply as the client would see it: encoded within its size limit, then decoded. */
export function onWire(reply: Reply): { packet: DhcpPacket; bytes: Buffer } {
  const bytes = encodePacket(reply.packet, reply.maxSize);
  const packet = decodePacket(bytes);
  if (typeof packet === "string") throw new Error(`reply does not decode: ${packet}`);
  return { packet, bytes };
}

export function asReply(outcome: Reply | Silence): Reply {
  if (typeof outcome === "string") throw new Error(`expected a reply, got silence: ${outcome}`);
  return outcome;
}

export const optionText = (packet: DhcpPacket, code: number): string | undefined =>
  packet.options.get(code)?.toString("utf8");

/** Option value as dotted IPv4s. */
export function optionIps(packet: DhcpPacket, code: number): string[] | undefined {
  const value = packet.options.get(code);
  if (!value) return undefined;
  const ips: string[] = [];
  for (let i = 0; i + 4 <= value.length; i += 4) ips.push(formatIpv4(value.readUInt32BE(i)));
  return ips;
}

export function node(ID: string, NID?: number, extra: Partial<SmdComponentRecord> = {}): SmdComponentRecord {
  return { ID, Type: "Node", Enabled: true, ...(NID === undefined ? {} : { NID }), ...extra };
}

export function nic(MACAddress: string, ComponentID: string, ...ips: string[]): SmdInterfaceRecord {
  return { MACAddress, ComponentID, IPAddresses: ips.map((IPAddress) => ({ IPAddress })) };
}

export function inventory(
  components: readonly SmdComponentRecord[],
  ethernetInterfaces: readonly SmdInterfaceRecord[],
): DhcpInventoryData {
  return { components, ethernetInterfaces };
}

export interface EngineFixture {
  engine: DhcpEngine;
  config: DhcpConfig;
  hosts: StaticHostSource;
  metrics: Metrics;
  /** Present when the configuration has a bootloop section. */
  bootloop: BootloopLeases | undefined;
  db: Db | undefined;
  /** Milliseconds since the epoch, as the bootloop store sees it; tests move it. */
  clock: { now: number };
  /** A second store on the same database, as after a restart. */
  reopen(): Promise<BootloopLeases>;
  close(): Promise<void>;
}

const T0 = Date.parse("2030-01-01T00:00:00Z");

/**
 * An engine on a configuration parsed from YAML (flags applied) and a static inventory
 * (undefined: not loaded yet); with a bootloop section, a real store on a migrated PGlite.
 */
export async function engineFixture(
  yaml: string,
  data: DhcpInventoryData | undefined,
  options: { flags?: Record<string, string>; logger?: Logger } = {},
): Promise<EngineFixture> {
  const config = parseDhcpConfig(yaml, { flags: options.flags, interfaces: {} });
  const logger = options.logger ?? silentLogger();
  const hosts = new StaticHostSource(data);
  const metrics = createMetrics();
  const clock = { now: T0 };
  const db = config.bootloop ? await migratedPglite([dhcpMigrations]) : undefined;
  const stores: BootloopLeases[] = [];
  const open = async () => {
    const store = await BootloopLeases.open(db!, logger, () => clock.now);
    stores.push(store);
    return store;
  };
  const bootloop = db ? await open() : undefined;
  const engine = new DhcpEngine({ config, hosts, bootloop, logger, counters: dhcpCounters(metrics) });
  return {
    engine,
    config,
    hosts,
    metrics,
    bootloop,
    db,
    clock,
    reopen: open,
    async close() {
      for (const store of stores) await store.close();
      await db?.close();
    },
  };
}

/** A logger whose JSON lines are kept, for asserting warnings. */
export function recordingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: "debug",
    destination: { write: (line: string) => lines.push(JSON.parse(line)) },
  });
  return { logger, lines };
}
