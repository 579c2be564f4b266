import { errors } from "@openchami/core";
import { secureJsonParser } from "@openchami/http";
import type { FastifyInstance, FastifyRequest } from "fastify";

/**
 * JSON bodies in BSS's scope, read as upstream's Go handlers read them: whatever the
 * Content-Type (curl -d sends a form type), an empty body is no body, and malformed JSON
 * is a 400 `Bad Request: <reason>`.
 */
export function installBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    "*",
    { parseAs: "string" },
    secureJsonParser(app, {
      empty: () => undefined,
      invalid: (reason) => errors.badRequest(`Bad Request: ${reason}`),
    }),
  );
}

/**
 * The raw body of a GET, which Fastify does not read: `GET /bootparameters` may carry its
 * selectors as JSON (§2.2). Bounded like every other body.
 */
export async function readGetBody(request: FastifyRequest): Promise<string> {
  const limit = request.server.initialConfig.bodyLimit ?? 1024 * 1024;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw errors.payloadTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
