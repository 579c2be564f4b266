/**
 * Startup benchmark for `openchami serve`: time from spawn to a 200 from
 * /hsm/v2/service/ready on a fresh data dir (first start: database init, migrations, key
 * generation) and on an existing one; idle resident memory; time from SIGTERM to exit.
 *
 *   npm run bench:startup -- [--runs 5] [--postgres]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { skipWithoutPostgres, startPostgres } from "@openchami/testkit";
import { machineFacts, percentile, startServer } from "../lib/server.ts";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "5" }, postgres: { type: "boolean", default: false } },
});
const runs = Number(values.runs);

interface Sample {
  readyMs: number;
  rssMb: number;
  stopMs: number;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

async function once(dataDir: string, extraArgs: string[]): Promise<Sample> {
  const started = performance.now();
  const server = await startServer(["--data-dir", dataDir, ...extraArgs]);
  const readyMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 2000)); // let start-up garbage settle
  const rss = rssMb(server.pid);
  const stopping = performance.now();
  await server.stop();
  return { readyMs, rssMb: rss, stopMs: performance.now() - stopping };
}

const median = (xs: number[]) => percentile(xs, 50);

function report(label: string, samples: Sample[]): void {
  const fmt = (xs: number[], unit: string) =>
    `median ${median(xs).toFixed(0)} ${unit} (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
  console.log(`${label} (${samples.length} runs)`);
  console.log(
    `  time to ready: ${fmt(
      samples.map((s) => s.readyMs),
      "ms",
    )}`,
  );
  console.log(
    `  idle RSS:      ${fmt(
      samples.map((s) => s.rssMb),
      "MB",
    )}`,
  );
  console.log(
    `  SIGTERM->exit: ${fmt(
      samples.map((s) => s.stopMs),
      "ms",
    )}`,
  );
}

async function suite(label: string, extraArgs: string[]): Promise<void> {
  const first: Sample[] = [];
  const warm: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), "openchami-bench-"));
    try {
      first.push(await once(dataDir, extraArgs));
      warm.push(await once(dataDir, extraArgs));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  report(`${label}, first start (fresh data dir)`, first);
  report(`${label}, existing data dir`, warm);
}

console.log(machineFacts());
await suite("embedded PGlite", []);
if (values.postgres) {
  if (skipWithoutPostgres) {
    console.log(`PostgreSQL: skipped (${skipWithoutPostgres})`);
  } else {
    const pg = await startPostgres();
    try {
      await suite("PostgreSQL", ["--database-url", pg.url]);
    } finally {
      await pg.stop();
    }
  }
}
