import { BlockList, isIP } from "node:net";

/**
 * Who is asking (spec cloud-init.md §2.1, decision 2): the TCP peer, IPv4-mapped addresses
 * unwrapped; only when the peer is a trusted proxy, the rightmost `X-Forwarded-For` entry
 * that is not one. Pure (no I/O).
 */
export class TrustedProxies {
  readonly #list = new BlockList();
  readonly size: number;

  /** CIDRs (or bare addresses); throws an Error naming a bad entry. */
  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const [address = "", bits] = cidr.trim().split("/");
      const family = isIP(address);
      if (family === 0) throw new Error(`TRUSTED_PROXIES: invalid address "${cidr}"`);
      const type = family === 4 ? "ipv4" : "ipv6";
      const max = family === 4 ? 32 : 128;
      const prefix = bits === undefined ? max : Number(bits);
      if (!/^\d+$/.test(bits ?? `${max}`) || prefix > max)
        throw new Error(`TRUSTED_PROXIES: invalid prefix length in "${cidr}"`);
      this.#list.addSubnet(address, prefix, type);
    }
    this.size = cidrs.length;
  }

  has(ip: string): boolean {
    const family = isIP(ip);
    if (this.size === 0 || family === 0) return false;
    return this.#list.check(ip, family === 4 ? "ipv4" : "ipv6");
  }
}

/** `::ffff:10.0.0.5` → `10.0.0.5`; IPv6 lower-cased; "" for nothing. */
export function normalizeIp(raw: string | undefined): string {
  const text = (raw ?? "").trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  return mapped?.[1] ?? text;
}

/**
 * The client address: the peer, or behind trusted proxies the rightmost forwarded entry
 * that is not a trusted proxy (the leftmost if all are). May be an invalid address when a
 * proxy forwarded garbage; callers refuse what resolves to no node.
 */
export function clientIp(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: TrustedProxies,
): string {
  const direct = normalizeIp(peer);
  if (!trusted.has(direct) || forwardedFor === undefined) return direct;
  const hops = [forwardedFor]
    .flat()
    .flatMap((header) => header.split(","))
    .map((entry) => normalizeIp(entry))
    .filter((entry) => entry !== "");
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!trusted.has(hop)) return hop;
  }
  return hops[0] ?? direct;
}
