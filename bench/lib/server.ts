/** Benchmarks run the real `openchami` binary in a child process, as an operator would. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { freePort, skipWithoutPostgres, startPostgres } from "@openchami/testkit";

const BIN = new URL("../../packages/openchami/bin/openchami.js", import.meta.url).pathname;

export interface BenchServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `openchami serve` (request logs off: warn level) and waits until SMD is ready. */
export async function startServer(args: string[]): Promise<BenchServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [BIN, "serve", "--host", "127.0.0.1", "--port", String(port), "--log-level", "warn", ...args],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/hsm/v2/service/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return {
    url,
    pid: child.pid!,
    async stop() {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}

export function machineFacts(): string {
  return `node ${process.version}, ${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/**
 * Runs a benchmark on the embedded database (a fresh data dir) and/or a throwaway
 * PostgreSQL, as `--pglite` / `--postgres` ask (neither: both). `run` gets the database flags
 * to pass to `openchami serve`.
 */
export async function onEachBackend(
  wanted: { pglite?: boolean; postgres?: boolean },
  run: (label: string, dbArgs: string[]) => Promise<void>,
): Promise<void> {
  const both = !wanted.pglite && !wanted.postgres;
  if (wanted.pglite || both) {
    const dataDir = mkdtempSync(join(tmpdir(), "openchami-bench-"));
    try {
      await run("embedded PGlite", ["--data-dir", join(dataDir, "data")]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  if (wanted.postgres || both) {
    if (skipWithoutPostgres) {
      console.log(`PostgreSQL: skipped (${skipWithoutPostgres})`);
      return;
    }
    const pg = await startPostgres();
    try {
      await run("PostgreSQL", ["--database-url", pg.url]);
    } finally {
      await pg.stop();
    }
  }
}
