import { errors } from "@openchami/core";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { SmdContext } from "../context.ts";
import { lastPerId, nodeMapToWire, nodeXname, toNodeMap } from "../domain/node-map.ts";
import { deleted, ok } from "./responses.ts";
import { GO_JSON, XnameParams } from "./schemas.ts";

const NodeMapFields = {
  NID: Type.Optional(Type.Integer()),
  Role: Type.Optional(Type.String()),
  SubRole: Type.Optional(Type.String()),
  NodeInfo: Type.Optional(Type.Unknown()),
};
const NodeMapBody = Type.Object({ ID: Type.Optional(Type.String()), ...NodeMapFields });
const PostBody = Type.Object({ NodeMaps: Type.Array(NodeMapBody) });
const PutBody = Type.Object(NodeMapFields);

/** Defaults/NodeMaps (spec smd.md §3.3). */
export function nodeMapRoutes(app: FastifyInstance, { nodeMaps, enums }: SmdContext): void {
  app.get("/Defaults/NodeMaps", async () => ({ NodeMaps: (await nodeMaps.list()).map(nodeMapToWire) }));

  app.post("/Defaults/NodeMaps", { schema: { body: PostBody }, config: GO_JSON }, async (request) => {
    const { NodeMaps } = request.body as { NodeMaps: object[] };
    const maps = lastPerId(NodeMaps.map((input) => toNodeMap(input, enums)));
    await nodeMaps.upsert(maps);
    return ok(`Created or modified ${maps.length} entries`);
  });

  app.delete("/Defaults/NodeMaps", async () => deleted(await nodeMaps.delete()));

  app.get("/Defaults/NodeMaps/:xname", { schema: { params: XnameParams } }, async (request) => {
    const id = nodeXname((request.params as { xname: string }).xname);
    const map = id === undefined ? undefined : await nodeMaps.get(id);
    if (!map) throw errors.notFound("no such xname.");
    return nodeMapToWire(map);
  });

  app.put(
    "/Defaults/NodeMaps/:xname",
    { schema: { params: XnameParams, body: PutBody }, config: GO_JSON },
    async (request) => {
      const map = toNodeMap(request.body as object, enums, (request.params as { xname: string }).xname);
      await nodeMaps.upsert([map]);
      return nodeMapToWire(map);
    },
  );

  app.delete("/Defaults/NodeMaps/:xname", { schema: { params: XnameParams } }, async (request) => {
    const id = nodeXname((request.params as { xname: string }).xname);
    if (id === undefined) throw errors.badRequest("invalid xname");
    if ((await nodeMaps.delete(id)) === 0) throw errors.notFound("no such xname.");
    return ok("deleted 1 entry");
  });
}
