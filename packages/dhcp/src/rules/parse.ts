import { createHash } from "node:crypto";
import { normalizeXname } from "@openchami/core";
import { DhcpConfigError } from "../config/errors.ts";
import type { DomainAppend, Rule, RuleLogLevel } from "../config/types.ts";
import { parseNetmask } from "../config/values.ts";
import { type Cidr, formatIpv4, parseCidr, parseIpv4, prefixMask } from "../ip.ts";

/**
 * `rule=` values of the coresmd plugin (dhcp.md §3.3): comma-separated `key:value` fields,
 * with `'`/`"` quoting and `\` escaping the next character, checked strictly.
 */

const RULE_KEYS = [
  "type",
  "subnet",
  "id",
  "id_set",
  "hostname",
  "routers",
  "netmask",
  "cidr",
  "domain",
  "domain_append",
  "continue",
  "ignore",
  "name",
  "log",
] as const;
type RuleKey = (typeof RULE_KEYS)[number];

const LOG_LEVELS: readonly RuleLogLevel[] = ["info", "debug", "none"];

/** Go's ParseBool set plus y/n, yes/no and on/off, in any case (as upstream's rules). */
const LOOSE_BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ...["1", "t", "true", "y", "yes", "on"].map((word) => [word, true] as const),
  ...["0", "f", "false", "n", "no", "off"].map((word) => [word, false] as const),
]);

function fail(message: string): never {
  throw new DhcpConfigError(message);
}

function bad(key: string, value: string, problem: string): never {
  fail(`${key}: ${JSON.stringify(value)} ${problem}`);
}

/** Splits on unquoted commas; quotes are removed and `\x` stands for `x`. */
function splitFields(text: string): string[] {
  const fields: string[] = [];
  let current = "";
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") {
      if (i + 1 === text.length) fail("a trailing \\ escapes nothing");
      current += text[++i];
    } else if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ",") {
      fields.push(current);
      current = "";
    } else {
      current += c;
    }
  }
  if (quote !== undefined) fail(`unterminated ${quote} quote`);
  fields.push(current);
  return fields;
}

function keyValues(text: string): Map<RuleKey, string> {
  const pairs = new Map<RuleKey, string>();
  for (const field of splitFields(text)) {
    if (field.trim() === "") continue;
    const colon = field.indexOf(":");
    if (colon < 0) fail(`"${field.trim()}" is not key:value`);
    const key = field.slice(0, colon).trim();
    const value = field.slice(colon + 1).trim();
    if (!(RULE_KEYS as readonly string[]).includes(key)) {
      fail(`unknown key "${key}" (known: ${RULE_KEYS.join(", ")})`);
    }
    if (pairs.has(key as RuleKey)) fail(`${key}: given more than once`);
    if (value === "") fail(`${key}: needs a value`);
    pairs.set(key as RuleKey, value);
  }
  return pairs;
}

/** `a|b|c` → trimmed items, none empty. */
function alternatives(key: string, value: string): string[] {
  const items = value.split("|").map((item) => item.trim());
  if (items.includes("")) bad(key, value, "has an empty alternative");
  return items;
}

function looseBool(key: string, value: string): boolean {
  return (
    LOOSE_BOOLEANS.get(value.toLowerCase()) ??
    bad(key, value, "is not a boolean (true/false, yes/no, on/off)")
  );
}

function domainAppend(value: string): DomainAppend {
  const parts = value.toLowerCase().replaceAll(" ", "");
  if (!["global", "rule", "global|rule", "rule|global", "none"].includes(parts)) {
    bad("domain_append", value, 'is not one of "global", "rule", "global|rule", "rule|global", "none"');
  }
  return parts as DomainAppend;
}

