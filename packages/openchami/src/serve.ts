import { join } from "node:path";
import type { Logger } from "@openchami/core";
import { type Db, mapDbError, openDb } from "@openchami/db";
import { dhcpMigrations, type RunningNetworkServices } from "@openchami/dhcp";
import { type Authenticator, buildHttp, createAuthenticator } from "@openchami/http";
import type { InventorySource } from "@openchami/inventory";
import { parseSecretKey } from "@openchami/smd";
import { openTokenIssuer, type TokenIssuer, tokenRoutes } from "@openchami/tokens";
import type { ServeConfig } from "./config.ts";
import { ensureDataDir } from "./data-dir.ts";
import { createInventory } from "./inventory.ts";
import { createHostSource, readDhcpConfig, readinessRoute, startNetwork } from "./network.ts";
import { SERVICES, type ServiceDeps, TOKENS } from "./services.ts";

export interface RunningServer {
  /** Base URL reachable from this host (loopback when bound to all interfaces). */
  url: string;
  port: number;
  dataDir: string;
  issuer: TokenIssuer | undefined;
  /** DHCP/TFTP/DNS when `--enable`d (their bound ports). */
  network: RunningNetworkServices | undefined;
  /** Stops accepting, lets in-flight requests finish, closes the database. */
  close(): Promise<void>;
}

export function openDatabase(config: ServeConfig, logger: Logger): Promise<Db> {
  return config.databaseUrl
    ? openDb({ url: config.databaseUrl }, { logger })
    : openDb({ dataDir: join(ensureDataDir(config.dataDir), "pgdata") }, { logger });
}

/** The migration sets of the selected services, in mount order (DHCP's bootloop leases last). */
export function migrationSets(services: readonly string[], withDhcp = false) {
  const sets = services.flatMap((name) => SERVICES[name]?.migrations ?? []);
  return withDhcp ? [...sets, dhcpMigrations] : sets;
}

function buildAuthenticator(config: ServeConfig, issuer: TokenIssuer | undefined, logger: Logger) {
  if (!config.auth) {
    logger.warn("AUTHENTICATION IS OFF (--no-auth): every route is open to anyone who can reach this port");
    return undefined;
  }
  if (config.jwksUrl) {
    return createAuthenticator({
      jwks: { url: config.jwksUrl },
      issuer: config.issuer,
      audiences: config.audiences,
      logger,
    });
  }
  const local = issuer!;
  return createAuthenticator({ jwks: { local: () => local.jwks() }, audiences: config.audiences, logger });
}

export async function startServer(
  config: ServeConfig,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningServer> {
  const dataDir = ensureDataDir(config.dataDir);
  const db = await openDatabase(config, logger);
  let auth: Authenticator | undefined;
  let inventory: InventorySource | undefined;
  let network: RunningNetworkServices | undefined;
  try {
    await db.migrate(migrationSets(config.services, config.network.includes("dhcp")));
    // The built-in issuer is needed to serve tokens, or to verify them when no remote JWKS is set.
    const needIssuer = config.services.includes(TOKENS) || (config.auth && !config.jwksUrl);
    const issuer = needIssuer
      ? await openTokenIssuer({ dataDir, logger, ...(config.issuer ? { issuer: config.issuer } : {}) })
      : undefined;
    auth = buildAuthenticator(config, issuer, logger);

    const app = buildHttp({ logger, mapError: mapDbError });
    if (issuer && config.services.includes(TOKENS)) await app.register(tokenRoutes(issuer));
    const deps: ServiceDeps = {
      db,
      auth,
      logger,
      env,
      secretKey: config.secretKey === undefined ? undefined : parseSecretKey(config.secretKey),
      inventory: () => {
        inventory ??= createInventory(config, db, issuer, logger);
        return inventory;
      },
    };
    for (const name of config.services) {
      const service = SERVICES[name];
      if (!service) continue;
      // One instance per service, mounted at each of its prefixes (they share its state).
      const plugin = service.plugin(deps);
      const alone = config.services.filter((s) => s !== TOKENS).length === 1;
      const prefixes = (alone && service.alonePrefixes) || service.prefixes;
      for (const prefix of prefixes) await app.register(plugin, { prefix });
    }
    // Never throws: until SMD answers, boot-time services send their "try again" replies.
    await inventory?.start();
    if (config.network.length > 0) {
      const dhcpConfig = await readDhcpConfig(config.dhcpConfigFile!, {}, logger);
      const smdHere = config.services.includes("smd") && !config.smdUrl;
      const hosts = createHostSource(
        dhcpConfig,
        smdHere ? db : undefined,
        logger,
        app.metrics,
        config.smdUrl,
      );
      await app.register(readinessRoute(hosts));
      network = await startNetwork({
        config: dhcpConfig,
        enable: config.network,
        db,
        hosts,
        logger,
        metrics: app.metrics,
      });
    }
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
    const openAuth = auth;

    return {
      url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
      port,
      dataDir,
      issuer,
      network,
      async close() {
        await app.close();
        await network?.close();
        await inventory?.close();
        openAuth?.close();
        await db.close();
      },
    };
  } catch (error) {
    await network?.close();
    await inventory?.close();
    auth?.close();
    await db.close();
    throw error;
  }
}
