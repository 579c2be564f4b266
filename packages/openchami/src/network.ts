import type { Logger } from "@openchami/core";
import type { Db } from "@openchami/db";
import {
  type DhcpConfig,
  type HostSource,
  inventoryReady,
  LocalHostSource,
  loadDhcpConfig,
  NETWORK_SERVICES,
  type NetworkService,
  type NetworkServicesOptions,
  RemoteHostSource,
  type RunningNetworkServices,
  startNetworkServices,
} from "@openchami/dhcp";
import type { Metrics } from "@openchami/http";
import type { FastifyInstance } from "fastify";

/** `--enable dhcp,tftp,dns` → the protocols, in a fixed order; unknown names are errors. */
export function parseNetworkServices(raw: string, source: string): NetworkService[] {
  const wanted = raw
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = wanted.filter((s) => !(NETWORK_SERVICES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new Error(
      `${source}: unknown protocol ${unknown.join(", ")} (available: ${NETWORK_SERVICES.join(", ")})`,
    );
  }
  return NETWORK_SERVICES.filter((s) => wanted.includes(s));
}

export async function readDhcpConfig(
  file: string,
  flags: Record<string, string>,
  logger: Logger,
): Promise<DhcpConfig> {
  return loadDhcpConfig(file, { flags, warn: (message) => logger.warn(message) });
}

/**
 * The inventory copy DHCP and DNS answer from (dhcp.md §2.4): SMD's own tables and change
 * feed when SMD runs in this process, else polling `svc_base_uri` (or serve's `--smd-url`).
 */
export function createHostSource(
  config: DhcpConfig,
  inProcess: Db | undefined,
  logger: Logger,
  metrics: Metrics,
  smdUrl?: string,
): HostSource {
  const coresmd = {
    ...config.coresmd,
    svcBaseUri: config.coresmd.svcBaseUri ?? smdUrl?.replace(/\/hsm\/v2\/?$/, ""),
  };
  if (inProcess) {
    if (coresmd.svcBaseUri) {
      logger.info(
        { svcBaseUri: coresmd.svcBaseUri },
        "DHCP: SMD runs in this process; svc_base_uri is not polled",
      );
    }
    return new LocalHostSource({ db: inProcess, resyncMs: coresmd.cacheValidMs, logger, metrics });
  }
  if (!coresmd.svcBaseUri) {
    throw new Error("DHCP: coresmd svc_base_uri (or --svc-base-uri) is required when SMD does not run here");
  }
  logger.info({ svcBaseUri: coresmd.svcBaseUri }, "DHCP: polling SMD");
  return new RemoteHostSource({
    svcBaseUri: coresmd.svcBaseUri,
    cacheValidMs: coresmd.cacheValidMs,
    svcTokenFile: coresmd.svcTokenFile,
    caCert: coresmd.caCert,
    logger,
    metrics,
  });
}

/**
 * Starts `hosts` (created by `createHostSource`) and the selected protocols on it; the
 * result's `close` stops both.
 */
export async function startNetwork(options: NetworkServicesOptions): Promise<RunningNetworkServices> {
  const { hosts } = options;
  await hosts.start();
  try {
    const services = await startNetworkServices(options);
    return {
      ...services,
      async close() {
        await services.close();
        await hosts.close();
      },
    };
  } catch (error) {
    await hosts.close();
    throw error;
  }
}

/** `GET /dhcp/ready`: 200 once the inventory copy is loaded and under 5 minutes old, else 503. */
export function readinessRoute(hosts: HostSource) {
  return async (app: FastifyInstance) => {
    app.get("/dhcp/ready", { config: { public: true } }, async (_request, reply) => {
      const ready = inventoryReady(hosts);
      const view = hosts.current();
      return reply.code(ready ? 200 : 503).send({
        ready,
        hosts: view.hosts().length,
        inventoryAgeSeconds: hosts.loaded ? Math.round((Date.now() - view.loadedAt) / 1000) : null,
      });
    });
  };
}
