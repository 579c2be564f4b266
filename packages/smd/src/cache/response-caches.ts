import type { Db } from "@openchami/db";
import type { FastifyReply, FastifyRequest } from "fastify";
import { SMD_CHANGES, type SmdChange } from "../store/changes.ts";
import { COMPONENTS_RESOURCE } from "../store/components.ts";
import { INTERFACES_RESOURCE } from "../store/ethernet-interfaces.ts";
import { matchesIfNoneMatch, ResponseCache } from "./response-cache.ts";

/** Writes that change what a components listing can answer (group/partition filters included). */
const COMPONENT_SOURCES = new Set([COMPONENTS_RESOURCE, "groups", "partitions"]);

/** The unfiltered listing plus the few filters pollers use (`?type=Node`). */
const LISTINGS = 64;
/** One body per component of a large machine room. */
const COMPONENTS = 200_000;

/**
 * The hot GETs of spec smd.md §8, kept serialised until the change feed, from this process
 * or any replica, reports a write they depend on: the public collections pollers hammer
 * (`GET /State/Components`, `GET /Inventory/EthernetInterfaces`; keyed by query string) and
 * single components (`GET /State/Components/{x}`; keyed by xname).
 */
export class ResponseCaches {
  readonly components = new ResponseCache(LISTINGS);
  readonly interfaces = new ResponseCache(LISTINGS);
  readonly component = new ResponseCache(COMPONENTS);
  #stop: (() => Promise<void>) | undefined;

  async start(db: Db): Promise<void> {
    const unlisten = await db.listen(SMD_CHANGES, (change: SmdChange) => {
      if (COMPONENT_SOURCES.has(change.resource)) this.components.invalidate();
      if (change.resource === COMPONENTS_RESOURCE)
        this.component.invalidate(change.truncated ? undefined : change.ids);
      if (change.resource === INTERFACES_RESOURCE) this.interfaces.invalidate();
    });
    // Notifications missed while PostgreSQL's LISTEN connection was down: start over.
    const stopResync = db.onResync(() => {
      for (const cache of [this.components, this.interfaces, this.component]) cache.invalidate();
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

/** The query string, as the key of a cached listing. */
export function queryKey(request: FastifyRequest): string {
  const query = request.url.indexOf("?");
  return query < 0 ? "" : request.url.slice(query + 1);
}

/** Answers from `cache` with a strong ETag, or 304 on a match. */
export async function sendCached(
  request: FastifyRequest,
  reply: FastifyReply,
  cache: ResponseCache,
  key: string,
  build: () => Promise<unknown>,
): Promise<FastifyReply> {
  const { body, etag } = await cache.get(key, async () => JSON.stringify(await build()));
  reply.header("etag", etag);
  if (matchesIfNoneMatch(request.headers["if-none-match"], etag)) return reply.code(304).send();
  return reply.type("application/json; charset=utf-8").send(body);
}
