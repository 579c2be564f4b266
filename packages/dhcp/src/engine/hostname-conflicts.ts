import type { Logger } from "@openchami/core";
import type { Metrics } from "@openchami/http";
import type { CoresmdConfig } from "../config/types.ts";
import type { HostSource, HostView } from "../hosts/types.ts";
import { evaluateRules } from "../rules/evaluate.ts";

export interface HostnameConflict {
  /** The rendered FQDN (option 12). */
  hostname: string;
  /** The components it would be given to, sorted. */
  xnames: string[];
}

/**
 * Hostnames that several enabled components would be given (dhcp.md §3.3): each host is
 * rendered as §3.2 names an unrelayed client, at its first IPv4. Interfaces of one component
 * sharing a name are no conflict; names compare case-insensitively, as DNS does.
 */
export function hostnameConflicts(
  view: HostView,
  coresmd: Pick<CoresmdConfig, "rules" | "domain">,
): HostnameConflict[] {
  const byName = new Map<string, { hostname: string; xnames: Set<string> }>();
  for (const host of view.hosts()) {
    const { component } = host;
    const address = host.ipv4[0];
    if (!component.enabled || address === undefined) continue;
    const nameNid = view.nameNid(component);
    const outcome = evaluateRules(coresmd.rules, { component, nameNid, address }, coresmd.domain, "none");
    if (outcome.ignore) continue;
    const key = outcome.hostname.toLowerCase();
    const entry = byName.get(key) ?? { hostname: outcome.hostname, xnames: new Set<string>() };
    entry.xnames.add(component.xname);
    byName.set(key, entry);
  }
  return [...byName.values()]
    .filter((entry) => entry.xnames.size > 1)
    .map((entry) => ({ hostname: entry.hostname, xnames: [...entry.xnames].sort() }))
    .sort((a, b) => (a.hostname < b.hostname ? -1 : 1));
}

/** How many conflicts a warning lists. */
const EXAMPLES = 5;

/**
 * Checks every inventory view (now, if loaded, and on each change): `dhcp_hostname_conflicts`
 * holds the count, and a warning lists a few whenever the set changes (periodic resyncs of an
 * unchanged inventory stay quiet). Returns the unsubscribe.
 */
export function watchHostnameConflicts(options: {
  hosts: HostSource;
  coresmd: Pick<CoresmdConfig, "rules" | "domain">;
  logger: Logger;
  metrics: Metrics;
}): () => void {
  const { hosts, coresmd, logger, metrics } = options;
  const gauge = metrics.gauge(
    "dhcp_hostname_conflicts",
    "Hostnames that more than one enabled component would be given by DHCP.",
  );
  let previous = "";
  const check = (view: HostView) => {
    const conflicts = hostnameConflicts(view, coresmd);
    gauge.set({}, conflicts.length);
    const signature = JSON.stringify(conflicts);
    if (signature === previous) return;
    previous = signature;
    if (conflicts.length === 0) return;
    logger.warn(
      {
        conflicts: conflicts.length,
        examples: conflicts.slice(0, EXAMPLES).map((c) => `${c.hostname}: ${c.xnames.join(", ")}`),
      },
      "several components would get the same hostname; check the rules' hostname patterns and NIDs",
    );
  };
  if (hosts.loaded) check(hosts.current());
  return hosts.onChange(check);
}
