import { errors, parseXname } from "@openchami/core";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { SmdContext } from "../context.ts";
import { type PowerMapInput, toPowerMap, toPowerMaps } from "../domain/power-map.ts";
import { deleted, ok } from "./responses.ts";
import { GO_JSON, OptionalNullable, OptionalStrings, XnameParams } from "./schemas.ts";

const PowerMapBody = Type.Object({
  id: OptionalNullable(Type.String()),
  poweredBy: OptionalStrings,
});

/** The `{xname}` path segment, normalised; malformed is a 400 on every power-map route. */
function xnameParam(params: unknown): string {
  const parsed = parseXname((params as { xname: string }).xname);
  if (!parsed) throw errors.badRequest("invalid xname");
  return parsed.id;
}

/** sysinfo/powermaps (spec smd.md §3.14). */
export function powerMapRoutes(app: FastifyInstance, { powerMaps }: SmdContext): void {
  app.get("/sysinfo/powermaps", async () => powerMaps.list());

  app.post(
    "/sysinfo/powermaps",
    { schema: { body: Type.Array(PowerMapBody) }, config: GO_JSON },
    async (request) => {
      const maps = toPowerMaps(request.body as PowerMapInput[]);
      await powerMaps.upsert(maps);
      return ok(`Created or modified ${maps.length} entries`);
    },
  );

  app.delete("/sysinfo/powermaps", async () => deleted(await powerMaps.delete()));

  app.get("/sysinfo/powermaps/:xname", { schema: { params: XnameParams } }, async (request) => {
    const map = await powerMaps.get(xnameParam(request.params));
    if (!map) throw errors.notFound("no such xname.");
    return map;
  });

  app.put(
    "/sysinfo/powermaps/:xname",
    { schema: { params: XnameParams, body: PowerMapBody }, config: GO_JSON },
    async (request) => {
      const map = toPowerMap(request.body as PowerMapInput, xnameParam(request.params));
      await powerMaps.upsert([map]);
      return map;
    },
  );

  app.delete("/sysinfo/powermaps/:xname", { schema: { params: XnameParams } }, async (request) => {
    if ((await powerMaps.delete(xnameParam(request.params))) === 0) throw errors.notFound("no such xname.");
    return ok("deleted 1 entry");
  });
}
