import { isIP } from "node:net";
import type { FastifyInstance } from "fastify";
import type { CloudInitContext } from "../context.ts";
import { isWgKey } from "../domain/wg-pool.ts";
import { DecodeError } from "../domain/wire.ts";
import { LeaseRefused } from "../store/wireguard.ts";
import { nodeOf, notReady, requestIp } from "./node.ts";
import { jsonBody, PUBLIC, sendJson, sendText } from "./replies.ts";

/** `public_key` in any case, as Go's decoder matches it. */
function publicKeyField(body: unknown): unknown {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  if (Object.hasOwn(record, "public_key")) return record.public_key;
  const key = Object.keys(record).find((k) => k.toLowerCase() === "public_key");
  return key === undefined ? undefined : record[key];
}

/** POST /wg-init and POST /phone-home/{id} (§2.2, §4); public. */
export function wireguardRoutes(app: FastifyInstance, context: CloudInitContext): void {
  const { wireguard, config } = context;

  app.post("/wg-init", { config: PUBLIC }, async (request, reply) => {
    if (!wireguard.enabled || !wireguard.pool) return sendText(reply, 503, "wireguard disabled");
    let body: unknown;
    try {
      body = jsonBody(request.body);
    } catch (error) {
      if (error instanceof DecodeError) return sendText(reply, 400, "Invalid request body");
      throw error;
    }
    if (body === null || typeof body !== "object" || Array.isArray(body))
      return sendText(reply, 400, "Invalid request body");
    const publicKey = publicKeyField(body);
    if (publicKey === undefined || publicKey === null || publicKey === "")
      return sendText(reply, 400, "Public key is required");
    if (typeof publicKey !== "string" || !isWgKey(publicKey))
      return sendText(reply, 400, "Invalid public key");
    const ip = requestIp(context, request);
    if (isIP(ip) === 0) return sendText(reply, 400, "Invalid client IP");
    const early = await notReady(context, reply);
    if (early) return early;
    const node = nodeOf(context, request, ip);
    if (!node) return sendText(reply, 422);
    try {
      const lease = await wireguard.init(node.xname, publicKey, ip);
      return sendJson(
        reply,
        {
          message: "WireGuard tunnel created successfully",
          "client-vpn-ip": lease.tunnelIp,
          "server-public-key": wireguard.serverPublicKey,
          "server-ip": wireguard.pool.server,
          "server-port": String(config.wireguardPort),
        },
        201,
      );
    } catch (error) {
      if (error instanceof LeaseRefused) return sendText(reply, error.status, error.message);
      throw error;
    }
  });

  app.post<{ Params: { id: string } }>("/phone-home/:id", { config: PUBLIC }, async (request, reply) => {
    const early = await notReady(context, reply);
    if (early) return early;
    const node = nodeOf(context, request);
    if (!node) return sendText(reply, 422);
    const removePeer = await wireguard.release(node.xname);
    reply.raw.once("finish", () => {
      removePeer().catch((err) => request.log.error({ err }, "removing the WireGuard peer failed"));
    });
    return sendText(reply, 200);
  });
}
