/** Pure: the results as Markdown tables, ready for docs/benchmarks.md. */
import { percentile } from "../lib/server.ts";
import type { PerfdhcpReport } from "./perfdhcp.ts";
import type { UdpCounters } from "./procstats.ts";
import type { TftpCase } from "./tftp.ts";
import type { TftpRunResult } from "./tftp-client.ts";

export interface DhcpRow {
  server: string;
  rate: number;
  seconds: number;
  report: PerfdhcpReport;
  /** Server CPU over the run, in % of one core. */
  cpuPercent: number;
  serverUdp: UdpCounters;
  clientUdp: UdpCounters;
  /** The machine's 1-minute load average at the end: other work on it shows here. */
  loadAverage: number;
}

export interface TftpRow {
  server: string;
  case: TftpCase;
  result: TftpRunResult;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (n: number) => (Number.isNaN(n) ? "–" : n.toFixed(2));

/**
 * Completed DORAs per second of the test period. perfdhcp's own "Rate" divides by the period
 * plus the `-W` wait, so it reads about 1/31 low for a 30 s run.
 */
export const doraPerSecond = (row: DhcpRow) => row.report.request.received / row.seconds;

export function dhcpTable(rows: readonly DhcpRow[]): string {
  return table(
    [
      "Server",
      "Offered /s",
      "DORA/s",
      "ACKs",
      "Drops (DO / RA)",
      "Latency DO avg / max ms",
      "Latency RA avg / max ms",
      "Server CPU",
      "UDP rcvbuf errors (srv / cli)",
      "Load avg",
    ],
    rows.map((row) => [
      row.server,
      int(row.rate),
      `**${int(doraPerSecond(row))}**`,
      int(row.report.request.received),
      `${int(row.report.discover.drops)} / ${int(row.report.request.drops)}`,
      `${ms(row.report.discover.avgMs)} / ${ms(row.report.discover.maxMs)}`,
      `${ms(row.report.request.avgMs)} / ${ms(row.report.request.maxMs)}`,
      `${row.cpuPercent.toFixed(0)} %`,
      `${int(row.serverUdp.RcvbufErrors)} / ${int(row.clientUdp.RcvbufErrors)}`,
      row.loadAverage.toFixed(1),
    ]),
  );
}

const MIB = 2 ** 20;

export function tftpTable(rows: readonly TftpRow[], fileBytes: number): string {
  return table(
    [
      "Server",
      "blksize / windowsize asked",
      "Granted",
      "OK",
      "Errors",
      "Wall time",
      "Aggregate MiB/s",
      "Per transfer p50 / max",
      "Resends",
    ],
    rows.map(({ server, case: c, result: r }) => [
      server,
      `${c.blksize} / ${c.windowsize}`,
      r.granted || "–",
      `${r.ok} / ${r.count}`,
      r.errors.length === 0 ? "0" : `${r.errors.length} (${r.errors[0]})`,
      `${(r.totalMs / 1000).toFixed(2)} s`,
      ((r.ok * fileBytes) / MIB / (r.totalMs / 1000)).toFixed(1),
      r.transferMs.length
        ? `${(percentile(r.transferMs, 50) / 1000).toFixed(2)} / ${(Math.max(...r.transferMs) / 1000).toFixed(2)} s`
        : "–",
      int(r.resends),
    ]),
  );
}

/** Offered at least `target`/s, no drops on either exchange, and (nearly) every exchange done. */
export function meetsTarget(row: DhcpRow, target: number): boolean {
  const { discover, request } = row.report;
  return (
    row.rate >= target && discover.drops === 0 && request.drops === 0 && doraPerSecond(row) >= 0.99 * row.rate
  );
}
