import type { Logger } from "@openchami/core";
import type { Counter } from "@openchami/http";
import type { BootloopLeases } from "../bootloop/leases.ts";
import { choosePool } from "../bootloop/leases.ts";
import type { DhcpConfig } from "../config/types.ts";
import { ipv4s, text, u32 } from "../dhcp/codec.ts";
import { BROADCAST_FLAG, type DhcpPacket, type DhcpRequest, MessageType, Option } from "../dhcp/message.ts";
import type { DhcpHost, HostSource, HostView } from "../hosts/types.ts";
import { type Cidr, cidrBroadcast, cidrContains, formatIpv4, parseIpv4 } from "../ip.ts";
import { evaluateRules } from "../rules/evaluate.ts";
import { archBinary } from "./boot-file.ts";

/** A reply and where it goes (dhcp.md §3.2 step 9). */
export interface Reply {
  packet: DhcpPacket;
  address: string;
  port: number;
  /** Most bytes the DHCP message may take (the client's option 57, less IP and UDP headers). */
  maxSize: number;
}

/** Why a valid request got no answer; the `reason` label of `dhcp_unanswered_total`. */
export type Silence =
  | "not_ready"
  | "other_server"
  | "disabled"
  | "ignored"
  | "unknown"
  | "no_pool"
  | "pool_exhausted"
  | "no_lease"
  | "release"
  | "decline";

export interface EngineCounters {
  unanswered: Counter;
  poolExhausted: Counter;
}

export interface EngineOptions {
  config: DhcpConfig;
  hosts: HostSource;
  /** Absent when no `bootloop` plugin is configured: unknown MACs then get nothing. */
  bootloop: BootloopLeases | undefined;
  logger: Logger;
  counters: EngineCounters;
}

const NAMES: Record<number, string> = {
  [MessageType.DISCOVER]: "DISCOVER",
  [MessageType.OFFER]: "OFFER",
  [MessageType.REQUEST]: "REQUEST",
  [MessageType.DECLINE]: "DECLINE",
  [MessageType.ACK]: "ACK",
  [MessageType.NAK]: "NAK",
  [MessageType.RELEASE]: "RELEASE",
  [MessageType.INFORM]: "INFORM",
};

export function messageTypeName(type: number): string {
  return NAMES[type] ?? String(type);
}

const LIMITED_BROADCAST = "255.255.255.255";

/** Option 57 counts the IP and UDP headers too (RFC 2131 §2: 576 = 548 + 28). */
function datagramLimit(request: DhcpRequest): number {
  return request.maxMessageSize - 28;
}

function requireIpv4(text: string): number {
  const ip = parseIpv4(text);
  if (ip === undefined) throw new Error(`not an IPv4 address: ${text}`);
  return ip;
}

/**
 * The DHCPv4 decisions of dhcp.md §3–§4, free of sockets: a validated request in, a reply
 * (or a reason for silence) out. Known MACs are answered from the in-memory view alone;
 * only a bootloop ACK waits, for its lease to be durable (§4.3).
 */
export class DhcpEngine {
  readonly #config: DhcpConfig;
  readonly #hosts: HostSource;
  readonly #bootloop: BootloopLeases | undefined;
  readonly #logger: Logger;
  readonly #counters: EngineCounters;
  readonly #serverId: number;
  readonly #serverIdOption: Buffer;
  readonly #rootPath: Buffer;
  readonly #defaultRouters: Buffer | undefined;
  readonly #defaultNetmask: Buffer | undefined;
  readonly #dns: Buffer | undefined;
  readonly #knownLease: Buffer;
  readonly #bootloopLease: Buffer;
  readonly #ipxeUrlBase: string;
  /** Rules with `subnet:` (or a listener `subnet`) turn on §3.2 step 5's address filter. */
  readonly #ruleSubnets: readonly Cidr[];
  readonly #broadcast: string;
  readonly #encodedNetmasks = new Map<string, Buffer>();
  readonly #encodedRouters = new WeakMap<readonly string[], Buffer>();

