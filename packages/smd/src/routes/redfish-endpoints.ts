import { errors, parseXname } from "@openchami/core";
import { queryParams } from "@openchami/http";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { SmdContext } from "../context.ts";
import { BAD_XNAME, parseEndpointFilter } from "../domain/endpoint-filters.ts";
import { type IngestionInput, planIngestion } from "../domain/ingestion.ts";
import {
  type EndpointInput,
  endpointForPut,
  endpointToWire,
  patchEndpoint,
  type StoredEndpoint,
  validateEndpoint,
} from "../domain/redfish-endpoint.ts";
import { announceDeleted } from "./component-endpoints.ts";
import { API_BASE, createdList, deleted, ok } from "./responses.ts";
import { GO_JSON, OptionalNullable as Opt, XnameParams } from "./schemas.ts";

const Str = Type.String();
const Bool = Type.Boolean();
const Strings = Type.Array(Str);

/** The writable RedfishEndpoint fields (upstream's RawRedfishEP; Type is derived from the ID). */
const EndpointFields = {
  ID: Opt(Str),
  Type: Opt(Str),
  Name: Opt(Str),
  Hostname: Opt(Str),
  Domain: Opt(Str),
  FQDN: Opt(Str),
  Enabled: Opt(Bool),
  UUID: Opt(Str),
  User: Opt(Str),
  Password: Opt(Str),
  UseSSDP: Opt(Bool),
  MACRequired: Opt(Bool),
  MACAddr: Opt(Str),
  IPAddress: Opt(Str),
  RediscoverOnUpdate: Opt(Bool),
  TemplateID: Opt(Str),
};

/** The parts of magellan's and ochami's bodies ingestion reads (§5.4); the rest is dropped. */
const Nic = Type.Object({
  uri: Opt(Str),
  mac: Opt(Str),
  ip: Opt(Str),
  name: Opt(Str),
  description: Opt(Str),
  enabled: Opt(Bool),
});
const LegacyNic = Type.Object({
  Id: Opt(Str),
  "@odata.id": Opt(Str),
  Description: Opt(Str),
  MACAddress: Opt(Str),
  InterfaceEnabled: Opt(Bool),
});
const System = Type.Object({
  uri: Opt(Str),
  uuid: Opt(Str),
  name: Opt(Str),
  system_type: Opt(Str),
  ethernet_interfaces: Opt(Type.Array(Nic)),
  power: Opt(Type.Object({ power_control_ids: Opt(Strings) })),
  links: Opt(Type.Object({ chassis: Opt(Strings) })),
  actions: Opt(Strings),
  Data: Opt(Type.Record(Str, Type.Unknown())),
  EthernetInterfaces: Opt(Type.Array(LegacyNic)),
});
const Manager = Type.Object({
  uri: Opt(Str),
  name: Opt(Str),
  ethernet_interfaces: Opt(Type.Array(Nic)),
  actions: Opt(Strings),
  command_shell: Opt(Strings),
});
const Outlet = Type.Object({
  original_id: Opt(Str),
  id_suffix: Opt(Str),
  name: Opt(Str),
  state: Opt(Str),
  socket_type: Opt(Str),
});
const IngestionFields = {
  SchemaVersion: Opt(Type.Number()),
  Systems: Opt(Type.Array(System)),
  Managers: Opt(Type.Array(Manager)),
  PDUInventory: Opt(Type.Object({ Outlets: Opt(Type.Array(Outlet)) })),
};

const SingleBody = Type.Object({ ...EndpointFields, ...IngestionFields });
/** One endpoint with its inventory, or upstream's `{"RedfishEndpoints":[…]}` (endpoints only). */
const PostBody = Type.Object({
  ...EndpointFields,
  ...IngestionFields,
  RedfishEndpoints: Opt(Type.Array(Type.Object(EndpointFields))),
});
const PatchBody = Type.Object(EndpointFields);

type PostInput = EndpointInput & IngestionInput & { RedfishEndpoints?: EndpointInput[] | null };

const ENDPOINT_KEYS = Object.keys(EndpointFields);
const COLLECTION = `${API_BASE}/Inventory/RedfishEndpoints`;

