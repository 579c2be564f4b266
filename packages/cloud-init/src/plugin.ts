import { requireAuth, serviceOpenApi, sharedAcrossMounts } from "@openchami/http";
import type { FastifyPluginAsync } from "fastify";
import { closeContext, createContext, startContext } from "./context.ts";
import type { CloudInitDeps } from "./deps.ts";
import { adminRoutes } from "./routes/admin.ts";
import { impersonationRoutes, NodeAnswers, nodeRoutes } from "./routes/node.ts";
import { installBodyParser } from "./routes/replies.ts";
import { serviceRoutes } from "./routes/service.ts";
import { wireguardRoutes } from "./routes/wireguard.ts";

/**
 * cloud-init as a Fastify plugin. Register the one plugin this returns at every mount
 * (`/cloud-init`, and `/` when standalone): the mounts share one in-memory view, loaded
 * when the first is registered and closed with the last.
 */
export function cloudInitPlugin(deps: CloudInitDeps): FastifyPluginAsync {
  const context = createContext(deps);
  const answers = new NodeAnswers(context);
  const mount = sharedAcrossMounts({
    start: () => startContext(context),
    close: () => closeContext(context),
  });
  return async (app) => {
    await mount(app);
    requireAuth(app, { service: "cloud-init", authenticator: deps.auth });
    installBodyParser(app);
    serviceOpenApi(app, { title: "OpenCHAMI cloud-init", version: "1" });
    serviceRoutes(app, context);
    nodeRoutes(app, context, answers);
    wireguardRoutes(app, context);
    adminRoutes(app, context);
    if (context.config.impersonation) impersonationRoutes(app, context, answers);
  };
}
