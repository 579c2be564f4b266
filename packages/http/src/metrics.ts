/**
 * A tiny Prometheus registry (text exposition format 0.0.4): enough for request
 * counters and latency histograms without a client library.
 */

export type Labels = Readonly<Record<string, string | number>>;

export interface Counter {
  inc(labels?: Labels, n?: number): void;
}

export interface Gauge {
  set(labels: Labels, value: number): void;
  inc(labels?: Labels, n?: number): void;
}

export interface Histogram {
  observe(labels: Labels, value: number): void;
}

export interface Metrics {
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  gauge(name: string, help: string, labelNames?: readonly string[]): Gauge;
  histogram(
    name: string,
    help: string,
    buckets: readonly number[],
    labelNames?: readonly string[],
  ): Histogram;
  /** Runs `collect` at the start of every `render()` (gauges that change with time, not events). */
  beforeRender(collect: () => void): () => void;
  render(): string;
}

/** Prometheus' default latency buckets, in seconds. */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

type Kind = "counter" | "gauge" | "histogram";

interface Family {
  kind: Kind;
  help: string;
  labelNames: readonly string[];
  /** Series by their label values; the key is the values JSON-encoded in labelNames order. */
  series: Map<string, { values: string[]; data: number[] }>;
  buckets: readonly number[];
}

type Metric = Counter | Gauge | Histogram;

export function createMetrics(): Metrics {
  const families = new Map<string, { family: Family; metric: Metric }>();
  const collectors = new Set<() => void>();

  function register(
    kind: Kind,
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
    build: (family: Family) => Metric,
  ): Metric {
    const existing = families.get(name);
    if (existing) {
      // Re-registering the same metric (a plugin mounted under two prefixes) shares it.
      const { family } = existing;
      if (family.kind !== kind || family.labelNames.join() !== labelNames.join()) {
        throw new Error(`metric ${name} is already registered with another type or labels`);
      }
      return existing.metric;
    }
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    for (const label of labelNames) {
      if (!LABEL_NAME.test(label) || label === "le") throw new Error(`invalid label name ${label}`);
    }
    const family: Family = { kind, help, labelNames, series: new Map(), buckets };
    const metric = build(family);
    families.set(name, { family, metric });
    return metric;
  }

  /** The series for these labels, created with `size` zeroed slots on first use. */
  function seriesOf(family: Family, labels: Labels, size: number): number[] {
    const values = family.labelNames.map((name) => String(labels[name] ?? ""));
    const key = JSON.stringify(values);
    let series = family.series.get(key);
    if (!series) {
      series = { values, data: new Array<number>(size).fill(0) };
      family.series.set(key, series);
    }
    return series.data;
  }

  return {
    counter(name, help, labelNames = []) {
      return register("counter", name, help, labelNames, [], (family) => ({
        inc(labels = {}, n = 1) {
          if (n < 0) throw new Error(`counter ${name} cannot decrease`);
          const data = seriesOf(family, labels, 1);
          data[0]! += n;
        },
      })) as Counter;
    },

    gauge(name, help, labelNames = []) {
      return register("gauge", name, help, labelNames, [], (family) => ({
        set(labels, value) {
          seriesOf(family, labels, 1)[0] = value;
        },
        inc(labels = {}, n = 1) {
          const data = seriesOf(family, labels, 1);
          data[0]! += n;
        },
      })) as Gauge;
    },

    histogram(name, help, buckets, labelNames = []) {
      const bounds = [...buckets].sort((a, b) => a - b);
      // Layout per series: one count per bucket bound, then sum, then total count.
      return register("histogram", name, help, labelNames, bounds, (family) => ({
        observe(labels, value) {
          const data = seriesOf(family, labels, bounds.length + 2);
          for (let i = 0; i < bounds.length; i++) if (value <= bounds[i]!) data[i]! += 1;
          data[bounds.length]! += value;
          data[bounds.length + 1]! += 1;
        },
      })) as Histogram;
    },

    beforeRender(collect) {
      collectors.add(collect);
      return () => collectors.delete(collect);
    },

    render() {
      for (const collect of collectors) collect();
      const lines: string[] = [];
      for (const [name, { family }] of families) {
        lines.push(`# HELP ${name} ${escapeHelp(family.help)}`, `# TYPE ${name} ${family.kind}`);
        for (const { values, data } of family.series.values()) {
          const pairs = family.labelNames.map((label, i) => `${label}="${escapeLabel(values[i]!)}"`);
          if (family.kind !== "histogram") {
            lines.push(`${name}${braces(pairs)} ${formatNumber(data[0]!)}`);
            continue;
          }
          const n = family.buckets.length;
          family.buckets.forEach((bound, i) => {
            lines.push(`${name}_bucket${braces([...pairs, `le="${formatNumber(bound)}"`])} ${data[i]}`);
          });
          lines.push(`${name}_bucket${braces([...pairs, 'le="+Inf"'])} ${data[n + 1]}`);
          lines.push(`${name}_sum${braces(pairs)} ${formatNumber(data[n]!)}`);
          lines.push(`${name}_count${braces(pairs)} ${data[n + 1]}`);
        }
      }
      return `${lines.join("\n")}\n`;
    },
  };
}

function braces(pairs: readonly string[]): string {
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

function escapeHelp(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

function escapeLabel(value: string): string {
  return escapeHelp(value).replaceAll('"', '\\"');
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}
