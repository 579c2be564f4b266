/** Pool fixtures for this directory's tests (test-only). */
import type { BootloopPool } from "../config/types.ts";
import { parseCidr, parseIpv4 } from "../ip.ts";

export const ip = (text: string): number => parseIpv4(text)!;

export function pool(cidr: string, start: string, end: string): BootloopPool {
  return { cidr: parseCidr(cidr)!, start: ip(start), end: ip(end) };
}

export const noSmd = (_ip: number): boolean => false;
