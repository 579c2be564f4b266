import type { Claims } from "./auth/scopes.ts";
import type { Metrics } from "./metrics.ts";

/** What this package adds to Fastify's types; in scope wherever @openchami/http is imported. */
declare module "fastify" {
  interface FastifyInstance {
    /** The application's Prometheus registry, rendered at GET /metrics. */
    metrics: Metrics;
  }
  interface FastifyRequest {
    /** The verified token's claims on a protected route; undefined when public or auth is off. */
    claims: Claims | undefined;
  }
  interface FastifyContextConfig {
    /** No token needed (requireAuth skips the route). */
    public?: boolean;
    /** Decode the body like Go's encoding/json (case-insensitive keys, unknown keys dropped). */
    goJson?: boolean;
  }
  interface FastifySchema {
    /** OpenAPI operation fields. */
    operationId?: string;
    summary?: string;
    description?: string;
    tags?: readonly string[];
    /** Leave the route out of the OpenAPI document. */
    hide?: boolean;
  }
}
