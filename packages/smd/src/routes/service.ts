import { errors } from "@openchami/core";
import type { FastifyInstance } from "fastify";
import type { SmdContext } from "../context.ts";
import { PUBLIC } from "./schemas.ts";

/** `/service/values/<name>` → the key it answers with (`/service/values/nettype` → `NetType`). */
const VALUE_ROUTES = {
  arch: "Arch",
  class: "Class",
  flag: "Flag",
  nettype: "NetType",
  role: "Role",
  subrole: "SubRole",
  state: "State",
  type: "Type",
} as const;

/** Health and enumerations (spec smd.md §3.1); all public so probes need no token. */
export function serviceRoutes(app: FastifyInstance, { deps, enums }: SmdContext): void {
  const values = enums.values;

  app.get("/service/ready", { config: PUBLIC }, async () => {
    try {
      await deps.db.ping();
    } catch (error) {
      deps.logger.error({ err: error }, "readiness: database ping failed");
      throw errors.serviceUnavailable("HSM's database is unhealthy");
    }
    return { code: 0, message: "HSM is healthy" };
  });

  app.get("/service/liveness", { config: PUBLIC }, async (_request, reply) => reply.code(204).send());

  app.get("/service/values", { config: PUBLIC }, async () => values);

  for (const [path, key] of Object.entries(VALUE_ROUTES)) {
    const body = { [key]: values[key] };
    app.get(`/service/values/${path}`, { config: PUBLIC }, async () => body);
  }
}
