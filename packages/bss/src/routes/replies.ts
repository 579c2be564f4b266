import type { FastifyReply } from "fastify";

/** Upstream's JSON content type, charset spelled as it sends it. */
export const JSON_UTF8 = "application/json; charset=UTF-8";

export const PUBLIC = { public: true } as const;

/** JSON as upstream's encoder writes it: followed by a newline. */
export function sendJson(reply: FastifyReply, value: unknown): FastifyReply {
  return reply.type(JSON_UTF8).send(`${JSON.stringify(value)}\n`);
}
