import assert from "node:assert/strict";
import { test } from "node:test";
import { createMetrics } from "./metrics.ts";

test("renders counters, gauges and histograms in text format 0.0.4", () => {
  const metrics = createMetrics();
  const drops = metrics.counter("dhcp_drops_total", "Packets dropped.", ["reason"]);
  drops.inc({ reason: "unknown mac" });
  drops.inc({ reason: "unknown mac" }, 2);
  drops.inc({ reason: 'say "hi"\n' });
  metrics.gauge("up", "Whether up.").set({}, 1);
  const latency = metrics.histogram("latency_seconds", "Latency.", [0.5, 0.1], ["op"]);
  latency.observe({ op: "get" }, 0.05);
  latency.observe({ op: "get" }, 0.3);
  latency.observe({ op: "get" }, 2);

  assert.equal(
    metrics.render(),
    [
      "# HELP dhcp_drops_total Packets dropped.",
      "# TYPE dhcp_drops_total counter",
      'dhcp_drops_total{reason="unknown mac"} 3',
      'dhcp_drops_total{reason="say \\"hi\\"\\n"} 1',
      "# HELP up Whether up.",
      "# TYPE up gauge",
      "up 1",
      "# HELP latency_seconds Latency.",
      "# TYPE latency_seconds histogram",
      'latency_seconds_bucket{op="get",le="0.1"} 1',
      'latency_seconds_bucket{op="get",le="0.5"} 2',
      'latency_seconds_bucket{op="get",le="+Inf"} 3',
      'latency_seconds_sum{op="get"} 2.35',
      'latency_seconds_count{op="get"} 3',
      "",
    ].join("\n"),
  );
});

test("registering a metric twice shares it; a clash is an error", () => {
  const metrics = createMetrics();
  const a = metrics.counter("hits_total", "Hits.", ["route"]);
  assert.equal(metrics.counter("hits_total", "Hits.", ["route"]), a);
  assert.throws(() => metrics.gauge("hits_total", "Hits."), /already registered/);
  assert.throws(() => metrics.counter("bad-name", "x"), /invalid metric name/);
  assert.throws(() => metrics.counter("ok_total", "x", ["le"]), /invalid label name/);
  assert.throws(() => a.inc({ route: "/" }, -1), /cannot decrease/);
});
