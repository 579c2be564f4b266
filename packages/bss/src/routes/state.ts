import { Problem, parseXname } from "@openchami/core";
import { queryParams } from "@openchami/http";
import type { FastifyInstance } from "fastify";
import type { BssContext } from "../context.ts";
import { groupedWire } from "../domain/wire.ts";
import type { Access } from "../store/endpoint-access.ts";
import { allHosts } from "./hosts.ts";
import { sendJson } from "./replies.ts";

/** The endpoints whose accesses may be asked for; only `bootscript` is recorded. */
const ENDPOINTS = new Set(["bootscript", "user-data"]);

/** Merges unwritten accesses into stored ones, newest epoch per pair, by name then endpoint. */
function merged(stored: readonly Access[], pending: readonly Access[]): Access[] {
  const byPair = new Map<string, Access>();
  for (const access of [...stored, ...pending]) {
    const key = `${access.name}\0${access.endpoint}`;
    if ((byPair.get(key)?.epoch ?? -1) < access.epoch) byPair.set(key, access);
  }
  return [...byPair.values()].sort((a, b) =>
    a.name !== b.name
      ? a.name < b.name
        ? -1
        : 1
      : a.endpoint < b.endpoint
        ? -1
        : a.endpoint > b.endpoint
          ? 1
          : 0,
  );
}

/** /dumpstate and /endpoint-history (spec bss.md §2.5). */
export function stateRoutes(app: FastifyInstance, context: BssContext): void {
  const { inventory, params, accessStore, access, deps } = context;
  app.get("/dumpstate", async (_request, reply) =>
    sendJson(reply, {
      Components: allHosts(inventory.current()),
      Params: groupedWire(params.index.records(), params.index.images()),
    }),
  );

  app.get("/endpoint-history", async (request, reply) => {
    const query = queryParams(request.query);
    const rawName = query.get("name")?.[0] || undefined;
    const xname = rawName === undefined ? undefined : parseXname(rawName)?.id;
    const name = xname ?? rawName;
    const endpoint = query.get("endpoint")?.[0] || undefined;
    const filter = { name, endpoint };
    let stored: Access[];
    try {
      stored = await accessStore.list(filter);
    } catch (err) {
      deps.logger.error({ err }, "endpoint history query failed");
      throw new Problem(
        500,
        `Failed to search for name="${rawName ?? ""}", endpoint="${endpoint ?? ""}": storage unavailable`,
      );
    }
    const found = merged(stored, access.pending(filter));
    // A valid pair never accessed reads as epoch 0, as upstream.
    if (found.length === 0 && xname !== undefined && endpoint !== undefined && ENDPOINTS.has(endpoint)) {
      found.push({ name: xname, endpoint, epoch: 0 });
    }
    return sendJson(
      reply,
      found.map((a) => ({ name: a.name, endpoint: a.endpoint, last_epoch: a.epoch })),
    );
  });
}
