import { errors, parseXname } from "@openchami/core";
import { queryParams } from "@openchami/http";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { SmdContext } from "../context.ts";
import {
  BAD_XNAME,
  parseServiceEndpointFilter,
  type ServiceEndpointFilter,
} from "../domain/endpoint-filters.ts";
import { deleted, ok } from "./responses.ts";

const ServiceParams = Type.Object({ service: Type.String() });
const OneParams = Type.Object({ service: Type.String(), xname: Type.String() });
const NO_SUCH_SERVICE = "no such service under redfish endpoint.";

/** `…/{service}/RedfishEndpoints/{xname}`: exactly that service of that endpoint. */
function oneFilter(params: unknown): ServiceEndpointFilter {
  const { service, xname } = params as { service: string; xname: string };
  const id = parseXname(xname)?.id;
  if (id === undefined) throw errors.badRequest(BAD_XNAME);
  return {
    ...parseServiceEndpointFilter(new Map(), service),
    redfishEndpointId: { include: [id], exclude: [] },
  };
}

/** Inventory/ServiceEndpoints (spec smd.md §3.6); the rows come from a Redfish collector. */
export function serviceEndpointRoutes(app: FastifyInstance, { serviceEndpoints }: SmdContext): void {
  app.get("/Inventory/ServiceEndpoints", async (request) => ({
    ServiceEndpoints: await serviceEndpoints.list(parseServiceEndpointFilter(queryParams(request.query))),
  }));

  app.delete("/Inventory/ServiceEndpoints", async () => deleted(await serviceEndpoints.delete({})));

  app.get("/Inventory/ServiceEndpoints/:service", { schema: { params: ServiceParams } }, async (request) => {
    const { service } = request.params as { service: string };
    return {
      ServiceEndpoints: await serviceEndpoints.list(
        parseServiceEndpointFilter(queryParams(request.query), service),
      ),
    };
  });

  app.get(
    "/Inventory/ServiceEndpoints/:service/RedfishEndpoints/:xname",
    { schema: { params: OneParams } },
    async (request) => {
      const [found] = await serviceEndpoints.list(oneFilter(request.params));
      if (!found) throw errors.notFound(NO_SUCH_SERVICE);
      return found;
    },
  );

  app.delete(
    "/Inventory/ServiceEndpoints/:service/RedfishEndpoints/:xname",
    { schema: { params: OneParams } },
    async (request) => {
      if ((await serviceEndpoints.delete(oneFilter(request.params))) === 0)
        throw errors.notFound(NO_SUCH_SERVICE);
      return ok("deleted 1 entry");
    },
  );
}
