import { errors } from "@openchami/core";
import { queryParams } from "@openchami/http";
import type { InventoryIndex, InventoryNode } from "@openchami/inventory";
import type { FastifyInstance } from "fastify";
import type { BssContext } from "../context.ts";
import { isHost, smComponent } from "../domain/hosts.ts";
import { listParam, parseNid } from "../domain/selectors.ts";
import { sendJson } from "./replies.ts";

/** Every Node, as SMComponents; `null` when there are none (upstream's nil list). */
export function allHosts(index: InventoryIndex) {
  const hosts = index.nodes().filter(isHost).map(smComponent);
  return hosts.length === 0 ? null : hosts;
}

function found(node: InventoryNode | undefined, notFound: string) {
  if (!isHost(node)) throw errors.notFound(notFound);
  return smComponent(node);
}

/** /hosts (spec bss.md §2.5): the inventory's nodes, from memory. */
export function hostsRoutes(app: FastifyInstance, { inventory }: BssContext): void {
  app.get("/hosts", async (request, reply) => {
    const query = queryParams(request.query);
    const names = listParam(query, "name");
    const macs = listParam(query, "mac");
    const nids = listParam(query, "nid");
    const index = inventory.current();
    if (names.length + macs.length + nids.length === 0) return sendJson(reply, allHosts(index));
    // In upstream's order (names, MACs, NIDs), concatenated; the first unknown one is the 404.
    const hosts = [
      ...names.map((name) => found(index.byXname(name), `Not Found - Unknown host name '${name}'`)),
      ...macs.map((mac) => found(index.byMac(mac), `Not Found - Unknown MAC address '${mac}'`)),
      ...nids.map((nid) => found(index.byNid(parseNid(nid)), `Not Found - Unknown NID '${nid}'`)),
    ];
    return sendJson(reply, hosts);
  });

  /** Upstream refetches SMD here; a change feed makes that a no-op, a remote SMD a refresh. */
  app.post("/hosts", async (_request, reply) => {
    inventory.requestRefresh();
    await inventory.settled();
    return reply.code(204).header("cache-control", "no-cache").send();
  });
}
