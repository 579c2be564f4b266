import { errors, type Problem } from "@openchami/core";
import type { FastifyInstance, FastifyRequest, preValidationAsyncHookHandler } from "fastify";
import { canonicalizeKeys } from "./go-json.ts";

type DoneParser = (
  request: FastifyRequest,
  body: string,
  done: (error: Error | null, value?: unknown) => void,
) => void;

type ParserFn = (
  request: FastifyRequest,
  body: string | Buffer,
  done: (error: Error | null, value?: unknown) => void,
) => void;

/**
 * A JSON body parser (register it with `parseAs: "string"`) that keeps Fastify's guard
 * against prototype poisoning and answers an empty or malformed body the caller's way.
 */
export function secureJsonParser(
  app: FastifyInstance,
  answers: { empty(request: FastifyRequest): Problem | undefined; invalid(reason: string): Problem },
): ParserFn {
  const secureParse = app.getDefaultJsonParser("error", "error") as DoneParser;
  return (request, body, done) => {
    const text = body as string;
    if (text.trim() === "") {
      done(answers.empty(request) ?? null, undefined);
      return;
    }
    secureParse(request, text, (error, value) =>
      done(error ? answers.invalid(whyInvalid(text)) : null, value),
    );
  };
}

/**
 * Replaces Fastify's JSON parser with one that answers failures as `error decoding JSON
 * <reason>` (SMD D1), and lets body-less routes ignore an empty body: Go clients send
 * `Content-Type: application/json` on every request.
 */
export function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser(
    "application/json",
    { parseAs: "string" },
    secureJsonParser(app, {
      empty: (request) =>
        request.routeOptions.schema?.body !== undefined ? errors.badJson("EOF") : undefined,
      invalid: (reason) => errors.badJson(reason),
    }),
  );
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
 * The preValidation hook of a `config: { goJson: true }` route: Go decoding semantics on
 * its body (case-insensitive keys, unknown keys dropped, a missing body is `EOF`).
 */
export function goJsonHook(bodySchema: unknown): preValidationAsyncHookHandler {
  return async (request) => {
    if (request.body === undefined) throw errors.badJson("EOF");
    request.body = canonicalizeKeys(bodySchema, request.body);
  };
}
