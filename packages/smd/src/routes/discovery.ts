import { errors, normalizeXname } from "@openchami/core";
import type { FastifyInstance } from "fastify";
import type { SmdContext } from "../context.ts";
import { DiscoveryRunner } from "../discovery.ts";
import { discoveryStatusId, discoveryStatusToWire, parseDiscoverBody } from "../domain/discovery.ts";
import type { EndpointRef } from "../store/discovery.ts";
import { API_BASE } from "./responses.ts";
import { IdParams } from "./schemas.ts";

const STATUS_URI = `${API_BASE}/Inventory/DiscoveryStatus/0`;

/** Inventory/Discover and Inventory/DiscoveryStatus (spec smd.md §3.9, §5.5). */
export function discoveryRoutes(app: FastifyInstance, { deps, discovery }: SmdContext): void {
  const runner = new DiscoveryRunner(discovery, deps.collector, deps.logger);
  app.addHook("onClose", () => runner.close());

  /** The endpoints to crawl: the named ones (each must exist), else all (there must be some). */
  async function endpointsFor(xnames: readonly string[]): Promise<EndpointRef[]> {
    if (xnames.length === 0) {
      const all = await discovery.endpoints();
      if (all.length === 0) throw errors.notFound("RedfishEndpoints collection is empty");
      return all;
    }
    const wanted = [...new Set(xnames)];
    const found = await discovery.endpoints(wanted.map(normalizeXname));
    const known = new Set(found.map((endpoint) => endpoint.id));
    const missing = wanted.find((xname) => !known.has(normalizeXname(xname)));
    if (missing !== undefined) throw errors.notFound(`No such RedfishEndpoint: ${missing}`);
    return found;
  }

  // Its own scope: this route answers any undecodable body with upstream's text, so it
  // takes the raw body instead of the app's JSON parser (`error decoding JSON …`).
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));
    scope.post("/Inventory/Discover", async (request) => {
      const { xnames, force } = parseDiscoverBody(request.body as string | undefined);
      const endpoints = await endpointsFor(xnames);
      // Only enabled endpoints are crawled (upstream skips disabled ones too).
      await runner.start(
        endpoints.filter((endpoint) => endpoint.enabled).map((endpoint) => endpoint.id),
        force,
      );
      return [{ URI: STATUS_URI }];
    });
  });

  app.get("/Inventory/DiscoveryStatus", async () => (await discovery.list()).map(discoveryStatusToWire));

  app.get("/Inventory/DiscoveryStatus/:id", { schema: { params: IdParams } }, async (request) => {
    const status = await discovery.get(discoveryStatusId((request.params as { id: string }).id));
    if (!status) throw errors.notFound("no such DiscoveryStatus ID.");
    return discoveryStatusToWire(status);
  });
}
