import { hostname } from "node:os";
import type { FastifyInstance } from "fastify";
import packageJson from "../../package.json" with { type: "json" };
import type { CloudInitContext } from "../context.ts";
import { PUBLIC, sendJson, sendText } from "./replies.ts";

/** version (upstream's health check), health and ready (§2.3); public. */
export function serviceRoutes(app: FastifyInstance, context: CloudInitContext): void {
  app.get("/version", { config: PUBLIC }, async (_request, reply) =>
    sendJson(reply, {
      process_name: "cloud-init",
      build_info: { version: packageJson.version, runtime: `node ${process.version}` },
      uptime: Math.floor((Date.now() - context.startedAt) / 1000),
      runtime_host: hostname(),
      bytes_allocated: process.memoryUsage().heapUsed,
    }),
  );
  app.get("/health", { config: PUBLIC }, async (_request, reply) => sendJson(reply, { status: "ok" }));
  app.get("/ready", { config: PUBLIC }, async (_request, reply) => {
    if (!context.state.loaded || !context.deps.inventory.loaded)
      return sendText(reply.header("retry-after", "5"), 503, "not ready");
    try {
      await context.deps.db.ping();
    } catch {
      return sendText(reply.header("retry-after", "5"), 503, "database unreachable");
    }
    return sendJson(reply, { status: "ready" });
  });
}
