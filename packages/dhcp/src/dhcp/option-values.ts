/**
 * Option values for replies, built per request on the hot path: `Buffer.allocUnsafe` takes
 * small buffers from Node's shared pool, and every byte is written before use.
 */

/** IPv4 addresses (uint32, see ../ip.ts) back to back: options 1, 3, 6, 54… */
export function ipv4s(...ips: number[]): Buffer {
  const value = Buffer.allocUnsafe(4 * ips.length);
  for (let i = 0; i < ips.length; i++) value.writeUInt32BE(ips[i]! >>> 0, 4 * i);
  return value;
}

/** A 32-bit unsigned integer: option 51 (lease time). */
export function u32(n: number): Buffer {
  const value = Buffer.allocUnsafe(4);
  value.writeUInt32BE(n >>> 0, 0);
  return value;
}

/** A 16-bit unsigned integer: options 57, 93. */
export function u16(n: number): Buffer {
  const value = Buffer.allocUnsafe(2);
  value.writeUInt16BE(n & 0xffff, 0);
  return value;
}

/** One byte: option 53 (message type). */
export function u8(n: number): Buffer {
  const value = Buffer.allocUnsafe(1);
  value[0] = n;
  return value;
}

/** Text without a terminating NUL (RFC 2132 §2): options 12, 17, 67. */
export function text(s: string): Buffer {
  return Buffer.from(s, "utf8");
}
