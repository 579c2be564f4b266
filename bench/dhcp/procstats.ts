/** Where time and packets went during a run: a process's CPU and a namespace's UDP counters. */
import { readFileSync } from "node:fs";
import type { Lab } from "./lab.ts";

/** User + system CPU seconds of a process (and its reaped children), from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100; // USER_HZ is 100 on Linux
}

export interface UdpCounters {
  InDatagrams: number;
  InErrors: number;
  RcvbufErrors: number;
  SndbufErrors: number;
}

/** Pure: the `Udp:` header and value lines of /proc/net/snmp. */
export function parseUdpCounters(snmp: string): UdpCounters {
  const [header, values] = snmp.split("\n").filter((line) => line.startsWith("Udp:"));
  if (!header || !values) throw new Error("no Udp lines in /proc/net/snmp");
  const names = header.split(/\s+/).slice(1);
  const numbers = values.split(/\s+/).slice(1).map(Number);
  const get = (name: string) => numbers[names.indexOf(name)] ?? Number.NaN;
  return {
    InDatagrams: get("InDatagrams"),
    InErrors: get("InErrors"),
    RcvbufErrors: get("RcvbufErrors"),
    SndbufErrors: get("SndbufErrors"),
  };
}

/** /proc/net/snmp is per network namespace. */
export function udpCounters(lab: Lab, ns: "server" | "client"): UdpCounters {
  const name = ns === "server" ? lab.net.server : lab.net.client;
  const result = lab.net.exec(name, ["cat", "/proc/net/snmp"]);
  if (result.status !== 0) throw new Error(`/proc/net/snmp in ${name}: ${result.stderr}`);
  return parseUdpCounters(result.stdout);
}

export function udpDelta(before: UdpCounters, after: UdpCounters): UdpCounters {
  return {
    InDatagrams: after.InDatagrams - before.InDatagrams,
    InErrors: after.InErrors - before.InErrors,
    RcvbufErrors: after.RcvbufErrors - before.RcvbufErrors,
    SndbufErrors: after.SndbufErrors - before.SndbufErrors,
  };
}
