/** Starting the servers under test in the server namespace, each logging to a file in `dir`. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { dnsmasqArgs, dnsmasqHosts, keaConfig, openchamiConfig } from "./configs.ts";
import type { BenchNode } from "./inventory.ts";
import { type Daemon, type Lab, startDaemon } from "./lab.ts";

const BIN = new URL("../../packages/openchami/bin/openchami.js", import.meta.url).pathname;
/** HTTP inside the server namespace (metrics); nothing else listens there. */
export const OPENCHAMI_HTTP = "http://127.0.0.1:8081";

export interface OpenchamiOptions {
  dataDir: string;
  tftpDir: string;
  /** Undefined: the default level (info), as an operator runs it. */
  logLevel: string | undefined;
  /** Undefined: the default `cache_valid` (30s). */
  cacheValid: string | undefined;
  /** Write a V8 CPU profile into `dir` on exit. */
  profile: boolean;
}

export function openchamiCommand(dir: string, o: OpenchamiOptions): string[] {
  const configFile = join(dir, "dhcp.yaml");
  writeFileSync(configFile, openchamiConfig(o.tftpDir, o.cacheValid));
  return [
    process.execPath,
    ...(o.profile ? ["--cpu-prof", "--cpu-prof-dir", dir] : []),
    BIN,
    "serve",
    ...["--host", "127.0.0.1", "--port", "8081", "--data-dir", o.dataDir, "--no-auth"],
    ...["--enable", "dhcp,tftp", "--dhcp-config", configFile],
    ...(o.logLevel ? ["--log-level", o.logLevel] : []),
  ];
}

export function startOpenchami(lab: Lab, dir: string, o: OpenchamiOptions): Daemon {
  return startDaemon(lab, openchamiCommand(dir, o), join(dir, "openchami.log"));
}

export function keaCommand(dir: string, nodes: readonly BenchNode[]): string[] {
  const configFile = join(dir, "kea-dhcp4.json");
  writeFileSync(configFile, keaConfig(nodes, dir));
  return ["kea-dhcp4", "-c", configFile];
}

export function startKea(lab: Lab, dir: string, nodes: readonly BenchNode[]): Daemon {
  // Its pid and lock files would otherwise go to /run/kea, shared with any system Kea.
  return startDaemon(lab, keaCommand(dir, nodes), join(dir, "kea-dhcp4.out"), {
    KEA_PIDFILE_DIR: dir,
    KEA_LOCKFILE_DIR: dir,
  });
}

export function dnsmasqCommand(dir: string, nodes: readonly BenchNode[], tftpDir: string): string[] {
  const hostsFile = join(dir, "dnsmasq.hosts");
  writeFileSync(hostsFile, dnsmasqHosts(nodes));
  return dnsmasqArgs(dir, hostsFile, tftpDir, nodes.length * 2);
}

export function startDnsmasq(lab: Lab, dir: string, nodes: readonly BenchNode[], tftpDir: string): Daemon {
  return startDaemon(lab, dnsmasqCommand(dir, nodes, tftpDir), join(dir, "dnsmasq.out"));
}
