import { errors, parseXname } from "@openchami/core";
import { queryParams } from "@openchami/http";
import type { FastifyInstance } from "fastify";
import { type TSchema, Type } from "typebox";
import type { SmdContext } from "../context.ts";
import {
  fruFilter,
  fruToWire,
  HARDWARE_KINDS,
  type HardwareInput,
  hardwareFilter,
  hardwareInventory,
  hardwareQuery,
  locationToWire,
  toHardwareLocation,
} from "../domain/hardware.ts";
import { deleted, ok } from "./responses.ts";
import { FruParams, GO_JSON, OptionalNullable, XnameParams } from "./schemas.ts";

/** An opaque `<T>…Info` object. */
const Info = OptionalNullable(Type.Object({}));
const Text = OptionalNullable(Type.String());

/** `<T><suffix>` for every kind, so the Go decoder canonicalises their keys too. */
function perKind(suffix: string): Record<string, TSchema> {
  return Object.fromEntries(HARDWARE_KINDS.map((kind) => [`${kind}${suffix}`, Info]));
}

const FruBody = Type.Object({
  FRUID: Text,
  Type: Text,
  Subtype: Text,
  HWInventoryByFRUType: Text,
  ...perKind("FRUInfo"),
});
const LocationBody = Type.Object({
  ID: Text,
  Type: Text,
  Ordinal: OptionalNullable(Type.Integer()),
  Status: Text,
  HWInventoryByLocationType: Text,
  PopulatedFRU: OptionalNullable(FruBody),
  ...perKind("LocationInfo"),
});
const PostBody = Type.Object({ Hardware: OptionalNullable(Type.Array(LocationBody)) });

/** Inventory/Hardware and Inventory/HardwareByFRU (spec smd.md §3.8). */
export function hardwareRoutes(app: FastifyInstance, { hardware }: SmdContext): void {
  app.get("/Inventory/Hardware", async (request) => {
    const locations = await hardware.list(hardwareFilter(queryParams(request.query)));
    return locations.map(locationToWire);
  });

  app.post("/Inventory/Hardware", { schema: { body: PostBody }, config: GO_JSON }, async (request) => {
    const { Hardware } = request.body as { Hardware?: HardwareInput[] | null };
    const locations = (Hardware ?? []).map(toHardwareLocation);
    await hardware.upsert(locations);
    return ok(`Created ${locations.length} entries`);
  });

  app.delete("/Inventory/Hardware", async () => deleted(await hardware.delete()));

  app.get("/Inventory/Hardware/Query/:xname", { schema: { params: XnameParams } }, async (request) => {
    const { xname, format, plan } = hardwareQuery(
      (request.params as { xname: string }).xname,
      queryParams(request.query),
    );
    return hardwareInventory(xname, format, await hardware.query(plan));
  });

  app.get("/Inventory/Hardware/:xname", { schema: { params: XnameParams } }, async (request) => {
    const id = parseXname((request.params as { xname: string }).xname)?.id;
    const location = id === undefined ? undefined : await hardware.get(id);
    if (!location) throw errors.notFound("no such xname.");
    return locationToWire(location);
  });

  app.delete("/Inventory/Hardware/:xname", { schema: { params: XnameParams } }, async (request) => {
    const id = parseXname((request.params as { xname: string }).xname)?.id;
    if (id === undefined || (await hardware.delete(id)) === 0) throw errors.notFound("no such xname.");
    return ok("deleted 1 entry");
  });

  app.get("/Inventory/HardwareByFRU", async (request) => {
    const frus = await hardware.listFrus(fruFilter(queryParams(request.query)));
    return frus.map(fruToWire);
  });

  app.delete("/Inventory/HardwareByFRU", async () => deleted(await hardware.deleteFrus()));

  app.get("/Inventory/HardwareByFRU/:fruid", { schema: { params: FruParams } }, async (request) => {
    const fru = await hardware.getFru((request.params as { fruid: string }).fruid);
    if (!fru) throw errors.notFound("no such FRU ID.");
    return fruToWire(fru);
  });

  app.delete("/Inventory/HardwareByFRU/:fruid", { schema: { params: FruParams } }, async (request) => {
    if ((await hardware.deleteFrus((request.params as { fruid: string }).fruid)) === 0)
      throw errors.notFound("no such FRU ID.");
    return ok("deleted 1 entry");
  });
}
