import { requireAuth, serviceOpenApi } from "@openchami/http";
import type { FastifyPluginAsync } from "fastify";
import { createContext } from "./context.ts";
import type { SmdDeps } from "./deps.ts";
import { startReservationReaper } from "./reservation-reaper.ts";
import { componentEndpointRoutes } from "./routes/component-endpoints.ts";
import { componentRoutes } from "./routes/components.ts";
import { discoveryRoutes } from "./routes/discovery.ts";
import { ethernetInterfaceRoutes } from "./routes/ethernet-interfaces.ts";
import { groupRoutes } from "./routes/groups.ts";
import { hardwareRoutes } from "./routes/hardware.ts";
import { hardwareHistoryRoutes } from "./routes/hardware-history.ts";
import { lockRoutes } from "./routes/locks.ts";
import { membershipRoutes } from "./routes/memberships.ts";
import { nodeMapRoutes } from "./routes/node-maps.ts";
import { partitionRoutes } from "./routes/partitions.ts";
import { powerMapRoutes } from "./routes/power-maps.ts";
import { redfishEndpointRoutes } from "./routes/redfish-endpoints.ts";
import { serviceRoutes } from "./routes/service.ts";
import { serviceEndpointRoutes } from "./routes/service-endpoints.ts";
import { subscriptionRoutes } from "./routes/subscriptions.ts";

/** SMD as a Fastify plugin, mounted by the launcher under `/hsm/v2`. */
export function smdPlugin(deps: SmdDeps): FastifyPluginAsync {
  return async (app) => {
    const context = createContext(deps);
    await context.scn.start(deps.db);
    await context.caches.start(deps.db);
    app.addHook("onClose", () => context.caches.close());
    app.addHook("onClose", () => context.scn.close());
    const stopReaper = startReservationReaper(context.locks, deps.logger);
    app.addHook("onClose", stopReaper);
    requireAuth(app, { service: "smd", authenticator: deps.auth });
    serviceOpenApi(app, { title: "OpenCHAMI SMD (Hardware State Manager)", version: "2" });
    serviceRoutes(app, context);
    nodeMapRoutes(app, context);
    componentRoutes(app, context);
    membershipRoutes(app, context);
    groupRoutes(app, context);
    partitionRoutes(app, context);
    powerMapRoutes(app, context);
    subscriptionRoutes(app, context);
    lockRoutes(app, context);
    hardwareRoutes(app, context);
    hardwareHistoryRoutes(app, context);
    discoveryRoutes(app, context);
    redfishEndpointRoutes(app, context);
    componentEndpointRoutes(app, context);
    serviceEndpointRoutes(app, context);
    ethernetInterfaceRoutes(app, context);
  };
}
