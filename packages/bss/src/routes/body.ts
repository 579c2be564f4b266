import { errors } from "@openchami/core";
import type { FastifyInstance, FastifyRequest } from "fastify";

type DoneParser = (
  request: FastifyRequest,
  body: string,
  done: (error: Error | null, value?: unknown) => void,
) => void;

/**
 * JSON bodies in BSS's scope, read as upstream's Go handlers read them: whatever the
 * Content-Type (curl -d sends a form type), an empty body is no body, and malformed JSON
 * is a 400 `Bad Request: <reason>`. Fastify's guard against prototype poisoning stays.
 */
export function installBodyParser(app: FastifyInstance): void {
  const secureParse = app.getDefaultJsonParser("error", "error") as DoneParser;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === "") {
      done(null, undefined);
      return;
    }
    secureParse(request, text, (error, value) =>
      done(error ? errors.badRequest(`Bad Request: ${whyInvalid(text)}`) : null, value),
    );
  });
}

/** The parser's reason; JSON that parses was refused for a prototype-poisoning key. */
function whyInvalid(text: string): string {
  try {
    JSON.parse(text);
    return "object contains a forbidden prototype property";
  } catch (error) {
    return (error as Error).message;
  }
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
