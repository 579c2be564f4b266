/** The WireGuard address pool and key checks (spec cloud-init.md §4). Pure; IPv4 only. */

export interface WgPool {
  /** The server's tunnel IP: network + 1 (the setting's host part is ignored). */
  server: string;
  prefix: number;
  /** Client addresses, inclusive: network + 2 … broadcast − 1. */
  first: number;
  last: number;
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

export function intToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** `100.97.0.1/16` → the pool; throws an Error naming WIREGUARD_SERVER when invalid. */
export function parsePool(cidr: string): WgPool {
  const [address = "", bits = ""] = cidr.trim().split("/");
  const ip = ipToInt(address);
  const prefix = Number(bits);
  if (ip === undefined || !/^\d+$/.test(bits) || prefix < 1 || prefix > 30)
    throw new Error(`WIREGUARD_SERVER: invalid IPv4 CIDR "${cidr}" (want e.g. 100.97.0.1/16, prefix 1-30)`);
  const size = 2 ** (32 - prefix);
  const network = ip - (ip % size);
  return { server: intToIp(network + 1), prefix, first: network + 2, last: network + size - 2 };
}

/** The lowest client address not in `used`, or undefined when the pool is exhausted. */
export function lowestFree(pool: WgPool, used: ReadonlySet<string>): string | undefined {
  for (let candidate = pool.first; candidate <= pool.last; candidate++) {
    const ip = intToIp(candidate);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

/** Standard base64 of exactly 32 bytes: 44 characters ending `=`. */
export function isWgKey(key: string): boolean {
  return /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/.test(key);
}