  constructor(options: EngineOptions) {
    const { config } = options;
    this.#config = config;
    this.#hosts = options.hosts;
    this.#bootloop = options.bootloop;
    this.#logger = options.logger;
    this.#counters = options.counters;
    this.#serverId = requireIpv4(config.serverId);
    this.#serverIdOption = ipv4s(this.#serverId);
    this.#rootPath = text(config.serverId);
    this.#defaultRouters = config.routers.length ? ipv4s(...config.routers.map(requireIpv4)) : undefined;
    this.#defaultNetmask = config.netmask === undefined ? undefined : ipv4s(requireIpv4(config.netmask));
    this.#dns = config.dns.length ? ipv4s(...config.dns.map(requireIpv4)) : undefined;
    this.#knownLease = u32(config.coresmd.leaseTimeS);
    this.#bootloopLease = u32(config.bootloop?.leaseTimeS ?? config.coresmd.leaseTimeS);
    this.#ipxeUrlBase = `${config.coresmd.ipxeBaseUri.replace(/\/+$/, "")}/boot/v1/bootscript?mac=`;
    this.#ruleSubnets = config.coresmd.rules.flatMap((rule) => rule.subnets ?? []);
    this.#broadcast =
      config.broadcastAddress === "subnet" && config.subnet
        ? formatIpv4(cidrBroadcast(config.subnet))
        : LIMITED_BROADCAST;
  }

  /** The stage-2 URL iPXE is handed for a MAC. */
  bootScriptUrl(mac: string): string {
    return this.#ipxeUrlBase + mac;
  }

  /** Decides the answer to one request: a reply, or the reason there is none. */
  handle(request: DhcpRequest): Reply | Silence | Promise<Reply | Silence> {
    if (!this.#hosts.loaded) return "not_ready";
    const { messageType, mac } = request;
    if (
      messageType === MessageType.REQUEST &&
      request.serverId !== undefined &&
      request.serverId !== this.#serverId
    ) {
      // The client chose another server's offer: whatever we offered it is free again.
      const lease = this.#bootloop?.lease(mac);
      if (lease?.state === "offered") void this.#bootloop!.release(mac);
      return "other_server";
    }
    const view = this.#hosts.current();
    const host = view.byMac(mac);
    if (host && !host.component.enabled) return "disabled";
    const address = host ? this.#chooseAddress(host, request.packet.giaddr) : undefined;
    if (host === undefined || address === undefined) return this.#unknown(request, view);
    return this.#known(request, view, host, address);
  }

  /** §3.2 step 5: the first SMD address on the client's subnet, when subnets are configured. */
  #chooseAddress(host: DhcpHost, giaddr: number): number | undefined {
    const ips = host.ipv4;
    if (ips.length === 0) return undefined;
    if (giaddr !== 0) {
      if (this.#ruleSubnets.length === 0) return ips[0];
      const cidr = this.#ruleSubnets.find((c) => cidrContains(c, giaddr));
      if (!cidr) {
        this.#logger.warn(
          { giaddr: formatIpv4(giaddr), mac: host.mac },
          "relay address outside every rule subnet",
        );
        return ips[0];
      }
      return ips.find((ip) => cidrContains(cidr, ip));
    }
    const subnet = this.#config.subnet;
    return subnet ? ips.find((ip) => cidrContains(subnet, ip)) : ips[0];
  }

