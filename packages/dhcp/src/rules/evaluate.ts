import type { Rule, RuleLogLevel } from "../config/types.ts";
import { renderPattern } from "../hostname.ts";
import type { DhcpComponent } from "../hosts/types.ts";
import { cidrContains } from "../ip.ts";

/**
 * Rule evaluation for a known host (dhcp.md §3.3), on the hot path: one pass over the
 * parsed rules, nothing allocated but the outcome and its hostname.
 */

/** The hostname when no matching rule sets one; without a NID the xname is used instead. */
export const DEFAULT_HOSTNAME_PATTERN = "unknown-{04d}";

export interface RuleInput {
  component: DhcpComponent;
  /** The NID names use (HostView.nameNid). */
  nameNid: number | undefined;
  /** The IPv4 chosen for the client, matched by `subnet:`. */
  address: number;
}

export type RuleOutcome =
  | { ignore: true; rule: string; log: RuleLogLevel }
  | {
      ignore: false;
      /** FQDN per the domain rules, for option 12. */
      hostname: string;
      routers: readonly string[] | undefined;
      netmask: string | undefined;
      /** The last matching rule, if any. */
      rule: string | undefined;
      log: RuleLogLevel;
    };

function matches(rule: Rule, input: RuleInput): boolean {
  if (rule.types !== undefined && !rule.types.has(input.component.type)) return false;
  if (rule.id !== undefined && rule.id !== input.component.xname) return false;
  const subnets = rule.subnets;
  if (subnets === undefined) return true;
  for (let i = 0; i < subnets.length; i++) if (cidrContains(subnets[i]!, input.address)) return true;
  return false;
}

function withDomain(name: string, domain: string | undefined): string {
  return domain ? `${name}.${domain}` : name;
}

/** Appends the domains `domain_append` asks for; missing ones are skipped. */
function qualify(name: string, rule: Rule | undefined, globalDomain: string | undefined): string {
  const ruleDomain = rule?.domain;
  switch (rule?.domainAppend) {
    case undefined:
      return withDomain(name, ruleDomain || globalDomain);
    case "none":
      return name;
    case "global":
      return withDomain(name, globalDomain);
    case "rule":
      return withDomain(name, ruleDomain);
    case "global|rule":
      return withDomain(withDomain(name, globalDomain), ruleDomain);
    case "rule|global":
      return withDomain(withDomain(name, ruleDomain), globalDomain);
  }
}

/**
 * Rules in order: the first match stops evaluation unless it says `continue:true`; a match
 * with `ignore` drops the request; later matches overwrite hostname, routers and netmask.
 */
export function evaluateRules(
  rules: readonly Rule[],
  input: RuleInput,
  globalDomain: string | undefined,
  ruleLog: RuleLogLevel,
): RuleOutcome {
  let named: Rule | undefined;
  let last: Rule | undefined;
  let routers: readonly string[] | undefined;
  let netmask: string | undefined;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (!matches(rule, input)) continue;
    if (rule.ignore) return { ignore: true, rule: rule.name, log: rule.log ?? ruleLog };
    last = rule;
    if (rule.hostname !== undefined) named = rule;
    if (rule.routers !== undefined) routers = rule.routers;
    if (rule.netmask !== undefined) netmask = rule.netmask;
    if (!rule.continue) break;
  }
  const { xname } = input.component;
  const name = renderPattern(named?.hostname ?? DEFAULT_HOSTNAME_PATTERN, xname, input.nameNid) ?? xname;
  return {
    ignore: false,
    hostname: qualify(name, named, globalDomain),
    routers,
    netmask,
    rule: last?.name,
    log: last?.log ?? ruleLog,
  };
}
