import { errors, parseXname } from "@openchami/core";
import { queryParams } from "@openchami/http";
import type { FastifyInstance } from "fastify";
import type { SmdContext } from "../context.ts";
import { parseComponentFilter } from "../domain/component-filter.ts";
import { XnameParams } from "./schemas.ts";

/** memberships (spec smd.md §3.12): `{id, partitionName, groupLabels}` per component, as stored. */
export function membershipRoutes(app: FastifyInstance, { memberships, enums }: SmdContext): void {
  app.get("/memberships", async (request) => {
    const filter = parseComponentFilter(queryParams(request.query), enums);
    return memberships.list(filter);
  });

  app.get("/memberships/:xname", { schema: { params: XnameParams } }, async (request) => {
    const parsed = parseXname((request.params as { xname: string }).xname);
    if (!parsed) throw errors.badRequest("invalid xname");
    const [membership] = await memberships.list({}, parsed.id);
    if (!membership) throw errors.notFound(`No such xname: ${parsed.id}`);
    return membership;
  });
}
