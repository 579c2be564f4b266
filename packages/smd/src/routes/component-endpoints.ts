import { errors, parseXname } from "@openchami/core";
import { queryParams } from "@openchami/http";
import type { FastifyInstance } from "fastify";
import type { SmdContext } from "../context.ts";
import { componentEndpointJson, componentEndpointsJson } from "../domain/component-endpoint.ts";
import { BAD_XNAME, parseComponentEndpointFilter } from "../domain/endpoint-filters.ts";
import type { ScnDispatcher } from "../scn-dispatcher.ts";
import type { EndpointsDeleted } from "../store/ingestion.ts";
import { deleted, ok } from "./responses.ts";
import { XnameParams } from "./schemas.ts";

const JSON_TYPE = "application/json; charset=utf-8";

function xnameOf(params: unknown): string {
  const id = parseXname((params as { xname: string }).xname)?.id;
  if (id === undefined) throw errors.badRequest(BAD_XNAME);
  return id;
}

/** Tells subscribers (SCN) about the components an endpoint delete set Empty/OK; returns the count. */
export function announceDeleted(scn: ScnDispatcher, { count, emptied }: EndpointsDeleted): number {
  if (emptied.length > 0) scn.publish({ Components: emptied, State: "Empty", Flag: "OK" });
  return count;
}

/**
 * Inventory/ComponentEndpoints (spec smd.md §3.5). Bodies are assembled as text around the
 * stored info blobs, which are never re-encoded (§8).
 */
export function componentEndpointRoutes(
  app: FastifyInstance,
  { componentEndpoints, enums, scn }: SmdContext,
): void {
  app.get("/Inventory/ComponentEndpoints", async (request, reply) => {
    const rows = await componentEndpoints.list(
      parseComponentEndpointFilter(queryParams(request.query), enums),
    );
    return reply.type(JSON_TYPE).send(componentEndpointsJson(rows));
  });

  app.delete("/Inventory/ComponentEndpoints", async () =>
    deleted(announceDeleted(scn, await componentEndpoints.delete())),
  );

  app.get(
    "/Inventory/ComponentEndpoints/:xname",
    { schema: { params: XnameParams } },
    async (request, reply) => {
      const row = await componentEndpoints.get(xnameOf(request.params));
      if (!row) throw errors.notFound("no such xname.");
      return reply.type(JSON_TYPE).send(componentEndpointJson(row));
    },
  );

  app.delete("/Inventory/ComponentEndpoints/:xname", { schema: { params: XnameParams } }, async (request) => {
    const count = announceDeleted(scn, await componentEndpoints.delete(xnameOf(request.params)));
    if (count === 0) throw errors.notFound("no such xname.");
    return ok("deleted 1 entry");
  });
}
