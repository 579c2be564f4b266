import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DEFAULT_BUCKETS, type Metrics } from "./metrics.ts";

/** Label for requests no route matched, so unknown URLs cannot blow up label cardinality. */
const UNMATCHED = "unmatched";

export type ResponseRecorder = (request: FastifyRequest, reply: FastifyReply) => void;

/** Accounts for one answered request: request metrics and the one access-log line. */
export function responseRecorder(metrics: Metrics): ResponseRecorder {
  const requests = metrics.counter("http_requests_total", "HTTP requests answered.", [
    "method",
    "route",
    "status",
  ]);
  const duration = metrics.histogram(
    "http_request_duration_seconds",
    "Time from request to response.",
    DEFAULT_BUCKETS,
    ["method", "route"],
  );
  return (request, reply) => {
    const route = request.is404 ? UNMATCHED : (request.routeOptions.url ?? UNMATCHED);
    const status = reply.statusCode;
    requests.inc({ method: request.method, route, status });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    // The child logger already carries the request id (reqId).
    request.log.info(
      {
        method: request.method,
        url: loggableUrl(request),
        status,
        ms: Math.round(reply.elapsedTime * 100) / 100,
        remote: request.ip,
      },
      "request",
    );
  };
}

/**
 * Request ids on every response, the recorder on every response, and `GET /metrics`.
 * The metrics route is public: operators restrict it by network.
 */
export function installObservability(app: FastifyInstance, metrics: Metrics, record: ResponseRecorder): void {
  const memory = metrics.gauge("process_resident_memory_bytes", "Resident memory size in bytes.");

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  app.addHook("onResponse", async (request, reply) => record(request, reply));

  app.get("/metrics", { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    memory.set({}, process.memoryUsage.rss());
    return reply.type("text/plain; version=0.0.4; charset=utf-8").send(metrics.render());
  });
}

/** The path plus query parameter names: values may carry secrets, names do not. */
function loggableUrl(request: FastifyRequest): string {
  const url = request.url;
  const mark = url.indexOf("?");
  if (mark < 0) return url;
  const names = new Set(new URLSearchParams(url.slice(mark + 1)).keys());
  return names.size === 0 ? url.slice(0, mark) : `${url.slice(0, mark)}?${[...names].join("&")}`;
}
