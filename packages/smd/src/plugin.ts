import { requireAuth, serviceOpenApi } from "@openchami/http";
import type { FastifyPluginAsync } from "fastify";
import { createContext } from "./context.ts";
import type { SmdDeps } from "./deps.ts";
import { nodeMapRoutes } from "./routes/node-maps.ts";
import { serviceRoutes } from "./routes/service.ts";

/** SMD as a Fastify plugin, mounted by the launcher under `/hsm/v2`. */
export function smdPlugin(deps: SmdDeps): FastifyPluginAsync {
  return async (app) => {
    const context = createContext(deps);
    requireAuth(app, { service: "smd", authenticator: deps.auth });
    serviceOpenApi(app, { title: "OpenCHAMI SMD (Hardware State Manager)", version: "2" });
    serviceRoutes(app, context);
    nodeMapRoutes(app, context);
  };
}
