import type { Metrics } from "@openchami/http";
import type { HostSource } from "./types.ts";

/** Older than this, the inventory no longer counts as ready (dhcp.md §2.4). */
export const INVENTORY_MAX_AGE_MS = 5 * 60_000;

/** Ready = loaded and fresh. */
export function inventoryReady(source: HostSource, now: number = Date.now()): boolean {
  return source.loaded && now - source.current().loadedAt < INVENTORY_MAX_AGE_MS;
}

/**
 * Registers `dhcp_inventory_age_seconds` and `dhcp_inventory_hosts`, and returns the function
 * that sets them: call it just before each `metrics.render()`, since age grows between reloads.
 * Both stay absent until the first load.
 */
export function registerInventoryMetrics(
  metrics: Metrics,
  source: HostSource,
  clock: () => number = Date.now,
): () => void {
  const age = metrics.gauge(
    "dhcp_inventory_age_seconds",
    "Seconds since the inventory copy was read from SMD.",
  );
  const hosts = metrics.gauge("dhcp_inventory_hosts", "Interfaces with a usable MAC in the inventory copy.");
  return () => {
    if (!source.loaded) return;
    const view = source.current();
    age.set({}, (clock() - view.loadedAt) / 1000);
    hosts.set({}, view.hosts().length);
  };
}
