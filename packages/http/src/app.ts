import { type TypeBoxTypeProvider, TypeBoxValidatorCompiler } from "@fastify/type-provider-typebox";
import { errors, type Logger } from "@openchami/core";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  LogController,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from "fastify";
import { goJsonHook, installJsonParser } from "./json-body.ts";
import { MethodTable } from "./method-table.ts";
import { createMetrics } from "./metrics.ts";
import { installObservability, responseRecorder } from "./observability.ts";
import { type ErrorMapper, errorHandler, sendProblem, toProblem } from "./problems.ts";
import { requestId } from "./request-id.ts";

export interface HttpOptions {
  logger: Logger;
  /** Largest request body in bytes; default 10 MiB. */
  bodyLimit?: number;
  /** Trust X-Forwarded-* from these proxies (or all, with true) for the client address. */
  trustProxy?: boolean | string[];
  /** Time to receive a request, and to answer it; default 60 s (as upstream). */
  requestTimeoutMs?: number;
  /** Maps errors from below (the database's `mapDbError`) to Problems; others become 500s. */
  mapError?: ErrorMapper;
}

/** The root application, typed for TypeBox route schemas. */
export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

const MIB = 1024 * 1024;

/**
 * The root Fastify app every service plugin is registered into (`app.register(plugin,
 * { prefix })`), with the project's wire behaviour: problem+json errors, Go's 404 text,
 * 405 + Allow, trailing-slash tolerance, opt-in Go JSON decoding, request ids, one log
 * line per request and GET /metrics. No service routes yet.
 */
export function buildHttp(options: HttpOptions): HttpApp {
  const timeout = options.requestTimeoutMs ?? 60_000;
  const metrics = createMetrics();
  const record = responseRecorder(metrics);
  const app = Fastify<
    RawServerDefault,
    RawRequestDefaultExpression,
    RawReplyDefaultExpression,
    FastifyBaseLogger
  >({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }), // ours: one line, in onResponse
    genReqId: requestId,
    bodyLimit: options.bodyLimit ?? 10 * MIB,
    trustProxy: options.trustProxy ?? false,
    requestTimeout: timeout,
    handlerTimeout: timeout,
    routerOptions: { ignoreTrailingSlash: true },
    exposeHeadRoutes: true,
    // Failures before routing (malformed URL encoding, overlong parameters) skip all hooks.
    frameworkErrors: (error, request, reply) => {
      reply.header("x-request-id", request.id);
      sendProblem(reply, toProblem(error) ?? errors.badRequest("malformed request"));
      record(request, reply);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // TypeBox validation: bodies are checked without coercion ("Enabled":"fake" is a 400);
  // querystring, params and headers are converted from strings first.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  app.setErrorHandler(errorHandler(options.mapError));
  app.decorateRequest("claims", undefined);
  app.decorate("metrics", metrics);
  installJsonParser(app);

  const methods = new MethodTable();
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) methods.add(method, route.url);
    if (route.config?.goJson && route.schema?.body !== undefined) {
      // First, so the route's own preValidation hooks see canonical keys.
      route.preValidation = [goJsonHook(route.schema.body), ...[route.preValidation ?? []].flat()];
    }
  });
  app.setNotFoundHandler(async (request, reply) => {
    const allow = methods.allowed(request.url);
    if (allow.length === 0)
      return reply.code(404).type("text/plain; charset=utf-8").send("404 page not found\n");
    const notAllowed = errors.methodNotAllowed(allow);
    // OPTIONS on a known path answers which methods it takes, in the same Allow format.
    if (request.method === "OPTIONS") return reply.code(204).headers(notAllowed.headers).send();
    throw notAllowed;
  });

  installObservability(app, metrics, record);
  return app;
}
