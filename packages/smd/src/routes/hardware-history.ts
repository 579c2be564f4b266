import { queryParams } from "@openchami/http";
import type { FastifyInstance } from "fastify";
import type { SmdContext } from "../context.ts";
import { groupHistory, historyEventToWire, historyFilter, historyXname } from "../domain/hardware-history.ts";
import { deleted } from "./responses.ts";
import { FruParams, XnameParams } from "./schemas.ts";

/**
 * Inventory/Hardware/History and Inventory/HardwareByFRU/History (spec smd.md §3.8): the same
 * events, grouped by location or by FRU. A single-key GET is 200 even when empty.
 */
export function hardwareHistoryRoutes(app: FastifyInstance, { hardwareHistory: history }: SmdContext): void {
  app.get("/Inventory/Hardware/History", async (request) =>
    groupHistory(await history.list(historyFilter(queryParams(request.query)), "id"), "id"),
  );

  app.delete("/Inventory/Hardware/History", async () => deleted(await history.delete({})));

  app.get("/Inventory/Hardware/History/:xname", { schema: { params: XnameParams } }, async (request) => {
    const id = historyXname((request.params as { xname: string }).xname);
    const events = await history.list({ ...historyFilter(queryParams(request.query)), ids: [id] }, "id");
    return { ID: id, History: events.map(historyEventToWire) };
  });

  app.delete("/Inventory/Hardware/History/:xname", { schema: { params: XnameParams } }, async (request) => {
    const id = historyXname((request.params as { xname: string }).xname);
    return deleted(await history.delete({ id }));
  });

  app.get("/Inventory/HardwareByFRU/History", async (request) =>
    groupHistory(await history.list(historyFilter(queryParams(request.query)), "fruId"), "fruId"),
  );

  app.delete("/Inventory/HardwareByFRU/History", async () => deleted(await history.delete({})));

  app.get("/Inventory/HardwareByFRU/History/:fruid", { schema: { params: FruParams } }, async (request) => {
    const fruId = (request.params as { fruid: string }).fruid;
    const events = await history.list(
      { ...historyFilter(queryParams(request.query)), fruIds: [fruId] },
      "fruId",
    );
    return { ID: fruId, History: events.map(historyEventToWire) };
  });

  app.delete("/Inventory/HardwareByFRU/History/:fruid", { schema: { params: FruParams } }, async (request) =>
    deleted(await history.delete({ fruId: (request.params as { fruid: string }).fruid })),
  );
}
