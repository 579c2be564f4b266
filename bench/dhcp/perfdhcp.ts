/**
 * perfdhcp (Debian kea-admin 2.2) as the DHCP load: the command line and its report.
 *
 * perfdhcp 2.2 rejects `-D 0` ("must be a positive integer") and `-D 1` aborts at the first
 * drop, so the run always lasts its period and the drops are counted instead; "no drops"
 * means both exchanges report 0. It counts an exchange still in flight when the period ends
 * as dropped (drops = sent − received), hence `-W` (wait 1 s for late replies, sending
 * nothing new); its "Rate" divides by the period plus that wait. `-M` picks a MAC at random
 * from the file for every exchange (one `aa:bb:cc:dd:ee:ff` per line); `-R` is kept as the
 * issue's command has it (the MACs come from the file).
 */
import type { Lab } from "./lab.ts";

export interface PerfdhcpLoad {
  server: string;
  local: string;
  macsFile: string;
  rate: number;
  clients: number;
  seconds: number;
  /** Extra options as `code,hex` (perfdhcp's `-o`). */
  options: readonly string[];
}

export function perfdhcpArgs(load: PerfdhcpLoad): string[] {
  return [
    "perfdhcp",
    "-4",
    ...["-l", load.local],
    ...["-r", String(load.rate)],
    ...["-R", String(load.clients)],
    ...["-M", load.macsFile],
    ...["-p", String(load.seconds)],
    ...["-W", "1000000"],
    ...load.options.flatMap((o) => ["-o", o]),
    load.server,
  ];
}

export interface ExchangeStats {
  sent: number;
  received: number;
  drops: number;
  orphans: number;
  rejected: number;
  minMs: number;
  avgMs: number;
  maxMs: number;
  stdDevMs: number;
}

export interface PerfdhcpReport {
  /** perfdhcp's "Rate: … 4-way exchanges/second". */
  rate: number;
  discover: ExchangeStats;
  request: ExchangeStats;
  malformed: number;
}

function countAfter(text: string, label: string): number {
  const match = new RegExp(`^${label}:\\s*(\\d+)`, "m").exec(text);
  if (!match) throw new Error(`perfdhcp output has no "${label}"`);
  return Number(match[1]);
}

/** NaN when nothing was received ("n/a"). */
function msAfter(text: string, label: string): number {
  const match = new RegExp(`^${label}:\\s*([\\d.]+) ms`, "m").exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

function exchange(output: string, name: string): ExchangeStats {
  const start = output.indexOf(`***Statistics for: ${name}***`);
  if (start < 0) throw new Error(`perfdhcp output has no ${name} statistics`);
  const next = output.indexOf("***Statistics for:", start + 1);
  const section = output.slice(start, next < 0 ? undefined : next);
  return {
    sent: countAfter(section, "sent packets"),
    received: countAfter(section, "received packets"),
    drops: countAfter(section, "drops"),
    orphans: countAfter(section, "orphans"),
    rejected: countAfter(section, "rejected leases"),
    minMs: msAfter(section, "min delay"),
    avgMs: msAfter(section, "avg delay"),
    maxMs: msAfter(section, "max delay"),
    stdDevMs: msAfter(section, "std deviation"),
  };
}

/** Pure: perfdhcp's final report, as printed by version 2.2. */
export function parsePerfdhcp(output: string): PerfdhcpReport {
  const rate = /^Rate: ([\d.]+) 4-way exchanges\/second/m.exec(output);
  if (!rate) throw new Error(`perfdhcp output has no rate:\n${output}`);
  return {
    rate: Number(rate[1]),
    discover: exchange(output, "DISCOVER-OFFER"),
    request: exchange(output, "REQUEST-ACK"),
    malformed: countAfter(output, "Malformed packets"),
  };
}

export async function runPerfdhcp(lab: Lab, load: PerfdhcpLoad): Promise<PerfdhcpReport> {
  const result = await lab.client(perfdhcpArgs(load), (load.seconds + 60) * 1000);
  // Exit 3 means some exchanges did not complete: a result, not a failure of the tool.
  if (result.code !== 0 && result.code !== 3) {
    throw new Error(`perfdhcp exited with ${result.code}: ${result.stderr}${result.stdout}`);
  }
  return parsePerfdhcp(result.stdout);
}

/**
 * A second of DORAs at 10/s, retried until every one completes: the server is up, has its
 * inventory, and answers this setup (giaddr, subnet, reservations) correctly. (`-n 1` alone
 * does not wait for the OFFER, and with `-W` it loops.)
 */
export async function waitForDora(
  lab: Lab,
  server: string,
  local: string,
  macsFile: string,
  alive: () => boolean,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive()) throw new Error("the server exited");
    const argv = [
      "perfdhcp",
      "-4",
      "-l",
      local,
      "-M",
      macsFile,
      "-r",
      "10",
      "-p",
      "1",
      "-W",
      "500000",
      server,
    ];
    const probe = await lab.client(argv, 10_000);
    if (probe.code === 0) return;
    if (Date.now() > deadline) throw new Error(`no DORA completed within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
