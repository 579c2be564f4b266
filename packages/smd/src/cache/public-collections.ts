import type { Db } from "@openchami/db";
import type { FastifyReply, FastifyRequest } from "fastify";
import { SMD_CHANGES, type SmdChange } from "../store/changes.ts";
import { COMPONENTS_RESOURCE } from "../store/components.ts";
import { INTERFACES_RESOURCE } from "../store/ethernet-interfaces.ts";
import { matchesIfNoneMatch, ResponseCache } from "./response-cache.ts";

/** Writes that change what a components listing can answer (group/partition filters included). */
const COMPONENT_SOURCES = new Set([COMPONENTS_RESOURCE, "groups", "partitions"]);

/**
 * The public collections pollers hammer (spec smd.md §8): `GET /State/Components` and
 * `GET /Inventory/EthernetInterfaces`, kept serialised until the change feed, from this
 * process or any replica, reports a write they depend on.
 */
export class PublicCollections {
  readonly components = new ResponseCache();
  readonly interfaces = new ResponseCache();
  #stop: (() => Promise<void>) | undefined;

  async start(db: Db): Promise<void> {
    const unlisten = await db.listen(SMD_CHANGES, (change: SmdChange) => {
      if (COMPONENT_SOURCES.has(change.resource)) this.components.invalidate();
      if (change.resource === INTERFACES_RESOURCE) this.interfaces.invalidate();
    });
    // Notifications missed while PostgreSQL's LISTEN connection was down: start over.
    const stopResync = db.onResync(() => {
      this.components.invalidate();
      this.interfaces.invalidate();
    });
    this.#stop = async () => {
      stopResync();
      await unlisten();
    };
  }

  async close(): Promise<void> {
    await this.#stop?.();
  }
}

/** Answers from `cache` (keyed by the query string) with a strong ETag, or 304 on a match. */
export async function sendCached(
  request: FastifyRequest,
  reply: FastifyReply,
  cache: ResponseCache,
  build: () => Promise<unknown>,
): Promise<FastifyReply> {
  const query = request.url.indexOf("?");
  const key = query < 0 ? "" : request.url.slice(query + 1);
  const { body, etag } = await cache.get(key, async () => JSON.stringify(await build()));
  reply.header("etag", etag);
  if (matchesIfNoneMatch(request.headers["if-none-match"], etag)) return reply.code(304).send();
  return reply.type("application/json; charset=utf-8").send(body);
}