function explicitNetmask(pairs: ReadonlyMap<RuleKey, string>): string | undefined {
  const mask = pairs.get("netmask");
  const prefix = pairs.get("cidr");
  if (mask !== undefined && prefix !== undefined) fail("netmask and cidr exclude each other: give one");
  if (mask !== undefined) {
    const value = parseNetmask(mask);
    return value === undefined
      ? bad("netmask", mask, "is not a netmask (e.g. 255.255.255.0)")
      : formatIpv4(value);
  }
  if (prefix === undefined) return undefined;
  const length = /^\d{1,2}$/.test(prefix) ? Number(prefix) : 0;
  if (length < 1 || length > 32) bad("cidr", prefix, "is not a prefix length from 1 to 32");
  return formatIpv4(prefixMask(length));
}

function subnets(value: string): Cidr[] {
  return alternatives("subnet", value).map(
    (item) => parseCidr(item) ?? bad("subnet", item, "is not an IPv4 CIDR (e.g. 172.16.0.0/24)"),
  );
}

function routers(value: string): string[] {
  return alternatives("routers", value).map((item) => {
    const ip = parseIpv4(item);
    return ip === undefined ? bad("routers", item, "is not an IPv4 address") : formatIpv4(ip);
  });
}

function domain(value: string): string {
  if (value.toLowerCase() === "none")
    bad("domain", value, "is not a domain (for no domain use domain_append:none)");
  const stripped = value.replace(/^\.+/, "");
  return stripped === "" ? bad("domain", value, "is not a domain") : stripped;
}

/** `rule-` and the first 4 bytes of the SHA-256 of the rule text, in hex. */
export function defaultRuleName(text: string): string {
  return `rule-${createHash("sha256").update(text).digest("hex").slice(0, 8)}`;
}

/** Parses one rule; throws DhcpConfigError naming the rule key and its bad value. */
export function parseRule(text: string): Rule {
  const trimmed = text.trim();
  if (trimmed === "") fail("empty rule");
  const pairs = keyValues(trimmed);
  const optional = <T>(key: RuleKey, parse: (value: string) => T): T | undefined => {
    const value = pairs.get(key);
    return value === undefined ? undefined : parse(value);
  };
  if (pairs.has("id_set")) fail("id_set: reserved and not implemented (match one xname with id:)");

  const matchSubnets = optional("subnet", subnets);
  const firstSubnet = matchSubnets?.[0];
  const rule: Rule = {
    name: pairs.get("name") ?? defaultRuleName(trimmed),
    text: trimmed,
    types: optional("type", (value) => new Set(alternatives("type", value))),
    subnets: matchSubnets,
    id: optional("id", normalizeXname),
    hostname: pairs.get("hostname"),
    routers: optional("routers", routers),
    // Without netmask: or cidr:, a subnet: match implies its own mask.
    netmask:
      explicitNetmask(pairs) ??
      (firstSubnet && firstSubnet.prefix > 0 ? formatIpv4(firstSubnet.mask) : undefined),
    domain: optional("domain", domain),
    domainAppend: optional("domain_append", domainAppend),
    continue: optional("continue", (value) => looseBool("continue", value)) ?? false,
    ignore: optional("ignore", (value) => looseBool("ignore", value)) ?? false,
    log: optional("log", logLevel),
  };
  if (
    rule.hostname === undefined &&
    rule.routers === undefined &&
    rule.netmask === undefined &&
    !rule.ignore
  ) {
    fail("a rule needs an action: hostname, routers, netmask, cidr, subnet or ignore:true");
  }
  return rule;
}

function logLevel(value: string): RuleLogLevel {
  return LOG_LEVELS.includes(value as RuleLogLevel)
    ? (value as RuleLogLevel)
    : bad("log", value, 'is not one of "info", "debug", "none"');
}

/** The rule text of the legacy `node_pattern=P` / `bmc_pattern=P` keys, P escaped. */
export function legacyPatternRule(type: "Node" | "NodeBMC", pattern: string): string {
  return `type:${type},hostname:${pattern.replace(/[\\,"']/g, "\\$&")}`;
}
