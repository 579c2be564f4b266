/**
 * IPv4 addresses as unsigned 32-bit numbers: subnet tests and pool allocation are integer
 * arithmetic on the hot path, and strings only appear at the edges (config, logs, SMD).
 */

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** `a.b.c.d` → number, or undefined when it is not a dotted-quad IPv4 address. */
export function parseIpv4(text: string): number | undefined {
  const m = DOTTED.exec(text.trim());
  if (!m) return undefined;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255 || (m[i]!.length > 1 && m[i]!.startsWith("0"))) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** The netmask of a prefix length (0..32) as a number. */
export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** The prefix length of a contiguous netmask, or undefined when the mask has holes. */
export function maskPrefix(mask: number): number | undefined {
  for (let prefix = 0; prefix <= 32; prefix++) if (prefixMask(prefix) === mask) return prefix;
  return undefined;
}

export interface Cidr {
  /** Network address (host bits cleared). */
  network: number;
  prefix: number;
  mask: number;
  /** As written in the configuration, for messages. */
  text: string;
}

/** `10.0.0.0/24` → Cidr; host bits are cleared; undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const [address, length, extra] = text.trim().split("/");
  if (address === undefined || length === undefined || extra !== undefined) return undefined;
  const ip = parseIpv4(address);
  const prefix = /^\d{1,2}$/.test(length) ? Number(length) : Number.NaN;
  if (ip === undefined || !(prefix >= 0 && prefix <= 32)) return undefined;
  const mask = prefixMask(prefix);
  return { network: (ip & mask) >>> 0, prefix, mask, text: text.trim() };
}

export function cidrContains(cidr: Cidr, ip: number): boolean {
  return (ip & cidr.mask) >>> 0 === cidr.network;
}

/** The subnet-directed broadcast address of a CIDR. */
export function cidrBroadcast(cidr: Cidr): number {
  return (cidr.network | ~cidr.mask) >>> 0;
}
