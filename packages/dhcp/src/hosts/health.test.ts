import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createMetrics } from "@openchami/http";
import { INVENTORY_MAX_AGE_MS, inventoryReady, registerInventoryMetrics } from "./health.ts";
import { StaticHostSource } from "./static.ts";

const DATA = {
  components: [{ ID: "x1c0s0b0n0", Type: "Node", Enabled: true, NID: 1 }],
  ethernetInterfaces: [
    { MACAddress: "52:54:00:00:00:01", ComponentID: "x1c0s0b0n0", IPAddresses: [{ IPAddress: "10.0.0.1" }] },
    { MACAddress: "52:54:00:00:00:02", ComponentID: "x1c0s0b0n0", IPAddresses: [] },
  ],
};

describe("inventory health", () => {
  it("is ready only when loaded and younger than five minutes", () => {
    const empty = new StaticHostSource();
    assert.equal(inventoryReady(empty), false);
    const source = new StaticHostSource(DATA);
    const loadedAt = source.current().loadedAt;
    assert.equal(inventoryReady(source, loadedAt + INVENTORY_MAX_AGE_MS - 1), true);
    assert.equal(inventoryReady(source, loadedAt + INVENTORY_MAX_AGE_MS), false);
  });

  it("sets age and size gauges when asked, and neither before the first load", () => {
    const metrics = createMetrics();
    const source = new StaticHostSource();
    let now = 0;
    const update = registerInventoryMetrics(metrics, source, () => now);
    update();
    assert.doesNotMatch(metrics.render(), /^dhcp_inventory_(age_seconds|hosts) /m);

    const view = source.update(DATA);
    now = view.loadedAt + 2500;
    update();
    const text = metrics.render();
    assert.match(text, /^dhcp_inventory_age_seconds 2\.5$/m);
    assert.match(text, /^dhcp_inventory_hosts 2$/m);
  });

  it("tells listeners of each new static view, with a higher version", () => {
    const source = new StaticHostSource(DATA);
    const seen: number[] = [];
    const stop = source.onChange((view) => seen.push(view.version));
    source.update({ components: [], ethernetInterfaces: [] });
    stop();
    source.update(DATA);
    assert.deepEqual(seen, [2]);
    assert.equal(source.current().version, 3);
    assert.equal(source.loaded, true);
  });
});
