import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "@openchami/core";
import type { Db } from "@openchami/db";
import type { Metrics } from "@openchami/http";
import { BootloopLeases } from "./bootloop/leases.ts";
import type { DhcpConfig } from "./config/types.ts";
import { DnsServer } from "./dns/server.ts";
import { ARCH_BINARIES } from "./engine/boot-file.ts";
import { DhcpServer, dhcpCounters } from "./engine/dhcp-server.ts";
import { DhcpEngine } from "./engine/engine.ts";
import { watchHostnameConflicts } from "./engine/hostname-conflicts.ts";
import { ipxeScripts } from "./engine/ipxe-scripts.ts";
import { registerInventoryMetrics } from "./hosts/health.ts";
import type { HostSource } from "./hosts/types.ts";
import { TftpServer } from "./tftp/server.ts";

/** The protocols `--enable` can switch on. */
export const NETWORK_SERVICES = ["dhcp", "tftp", "dns"] as const;
export type NetworkService = (typeof NETWORK_SERVICES)[number];

export interface NetworkServicesOptions {
  config: DhcpConfig;
  enable: readonly NetworkService[];
  /** Holds the bootloop leases; required when dhcp runs with a bootloop section. */
  db: Db | undefined;
  hosts: HostSource;
  logger: Logger;
  metrics: Metrics;
}

export interface RunningNetworkServices {
  /** Bound ports (tests ask for port 0). */
  dhcpPorts: number[];
  tftpPort: number | undefined;
  dnsPorts: number[];
  close(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 60_000;

function warnMissingBinaries(config: DhcpConfig, logger: Logger): void {
  const dir = config.coresmd.tftpDir;
  const missing = [...new Set(ARCH_BINARIES.values())].filter((file) => !existsSync(join(dir, file)));
  if (missing.length > 0) {
    logger.warn({ tftpDir: dir, missing }, "iPXE binaries handed out by DHCP are missing from the TFTP root");
  }
}

/**
 * Starts the selected protocols on one shared inventory copy (dhcp.md §7.1). The caller owns
 * `hosts` (starts and closes it) and the database; everything started here stops in `close`.
 */
export async function startNetworkServices(options: NetworkServicesOptions): Promise<RunningNetworkServices> {
  const { config, enable, db, hosts, logger, metrics } = options;
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    let bootloop: BootloopLeases | undefined;
    if (enable.includes("dhcp") && config.bootloop) {
      if (!db) throw new Error("DHCP: the bootloop pool needs a database for its leases");
      const leases = await BootloopLeases.open(db, logger);
      const sweeper = setInterval(() => void leases.sweep(), SWEEP_INTERVAL_MS).unref();
      stops.push(async () => {
        clearInterval(sweeper);
        await leases.close();
      });
      bootloop = leases;
    }
    const counters = dhcpCounters(metrics);
    const engine = new DhcpEngine({ config, hosts, bootloop, logger, counters });

    let dhcp: DhcpServer | undefined;
    if (enable.includes("dhcp")) {
      dhcp = new DhcpServer({ listen: config.listen, engine, logger, metrics }, counters);
      stops.push(() => dhcp!.close());
      await dhcp.start();
      const stopWatching = watchHostnameConflicts({ hosts, coresmd: config.coresmd, logger, metrics });
      stops.push(async () => stopWatching());
    }

    let tftp: TftpServer | undefined;
    if (enable.includes("tftp")) {
      const { coresmd } = config;
      warnMissingBinaries(config, logger);
      tftp = new TftpServer({
        host: "0.0.0.0",
        port: coresmd.tftpPort,
        root: coresmd.tftpDir,
        singlePort: coresmd.singlePort,
        maxTransfers: coresmd.tftpMaxTransfers,
        maxBlksize: coresmd.tftpMaxBlksize,
        maxWindowsize: coresmd.tftpMaxWindowsize,
        timeoutMs: coresmd.tftpTimeoutMs,
        retries: coresmd.tftpRetries,
        logger,
        metrics,
        generate: ipxeScripts({ hosts, bootloop, bootScriptUrl: (mac) => engine.bootScriptUrl(mac) }),
      });
      stops.push(() => tftp!.close());
      await tftp.start();
    }

    let dns: DnsServer | undefined;
    if (enable.includes("dns")) {
      const dnsConfig = config.dnsServer;
      if (!dnsConfig) throw new Error("dns is enabled but the configuration has no dns_server section");
      dns = new DnsServer({ ...dnsConfig, hosts, logger, metrics });
      stops.push(() => dns!.close());
      await dns.start();
    }

    const inventoryGauges = registerInventoryMetrics(metrics, hosts);
    const bootloopLeases = metrics.gauge(
      "bootloop_leases",
      "Bootloop pool leases held (expired ones until swept).",
    );
    const stopGauges = metrics.beforeRender(() => {
      inventoryGauges();
      if (bootloop) bootloopLeases.set({}, bootloop.size);
    });
    stops.push(async () => void stopGauges());
    return { dhcpPorts: dhcp?.ports() ?? [], tftpPort: tftp?.port, dnsPorts: dns?.ports() ?? [], close };
  } catch (error) {
    await close();
    throw error;
  }
}
