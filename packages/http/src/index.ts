import "./fastify-types.ts";

export { buildHttp, type HttpApp, type HttpOptions } from "./app.ts";
export { type Authenticator, type AuthenticatorOptions, createAuthenticator } from "./auth/authenticator.ts";
export type { RemoteJwksOptions } from "./auth/key-sources.ts";
export { requireAuth } from "./auth/require-auth.ts";
export { type Claims, grantsLevel, requiredLevel, type ScopeLevel } from "./auth/scopes.ts";
export { canonicalizeKeys } from "./go-json.ts";
export { secureJsonParser } from "./json-body.ts";
export {
  type Counter,
  createMetrics,
  DEFAULT_BUCKETS,
  type Gauge,
  type Histogram,
  type Labels,
  type Metrics,
} from "./metrics.ts";
export { type OpenApiInfo, serviceOpenApi } from "./openapi.ts";
export type { ErrorMapper } from "./problems.ts";
export { queryParams } from "./query.ts";
export { sharedAcrossMounts } from "./shared-mounts.ts";
