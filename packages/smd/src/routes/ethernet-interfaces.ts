import { errors } from "@openchami/core";
import { queryParams } from "@openchami/http";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { queryKey, sendCached } from "../cache/response-caches.ts";
import type { SmdContext } from "../context.ts";
import {
  type InterfaceInput,
  type IpMappingInput,
  interfaceIdParam,
  interfaceToWire,
  NO_SUCH_INTERFACE,
  noSuchInterface,
  parseInterfaceFilter,
  validateInterface,
  validateInterfacePatch,
  validateIpMapping,
} from "../domain/ethernet-interface.ts";
import { API_BASE, deleted, ok } from "./responses.ts";
import { GO_JSON, IdParams, OptionalNullable as Opt, PUBLIC } from "./schemas.ts";

const IpMappingBody = Type.Object({ IPAddress: Opt(Type.String()), Network: Opt(Type.String()) });
const InterfaceBody = Type.Object({
  MACAddress: Opt(Type.String()),
  Description: Opt(Type.String()),
  ComponentID: Opt(Type.String()),
  IPAddresses: Opt(Type.Array(IpMappingBody)),
});
const NetworkBody = Type.Object({ Network: Opt(Type.String()) });
const IpParams = Type.Object({ id: Type.String(), ip: Type.String() });

const COLLECTION = `${API_BASE}/Inventory/EthernetInterfaces`;

function idOf(params: unknown): string {
  return interfaceIdParam((params as { id: string }).id);
}

/** Inventory/EthernetInterfaces and their IPAddresses (spec smd.md §3.7). */
export function ethernetInterfaceRoutes(
  app: FastifyInstance,
  { ethernetInterfaces, enums, caches }: SmdContext,
): void {
  // coresmd polls the collection without a token (§6); only the collection is public.
  app.get("/Inventory/EthernetInterfaces", { config: PUBLIC }, (request, reply) =>
    sendCached(request, reply, caches.interfaces, queryKey(request), async () => {
      const filter = parseInterfaceFilter(queryParams(request.query), enums);
      return (await ethernetInterfaces.list(filter)).map(interfaceToWire);
    }),
  );

  app.post(
    "/Inventory/EthernetInterfaces",
    { schema: { body: InterfaceBody }, config: GO_JSON },
    async (request, reply) => {
      const iface = validateInterface(request.body as InterfaceInput);
      await ethernetInterfaces.create(iface);
      const uri = `${COLLECTION}/${iface.id}`;
      return reply.code(201).header("location", uri).send({ URI: uri });
    },
  );

  app.delete("/Inventory/EthernetInterfaces", async () => deleted(await ethernetInterfaces.delete()));

  app.get("/Inventory/EthernetInterfaces/:id", { schema: { params: IdParams } }, async (request) => {
    const id = idOf(request.params);
    const iface = await ethernetInterfaces.get(id);
    if (!iface) throw noSuchInterface(id);
    return interfaceToWire(iface);
  });

  app.patch(
    "/Inventory/EthernetInterfaces/:id",
    { schema: { params: IdParams, body: InterfaceBody }, config: GO_JSON },
    async (request) => {
      const patch = validateInterfacePatch(request.body as InterfaceInput);
      const iface = await ethernetInterfaces.update(idOf(request.params), patch);
      if (!iface) throw errors.notFound(NO_SUCH_INTERFACE);
      return interfaceToWire(iface);
    },
  );

  app.delete("/Inventory/EthernetInterfaces/:id", { schema: { params: IdParams } }, async (request) => {
    if ((await ethernetInterfaces.delete(idOf(request.params))) === 0)
      throw errors.notFound(NO_SUCH_INTERFACE);
    return ok("deleted 1 entry");
  });

  app.get(
    "/Inventory/EthernetInterfaces/:id/IPAddresses",
    { schema: { params: IdParams } },
    async (request) => {
      const id = idOf(request.params);
      const iface = await ethernetInterfaces.get(id);
      if (!iface) throw noSuchInterface(id);
      return iface.ipAddresses;
    },
  );

  app.post(
    "/Inventory/EthernetInterfaces/:id/IPAddresses",
    { schema: { params: IdParams, body: IpMappingBody }, config: GO_JSON },
    async (request, reply) => {
      const id = idOf(request.params);
      const mapping = validateIpMapping(request.body as IpMappingInput);
      await ethernetInterfaces.addIp(id, mapping);
      const uri = `${COLLECTION}/${id}/IPAddresses/${mapping.IPAddress}`;
      return reply.code(201).header("location", uri).send({ URI: uri });
    },
  );

  app.patch(
    "/Inventory/EthernetInterfaces/:id/IPAddresses/:ip",
    { schema: { params: IpParams, body: NetworkBody }, config: GO_JSON },
    async (request) => {
      const { ip } = request.params as { ip: string };
      const { Network } = request.body as { Network?: string | null };
      return ethernetInterfaces.setIpNetwork(idOf(request.params), ip, Network ?? undefined);
    },
  );

  app.delete(
    "/Inventory/EthernetInterfaces/:id/IPAddresses/:ip",
    { schema: { params: IpParams } },
    async (request) => {
      await ethernetInterfaces.deleteIp(idOf(request.params), (request.params as { ip: string }).ip);
      return ok("deleted 1 entry");
    },
  );
}
