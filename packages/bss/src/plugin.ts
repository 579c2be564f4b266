import { requireAuth, serviceOpenApi, sharedAcrossMounts } from "@openchami/http";
import type { FastifyPluginAsync } from "fastify";
import { closeContext, createContext, startContext } from "./context.ts";
import type { BssDeps } from "./deps.ts";
import { installBodyParser } from "./routes/body.ts";
import { bootParametersRoutes } from "./routes/boot-parameters.ts";
import { bootscriptRoutes } from "./routes/bootscript.ts";
import { hostsRoutes } from "./routes/hosts.ts";
import { serviceRoutes } from "./routes/service.ts";
import { stateRoutes } from "./routes/state.ts";

/**
 * BSS as a Fastify plugin. Register the one plugin this returns at every mount
 * (`/boot/v1` and `/apis/bss/boot/v1`): the mounts share one params index and access log,
 * loaded when the first is registered and closed with the last. (Two calls of bssPlugin
 * give two independent instances that converge only through NOTIFY, like two replicas.)
 */
export function bssPlugin(deps: BssDeps): FastifyPluginAsync {
  const context = createContext(deps);
  const mount = sharedAcrossMounts({
    start: () => startContext(context),
    close: () => closeContext(context),
  });
  return async (app) => {
    await mount(app);
    requireAuth(app, { service: "bss", authenticator: deps.auth });
    installBodyParser(app);
    serviceOpenApi(app, { title: "OpenCHAMI BSS (Boot Script Service)", version: "1" });
    serviceRoutes(app, context);
    bootParametersRoutes(app, context);
    bootscriptRoutes(app, context);
    hostsRoutes(app, context);
    stateRoutes(app, context);
  };
}
