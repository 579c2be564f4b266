import { join } from "node:path";
import { createLogger } from "@openchami/core";
import { type Db, openDb } from "@openchami/db";
import { DHCP_FLAGS, dhcpMigrations, type NetworkService, parseDhcpConfig } from "@openchami/dhcp";
import { buildHttp } from "@openchami/http";
import type { Command } from "commander";
import { defaultDataDir, ensureDataDir } from "./data-dir.ts";
import {
  createHostSource,
  parseNetworkServices,
  readDhcpConfig,
  readinessRoute,
  startNetwork,
} from "./network.ts";
import { exitOnSignals } from "./shutdown.ts";

/** Where `openchami dhcp` serves `/metrics` and `/dhcp/ready`. */
export const DHCP_HTTP_PORT = 8082;

export interface DhcpCommandFlags {
  config?: string;
  enable?: string;
  port?: string;
  host?: string;
  dataDir?: string;
  databaseUrl?: string;
  logLevel?: string;
  [dhcpFlag: string]: string | undefined;
}

function camel(kebab: string): string {
  return kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Declares `openchami dhcp`'s options: its own, then one per configuration key. */
export function dhcpCommandOptions(command: Command): Command {
  command
    .option("--config <file>", "YAML configuration: coredhcp.yaml form or structured (see docs/dhcp.md)")
    .option(
      "--enable <protocols>",
      "protocols to run (default dhcp,tftp, plus dns with a dns_server section)",
    )
    .option("--port <port>", `HTTP port for /metrics and /dhcp/ready (default ${DHCP_HTTP_PORT})`)
    .option("--host <host>", "address the HTTP port binds (default 0.0.0.0)")
    .option("--data-dir <dir>", `where bootloop leases are kept (default ${defaultDataDir(process.env)})`)
    .option("--database-url <url>", "keep bootloop leases in this PostgreSQL instead (env DATABASE_URL)")
    .option("--log-level <level>", "fatal, error, warn, info, debug or trace");
  for (const flag of DHCP_FLAGS) command.option(`--${flag.name} <value>`, flag.description);
  return command;
}

/** The configuration keys given as flags, by their kebab-case names. */
function configFlags(flags: DhcpCommandFlags): Record<string, string> {
  const given: Record<string, string> = {};
  for (const { name } of DHCP_FLAGS) {
    const value = flags[camel(name)];
    if (value !== undefined) given[name] = value;
  }
  return given;
}

/**
 * `openchami dhcp`: DHCP, TFTP and DNS alone, polling SMD at `svc_base_uri` (coresmd's
 * deployment shape). Bootloop leases need a database: the embedded one unless
 * `--database-url` names a PostgreSQL.
 */
export async function runDhcpCommand(flags: DhcpCommandFlags, env: NodeJS.ProcessEnv): Promise<void> {
  const logger = createLogger({ level: flags.logLevel ?? env.LOG_LEVEL ?? "info" });
  const overrides = configFlags(flags);
  const config = flags.config
    ? await readDhcpConfig(flags.config, overrides, logger)
    : parseDhcpConfig("", { flags: overrides, warn: (message) => logger.warn(message) });
  const enable: NetworkService[] = flags.enable
    ? parseNetworkServices(flags.enable, "--enable")
    : ["dhcp", "tftp", ...(config.dnsServer ? (["dns"] as const) : [])];
  const port = Number(flags.port ?? DHCP_HTTP_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: not a port: ${flags.port}`);

  const databaseUrl = flags.databaseUrl ?? env.DATABASE_URL;
  let db: Db | undefined;
  if (enable.includes("dhcp") && config.bootloop) {
    db = databaseUrl
      ? await openDb({ url: databaseUrl }, { logger })
      : await openDb(
          { dataDir: join(ensureDataDir(flags.dataDir ?? defaultDataDir(env)), "pgdata") },
          { logger },
        );
    await db.migrate([dhcpMigrations]);
  }
  const app = buildHttp({ logger });
  const hosts = createHostSource(config, undefined, logger, app.metrics);
  await app.register(readinessRoute(hosts));
  const network = await startNetwork({ config, enable, db, hosts, logger, metrics: app.metrics });
  await app.listen({ host: flags.host ?? "0.0.0.0", port });
  exitOnSignals(async () => {
    await app.close();
    await network.close();
    await db?.close();
  }, logger);
  const address = app.server.address();
  logger.info(
    {
      enable,
      httpPort: typeof address === "object" && address ? address.port : port,
      dhcpPorts: network.dhcpPorts,
      tftpPort: network.tftpPort,
      dnsPorts: network.dnsPorts,
    },
    "openchami dhcp is ready",
  );
}