/** Go decodes the list form only when no single-endpoint field is present. */
function isListForm(body: PostInput): body is PostInput & { RedfishEndpoints: EndpointInput[] } {
  return body.RedfishEndpoints != null && !ENDPOINT_KEYS.some((key) => key in body);
}

/** Inventory/RedfishEndpoints (spec smd.md §3.4, §5.3, §5.4). */
export function redfishEndpointRoutes(
  app: FastifyInstance,
  { redfishEndpoints, enums, scn }: SmdContext,
): void {
  const wireList = (endpoints: StoredEndpoint[]) => ({ RedfishEndpoints: endpoints.map(endpointToWire) });

  app.get("/Inventory/RedfishEndpoints", async (request) =>
    wireList(await redfishEndpoints.list(parseEndpointFilter(queryParams(request.query), enums))),
  );

  app.post(
    "/Inventory/RedfishEndpoints",
    { schema: { body: PostBody }, config: GO_JSON },
    async (request, reply) => {
      const body = request.body as PostInput;
      if (isListForm(body)) {
        const endpoints = body.RedfishEndpoints.map((input, i) => validateEndpoint(input, ` at idx ${i}`));
        await redfishEndpoints.create(endpoints);
        return createdList(
          reply,
          COLLECTION,
          endpoints.map((e) => `${COLLECTION}/${e.id}`),
        );
      }
      const endpoint = validateEndpoint(body);
      await redfishEndpoints.create([endpoint], planIngestion(endpoint, body, enums));
      return createdList(reply, COLLECTION, [`${COLLECTION}/${endpoint.id}`]);
    },
  );

  app.delete("/Inventory/RedfishEndpoints", async () =>
    deleted(announceDeleted(scn, await redfishEndpoints.delete())),
  );

  app.get(
    "/Inventory/RedfishEndpoints/Query/:xname",
    { schema: { params: XnameParams } },
    async (request) => {
      const { xname } = request.params as { xname: string };
      if (xname !== "s0" && xname !== "all") throw errors.badRequest("not yet implemented");
      return wireList(await redfishEndpoints.list());
    },
  );

  app.get("/Inventory/RedfishEndpoints/:xname", { schema: { params: XnameParams } }, async (request) => {
    const id = parseXname((request.params as { xname: string }).xname)?.id;
    const endpoint = id === undefined ? undefined : await redfishEndpoints.get(id);
    if (!endpoint) throw errors.notFound("no such xname.");
    return endpointToWire(endpoint);
  });

  app.put(
    "/Inventory/RedfishEndpoints/:xname",
    { schema: { params: XnameParams, body: SingleBody }, config: GO_JSON },
    async (request, reply) => {
      const body = request.body as EndpointInput & IngestionInput;
      const endpoint = endpointForPut(body, (request.params as { xname: string }).xname);
      const replaced = await redfishEndpoints.put(endpoint, planIngestion(endpoint, body, enums));
      return replaced ? endpointToWire(replaced) : reply.code(204).send();
    },
  );

  app.patch(
    "/Inventory/RedfishEndpoints/:xname",
    { schema: { params: XnameParams, body: PatchBody }, config: GO_JSON },
    async (request) => {
      const { xname } = request.params as { xname: string };
      const id = parseXname(xname)?.id;
      if (id === undefined) throw errors.badRequest("xname in URL is not valid");
      const patched = await redfishEndpoints.patch(id, (stored) =>
        patchEndpoint(stored, request.body as EndpointInput),
      );
      if (!patched) throw errors.notFound(`No such entry: ${id}`);
      return endpointToWire(patched);
    },
  );

  app.delete("/Inventory/RedfishEndpoints/:xname", { schema: { params: XnameParams } }, async (request) => {
    const id = parseXname((request.params as { xname: string }).xname)?.id;
    if (id === undefined) throw errors.badRequest(BAD_XNAME);
    if (announceDeleted(scn, await redfishEndpoints.delete(id)) === 0)
      throw errors.notFound("no such xname.");
    return ok("deleted 1 entry");
  });
}
