import { Problem } from "./problem.ts";

/**
 * The error catalogue: every error a service answers with is built here, so
 * statuses, headers and shared wording stay consistent across services.
 * Service-specific `detail` strings (from the specs) are passed in by callers.
 */
export const errors = {
  badRequest: (detail: string) => new Problem(400, detail),
  /** Go-compatible body decoding failure (SMD D1): detail prefix `error decoding JSON `. */
  badJson: (reason: string) => new Problem(400, `error decoding JSON ${reason}`),
  badQueryParam: (reason: string) => new Problem(400, `bad query param: ${reason}`),
  unauthorized: (detail = "missing or invalid bearer token") =>
    new Problem(401, detail, { headers: { "www-authenticate": 'Bearer realm="openchami"' } }),
  forbidden: (detail = "token lacks the required scope") => new Problem(403, detail),
  notFound: (detail: string) => new Problem(404, detail),
  methodNotAllowed: (allow: readonly string[]) =>
    new Problem(405, `allow ${allow.join(",")}`, { headers: { allow: allow.join(",") } }),
  conflict: (detail: string) => new Problem(409, detail),
  payloadTooLarge: (detail = "request body is too large") => new Problem(413, detail),
  unsupportedMediaType: (detail: string) => new Problem(415, detail),
  serviceUnavailable: (detail: string) => new Problem(503, detail),
  /** Never carries the cause: internals stay in the log, not in the response. */
  internal: () => new Problem(500, "internal server error"),
} as const;

export type ErrorCatalogue = typeof errors;
