import { isValidXname, normalizeXname } from "@openchami/core";
import type { FastifyInstance, FastifyReply } from "fastify";
import { DecodeError, parseJson } from "../domain/wire.ts";

export const PUBLIC = { public: true } as const;
export const TEXT = "text/plain; charset=utf-8";

/** Upstream's errors: plain text, the message plus a newline, or an empty body. */
export function sendText(reply: FastifyReply, status: number, message = ""): FastifyReply {
  return reply
    .code(status)
    .type(TEXT)
    .send(message === "" ? "" : `${message}\n`);
}

/** Admin JSON: bare `application/json` (a Buffer keeps Fastify from adding a charset). */
export function sendJson(reply: FastifyReply, value: unknown, status = 200): FastifyReply {
  return reply
    .code(status)
    .type("application/json")
    .send(Buffer.from(`${JSON.stringify(value)}\n`));
}

/**
 * Bodies are read as text whatever the Content-Type (a bare `curl -d` works, as in Go)
 * and decoded by the route, which owns its error status and text.
 */
export function installBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));
}

/** The request body as JSON; an empty body is Go's `EOF`. */
export function jsonBody(body: unknown): unknown {
  const text = typeof body === "string" ? body : "";
  if (text.trim() === "") throw new DecodeError("EOF");
  return parseJson(text);
}

/** A node ID as given in a path: xnames normalised, anything else as is. */
export function nodeId(raw: string): string {
  return isValidXname(raw) ? normalizeXname(raw) : raw.trim();
}
