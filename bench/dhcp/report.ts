/** Pure: the results as Markdown tables, ready for docs/benchmarks.md. */
import { percentile } from "../lib/server.ts";
import type { PerfdhcpReport } from "./perfdhcp.ts";
import type { UdpCounters } from "./procstats.ts";
import type { TftpCase } from "./tftp.ts";
import type { TftpRunResult } from "./tftp-client.ts";

export interface DhcpRow {
  server: string;
  rate: number;
  report: PerfdhcpReport;
  /** Server CPU over the run, in % of one core. */
  cpuPercent: number;
  serverUdp: UdpCounters;
  clientUdp: UdpCounters;
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

export function dhcpTable(rows: readonly DhcpRow[]): string {
  return table(
    [
      "Server",
      "Offered rate",
      "DORA/s",
      "ACKs",
      "Drops (DO / RA)",
      "Latency DO avg / max ms",
      "Latency RA avg / max ms",
      "Server CPU",
      "UDP rcvbuf errors (srv / cli)",
    ],
    rows.map(({ server, rate, report: r, cpuPercent, serverUdp, clientUdp }) => [
      server,
      int(rate),
      `**${int(r.rate)}**`,
      int(r.request.received),
      `${int(r.discover.drops)} / ${int(r.request.drops)}`,
      `${ms(r.discover.avgMs)} / ${ms(r.discover.maxMs)}`,
      `${ms(r.request.avgMs)} / ${ms(r.request.maxMs)}`,
      `${cpuPercent.toFixed(0)} %`,
      `${int(serverUdp.RcvbufErrors)} / ${int(clientUdp.RcvbufErrors)}`,
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

/** Zero drops on both exchanges and at least `target` exchanges per second. */
export function meetsTarget(row: DhcpRow, target: number): boolean {
  return row.report.discover.drops === 0 && row.report.request.drops === 0 && row.report.rate >= target;
}
