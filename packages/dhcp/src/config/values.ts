import { type Cidr, formatIpv4, maskPrefix, parseCidr, parseIpv4 } from "../ip.ts";
import { DhcpConfigError } from "./errors.ts";

/**
 * Scalar values of the configuration (dhcp.md §2.3), in the syntax upstream's Go code
 * accepts, so upstream files mean the same here. A `Raw` carries where a value came from
 * (`coresmd: cache_valid`, `--cache-valid`) so that every message names it.
 */
export interface Raw {
  value: string;
  where: string;
}

export function invalid(raw: Raw, problem: string): never {
  throw new DhcpConfigError(`${raw.where}: ${JSON.stringify(raw.value)} ${problem}`);
}

const MS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3, // U+00B5 micro sign
  μs: 1e-3, // U+03BC Greek mu; Go accepts both
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const GO_DURATION = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const DURATION_PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/** Go's `time.ParseDuration` (`300ms`, `1.5h`, `2h45m`, `0`) in milliseconds, or undefined. */
export function parseGoDuration(text: string): number | undefined {
  if (text === "0") return 0;
  if (!GO_DURATION.test(text)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) ms += Number(amount) * MS_PER_UNIT[unit!]!;
  return text.startsWith("-") ? -ms : ms;
}

const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Go's `strconv.ParseBool`, or undefined. */
export function parseGoBool(text: string): boolean | undefined {
  if (GO_TRUE.has(text)) return true;
  return GO_FALSE.has(text) ? false : undefined;
}

/** A netmask other than 0.0.0.0 with contiguous ones, as a number, or undefined. */
export function parseNetmask(text: string): number | undefined {
  const mask = parseIpv4(text);
  return mask !== undefined && mask !== 0 && maskPrefix(mask) !== undefined ? mask : undefined;
}

/** Upstream trims any quotes around paths, domains and patterns (`ca_cert=""` = none). */
export function trimQuotes(text: string): string {
  return text.replace(/^["']+|["']+$/g, "");
}

/** A positive duration in whole milliseconds. */
export function durationMs(raw: Raw): number {
  const ms = parseGoDuration(raw.value);
  if (ms === undefined) invalid(raw, "is not a duration (e.g. 30s, 1h30m)");
  const rounded = Math.round(ms);
  if (!(rounded >= 1) || !Number.isSafeInteger(rounded)) invalid(raw, "must be a positive duration");
  return rounded;
}

/** A lease time (option 51): whole seconds, 1 s to 2³²−1 s. */
export function leaseSeconds(raw: Raw): number {
  const seconds = Math.floor(durationMs(raw) / 1000);
  if (seconds < 1 || seconds > 0xffffffff) invalid(raw, "must be between 1s and 1193046h");
  return seconds;
}

export function goBool(raw: Raw): boolean {
  return parseGoBool(raw.value) ?? invalid(raw, "is not a boolean (true or false)");
}

/** An IPv4 address, normalised to dotted form. */
export function ipv4(raw: Raw): string {
  const ip = parseIpv4(raw.value);
  return ip === undefined ? invalid(raw, "is not an IPv4 address") : formatIpv4(ip);
}

export function netmask(raw: Raw): string {
  const mask = parseNetmask(raw.value);
  return mask === undefined ? invalid(raw, "is not a netmask (e.g. 255.255.255.0)") : formatIpv4(mask);
}

export function cidr(raw: Raw): Cidr {
  return parseCidr(raw.value) ?? invalid(raw, "is not an IPv4 CIDR (e.g. 172.16.0.0/24)");
}

/** A whole number in [min, max]. */
export function integer(raw: Raw, min: number, max: number): number {
  const n = /^[-+]?\d{1,15}$/.test(raw.value) ? Number(raw.value) : Number.NaN;
  if (!(n >= min && n <= max)) invalid(raw, `is not a whole number from ${min} to ${max}`);
  return n;
}

export function oneOf<T extends string>(raw: Raw, allowed: readonly T[]): T {
  return allowed.includes(raw.value as T)
    ? (raw.value as T)
    : invalid(raw, `is not one of ${allowed.map((a) => `"${a}"`).join(", ")}`);
}

/** An http(s) URL that paths can be appended to; trailing slashes are dropped. */
export function httpBaseUrl(raw: Raw): string {
  let url: URL;
  try {
    url = new URL(raw.value);
  } catch {
    invalid(raw, "is not a URL (e.g. http://172.16.0.254:8081)");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") invalid(raw, "is not an http(s) URL");
  if (url.search !== "" || url.hash !== "" || raw.value.includes("?") || raw.value.includes("#")) {
    invalid(raw, "must not have a query or fragment (paths are appended to it)");
  }
  return raw.value.replace(/\/+$/, "");
}
