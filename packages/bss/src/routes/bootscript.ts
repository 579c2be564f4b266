import type { Socket } from "node:net";
import { errors } from "@openchami/core";
import type { InventorySource } from "@openchami/inventory";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { BssContext } from "../context.ts";
import { parseBootRequest } from "../domain/boot-request.ts";
import { planBoot } from "../domain/resolve.ts";
import { type Arrival, chainBase } from "../ipxe/chain.ts";
import { renderBoot } from "../ipxe/render.ts";
import { JSON_UTF8, PUBLIC } from "./replies.ts";

const SCRIPT_TYPE = "text/plain; charset=UTF-8";

function firstOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(",")[0]?.trim() ?? "";
}

function localAddress(socket: Socket): string {
  const address = socket.localAddress ?? "127.0.0.1";
  return `${address.includes(":") ? `[${address}]` : address}:${socket.localPort}`;
}

function arrivalOf(request: FastifyRequest, mountPrefix: string): Arrival {
  const { headers, socket } = request.raw;
  return {
    host: firstOf(headers["x-forwarded-host"]) || headers.host || localAddress(socket),
    proto: firstOf(headers["x-forwarded-proto"]) || ("encrypted" in socket ? "https" : "http"),
    mountPrefix,
  };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * GET /bootscript (spec bss.md §3), the boot-storm hot path: synchronous, answered from
 * the inventory and params indexes in memory, with no database query and no SMD call.
 * The only side effects are a refresh request for an unknown node (rate-limited by the
 * inventory source) and an in-memory access record, written later in a batch.
 */
export function bootscriptRoutes(app: FastifyInstance, context: BssContext): void {
  const { config, inventory, params, enums, access } = context;
  // The mount the request arrived on, minus `/boot/v1`: "" or `/apis/bss`.
  const mountPrefix = app.prefix.replace(/\/boot\/v1$/, "");

  // No per-request log line on the boot-storm path (bss §8); /endpoint-history records accesses.
  app.get("/bootscript", { config: PUBLIC, logLevel: "warn" }, (request, reply) =>
    // An SMD write in this process is in the very next script: wait for its (bounded) reload.
    inventory.applying
      ? settledWithin(inventory, APPLY_WAIT_MS).then(() => answer(request, reply))
      : answer(request, reply),
  );

  function answer(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const boot = parseBootRequest(request.query as Record<string, unknown>, nowSeconds());
    if (!boot) throw errors.badRequest("Need a mac=, name=, or nid= parameter");
    const plan = planBoot(
      boot,
      { loaded: inventory.loaded, index: inventory.current() },
      params.index,
      enums,
    );
    if (plan.kind === "delay") inventory.requestRefresh();
    const base = chainBase(config, arrivalOf(request, mountPrefix));
    const answer = renderBoot(plan, boot, { config, params: params.index, base });
    if (answer.kind === "not-found") throw errors.notFound(answer.detail);
    if (answer.kind === "json") return reply.type(JSON_UTF8).send(`${answer.body}\n`);
    if (plan.node && plan.kind !== "delay") access.record(plan.node.xname, "bootscript", nowSeconds());
    return reply.type(SCRIPT_TYPE).send(answer.body);
  }
}

/** Longest a boot script waits for pending inventory changes before answering with what it has. */
const APPLY_WAIT_MS = 2000;

function settledWithin(inventory: InventorySource, ms: number): Promise<void> {
  return Promise.race([inventory.settled(), new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);
}
