import type { FastifyInstance, FastifyReply } from "fastify";
import packageJson from "../../package.json" with { type: "json" };
import type { BssContext } from "../context.ts";
import { PUBLIC } from "./replies.ts";

type Check = [key: string, value: unknown, ok: boolean];

/**
 * A service answer: JSON and a newline, bare `application/json` (a Buffer keeps Fastify
 * from appending a charset); 500 when a check failed.
 */
function sendChecks(reply: FastifyReply, checks: readonly Check[]): FastifyReply {
  const body = Object.fromEntries(checks.map(([key, value]) => [key, value]));
  return reply
    .code(checks.every(([, , ok]) => ok) ? 200 : 500)
    .type("application/json")
    .send(Buffer.from(`${JSON.stringify(body)}\n`));
}

/** `/`, and the public health routes under /service (spec bss.md §2.2), GET only. */
export function serviceRoutes(app: FastifyInstance, { deps, inventory }: BssContext): void {
  const version = (): Check => ["bss-version", packageJson.version, true];
  const status = (): Check => ["bss-status", "running", true];
  const hsm = (): Check => {
    const ok = inventory.loaded;
    return ["bss-status-hsm", ok ? "connected" : "error", ok];
  };
  const storage = async (): Promise<Check> => {
    let ok = true;
    try {
      await deps.db.ping();
    } catch (err) {
      deps.logger.error({ err }, "storage status: database ping failed");
      ok = false;
    }
    return ["bss-storage-backend", { name: "postgres", status: ok ? "connected" : "error" }, ok];
  };

  app.get("/", async (_request, reply) => reply.type("text/plain; charset=utf-8").send("Hello World!"));
  app.get("/service/status", { config: PUBLIC }, async (_request, reply) => sendChecks(reply, [status()]));
  app.get("/service/version", { config: PUBLIC }, async (_request, reply) => sendChecks(reply, [version()]));
  app.get("/service/hsm", { config: PUBLIC }, async (_request, reply) => sendChecks(reply, [hsm()]));
  app.get("/service/storage/status", { config: PUBLIC }, async (_request, reply) =>
    sendChecks(reply, [await storage()]),
  );
  app.get("/service/status/all", { config: PUBLIC }, async (_request, reply) =>
    sendChecks(reply, [version(), status(), hsm(), await storage()]),
  );
}
