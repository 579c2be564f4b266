import { errors } from "@openchami/core";
import type { FastifyInstance, FastifyRequest, preValidationAsyncHookHandler } from "fastify";
import { canonicalizeKeys } from "./go-json.ts";

type DoneParser = (
  request: FastifyRequest,
  body: string,
  done: (error: Error | null, value?: unknown) => void,
) => void;

/**
 * Replaces Fastify's JSON parser with one that keeps its prototype-poisoning guard but
 * answers failures as `error decoding JSON <reason>` (SMD D1), and lets body-less routes
 * ignore an empty body: Go clients send `Content-Type: application/json` on every request.
 */
export function installJsonParser(app: FastifyInstance): void {
  const secureParse = app.getDefaultJsonParser("error", "error") as DoneParser;
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = body as string;
    if (text.length === 0) {
      const wantsBody = request.routeOptions.schema?.body !== undefined;
      done(wantsBody ? errors.badJson("EOF") : null, undefined);
      return;
    }
    secureParse(request, text, (error, value) =>
      done(error ? errors.badJson(whyInvalid(text)) : null, value),
    );
  });
}

function whyInvalid(text: string): string {
  try {
    JSON.parse(text);
    return "object contains a forbidden prototype property";
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The preValidation hook of a `config: { goJson: true }` route: Go decoding semantics on
 * its body (case-insensitive keys, unknown keys dropped, a missing body is `EOF`).
 */
export function goJsonHook(bodySchema: unknown): preValidationAsyncHookHandler {
  return async (request) => {
    if (request.body === undefined) throw errors.badJson("EOF");
    request.body = canonicalizeKeys(bodySchema, request.body);
  };
}