  #known(request: DhcpRequest, view: HostView, host: DhcpHost, address: number): Reply | Silence {
    const { messageType, mac, packet } = request;
    const outcome = evaluateRules(
      this.#config.coresmd.rules,
      { component: host.component, nameNid: view.nameNid(host.component), address },
      this.#config.coresmd.domain,
      this.#config.coresmd.ruleLog,
    );
    if (outcome.ignore) {
      this.#log(outcome.log, { mac, rule: outcome.rule }, "ignored by rule");
      return "ignored";
    }
    if (messageType === MessageType.RELEASE) return "release";
    if (messageType === MessageType.DECLINE) {
      this.#logger.error(
        { mac, xname: host.component.xname, ip: formatIpv4(address) },
        "client declined its SMD address: another host may be using it",
      );
      return "decline";
    }
    if (messageType === MessageType.REQUEST) {
      const requested = request.requestedIp ?? (packet.ciaddr !== 0 ? packet.ciaddr : undefined);
      if (requested !== undefined && requested !== address) return this.#nak(request);
      // A lease from the pool while this MAC was unknown is superseded by its SMD address.
      if (this.#bootloop?.lease(mac)) void this.#bootloop.release(mac);
    }
    const type = messageType === MessageType.DISCOVER ? MessageType.OFFER : MessageType.ACK;
    const inform = messageType === MessageType.INFORM;
    const options = this.#options(type, inform ? undefined : this.#knownLease);
    this.#subnetOptions(options, outcome.netmask, outcome.routers, request);
    options.set(Option.HOSTNAME, text(outcome.hostname));
    const bootFile = request.ipxe ? this.bootScriptUrl(mac) : archBinary(request.arch);
    const reply = this.#reply(request, type, inform ? 0 : address, options, bootFile);
    if (type === MessageType.ACK) {
      this.#log(
        outcome.log,
        {
          mac,
          xname: host.component.xname,
          ip: formatIpv4(address),
          hostname: outcome.hostname,
          rule: outcome.rule,
        },
        inform ? "INFORM answered" : "address assigned",
      );
    }
    return reply;
  }

  /** §4.2: unknown MACs boot-loop on a pool address until they are inventoried. */
  #unknown(request: DhcpRequest, view: HostView): Reply | Silence | Promise<Reply | Silence> {
    const bootloop = this.#bootloop;
    const pools = this.#config.bootloop?.pools;
    if (!bootloop || !pools) return "unknown";
    const { messageType, mac, packet } = request;
    const leaseTimeS = this.#config.bootloop!.leaseTimeS;
    switch (messageType) {
      case MessageType.RELEASE:
        void bootloop.release(mac);
        return "release";
      case MessageType.DECLINE: {
        const ip = request.requestedIp ?? bootloop.lease(mac)?.ip;
        this.#logger.warn(
          { mac, ip: ip === undefined ? undefined : formatIpv4(ip) },
          "pool address declined",
        );
        if (ip !== undefined) void bootloop.decline(mac, ip, leaseTimeS);
        return "decline";
      }
      case MessageType.INFORM:
        return this.#poolReply(request, MessageType.ACK, 0, undefined);
      case MessageType.DISCOVER: {
        const pool = choosePool(pools, packet.giaddr, this.#config.subnet);
        if (!pool) return "no_pool";
        const lease = bootloop.offer(mac, pool, leaseTimeS, (ip) => view.isSmdIpv4(ip));
        if (!lease) {
          this.#counters.poolExhausted.inc();
          this.#logger.warn({ mac, pool: pool.cidr.text }, "bootloop pool exhausted");
          return "pool_exhausted";
        }
        return this.#poolReply(request, MessageType.OFFER, lease.ip, this.#bootloopLease);
      }
      default:
        return this.#poolRequest(request, bootloop, leaseTimeS);
    }
  }

  /** §4.2's REQUEST rows: selecting, init-reboot, renewing/rebinding. */
  #poolRequest(
    request: DhcpRequest,
    bootloop: BootloopLeases,
    leaseTimeS: number,
  ): Reply | Silence | Promise<Reply | Silence> {
    const { mac, packet } = request;
    const lease = bootloop.lease(mac);
    const renewing = packet.ciaddr !== 0;
    const wanted = renewing ? packet.ciaddr : request.requestedIp;
    if (wanted === undefined) return "no_lease";
    if (!lease) {
      // Init-reboot with no record at all (an expired one counts): another server may own the
      // client, so stay silent (RFC 2131 §4.3.2).
      const initReboot = request.serverId === undefined && !renewing;
      return initReboot && !bootloop.record(mac) ? "no_lease" : this.#nak(request);
    }
    if (lease.ip !== wanted) return this.#nak(request);
    return bootloop
      .bind(mac, lease.ip, leaseTimeS)
      .then((bound) => this.#poolReply(request, MessageType.ACK, bound.ip, this.#bootloopLease));
  }

  #poolReply(request: DhcpRequest, type: number, yiaddr: number, lease: Buffer | undefined): Reply {
    const options = this.#options(type, lease);
    this.#subnetOptions(options, undefined, undefined, request);
    const bootFile = request.ipxe ? this.#config.bootloop!.scriptPath : archBinary(request.arch);
    return this.#reply(request, type, yiaddr, options, bootFile);
  }

  #nak(request: DhcpRequest): Reply {
    const options = new Map<number, Buffer>([
      [Option.MESSAGE_TYPE, Buffer.of(MessageType.NAK)],
      [Option.SERVER_ID, this.#serverIdOption],
    ]);
    const relay = request.packet.options.get(Option.RELAY_AGENT);
    if (relay) options.set(Option.RELAY_AGENT, relay);
    // RFC 2131 table 3: a NAK carries no addresses but giaddr.
    const packet = this.#header(request, 0, 0, options, 0);
    const giaddr = request.packet.giaddr;
    // RFC 2131 §4.3.2: a NAK is broadcast unless it goes back through a relay.
    return giaddr !== 0
      ? { packet, address: formatIpv4(giaddr), port: this.#config.relayPort, maxSize: datagramLimit(request) }
      : {
          packet,
          address: LIMITED_BROADCAST,
          port: this.#config.clientPort,
          maxSize: datagramLimit(request),
        };
  }

  #options(type: number, lease: Buffer | undefined): Map<number, Buffer> {
    const options = new Map<number, Buffer>([
      [Option.MESSAGE_TYPE, Buffer.of(type)],
      [Option.SERVER_ID, this.#serverIdOption],
    ]);
    if (lease) options.set(Option.LEASE_TIME, lease);
    return options;
  }

  /** Options 1, 3 and 6: the rule's values, else the standard plugins'. */
  #subnetOptions(
    options: Map<number, Buffer>,
    netmask: string | undefined,
    routers: readonly string[] | undefined,
    request: DhcpRequest,
  ): void {
    const mask = netmask === undefined ? this.#defaultNetmask : this.#ruleNetmask(netmask);
    if (mask) options.set(Option.SUBNET_MASK, mask);
    const router = routers === undefined ? this.#defaultRouters : this.#ruleRouters(routers);
    if (router) options.set(Option.ROUTER, router);
    if (this.#dns && request.parameterList.includes(Option.DNS)) options.set(Option.DNS, this.#dns);
  }

  /** A rule's values come from the configuration, so each is encoded once, not per reply. */
  #ruleNetmask(netmask: string): Buffer {
    let encoded = this.#encodedNetmasks.get(netmask);
    if (!encoded) {
      encoded = ipv4s(requireIpv4(netmask));
      this.#encodedNetmasks.set(netmask, encoded);
    }
    return encoded;
  }

  #ruleRouters(routers: readonly string[]): Buffer {
    let encoded = this.#encodedRouters.get(routers);
    if (!encoded) {
      encoded = ipv4s(...routers.map(requireIpv4));
      this.#encodedRouters.set(routers, encoded);
    }
    return encoded;
  }

  /** Options 17, 67 and 82 close every reply; then the header and the destination. */
  #reply(
    request: DhcpRequest,
    type: number,
    yiaddr: number,
    options: Map<number, Buffer>,
    bootFile: string | undefined,
  ): Reply {
    options.set(Option.ROOT_PATH, this.#rootPath);
    const file = bootFile === undefined ? undefined : text(bootFile);
    if (file) options.set(Option.BOOTFILE, file);
    const relay = request.packet.options.get(Option.RELAY_AGENT);
    if (relay) options.set(Option.RELAY_AGENT, relay);
    const packet = this.#header(request, yiaddr, this.#serverId, options);
    if (file && file.length <= 127) packet.file = file;
    return { packet, ...this.#destination(request, type), maxSize: datagramLimit(request) };
  }

  #header(
    request: DhcpRequest,
    yiaddr: number,
    siaddr: number,
    options: Map<number, Buffer>,
    ciaddr = request.packet.ciaddr,
  ): DhcpPacket {
    const p = request.packet;
    return {
      op: 2,
      htype: p.htype,
      hlen: p.hlen,
      hops: 0,
      xid: p.xid,
      secs: 0,
      flags: p.flags & BROADCAST_FLAG,
      ciaddr,
      yiaddr,
      siaddr,
      giaddr: p.giaddr,
      chaddr: p.chaddr,
      sname: Buffer.alloc(0),
      file: Buffer.alloc(0),
      options,
    };
  }

  /** RFC 2131 §4.1, first match; a broadcast replaces the L2 unicast `dgram` cannot send. */
  #destination(request: DhcpRequest, type: number): { address: string; port: number } {
    const p = request.packet;
    if (p.giaddr !== 0) return { address: formatIpv4(p.giaddr), port: this.#config.relayPort };
    if (type === MessageType.NAK) return { address: LIMITED_BROADCAST, port: this.#config.clientPort };
    if (p.ciaddr !== 0) return { address: formatIpv4(p.ciaddr), port: this.#config.clientPort };
    return { address: this.#broadcast, port: this.#config.clientPort };
  }

  #log(level: "info" | "debug" | "none", fields: Record<string, unknown>, message: string): void {
    if (level === "info") this.#logger.info(fields, message);
    else if (level === "debug") this.#logger.debug(fields, message);
  }
}
