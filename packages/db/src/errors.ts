import { errors, type Problem } from "@openchami/core";

const unavailable = () => errors.serviceUnavailable("database unavailable");

/**
 * Errors a client can cause or a caller can report, by SQLSTATE (or Node socket error
 * code). A foreign-key violation is a 409 whichever way it happens: inserting a row
 * that references a missing resource and deleting one still referenced both conflict
 * with the current state, not with the request's syntax.
 */
const BY_CODE: Readonly<Record<string, () => Problem>> = {
  "23505": () => errors.conflict("operation would conflict with an existing resource"),
  "23503": () =>
    errors.conflict("operation would conflict with a related resource that is missing or in use"),
  "23502": () => errors.badRequest("a required value is missing"),
  "23514": () => errors.badRequest("a value is out of the allowed range"),
  "22P02": () => errors.badRequest("a value has an invalid format"),
  "22003": () => errors.badRequest("a numeric value is out of range"),
  "22001": () => errors.badRequest("a value is too long"),
  "22007": () => errors.badRequest("a date or time value has an invalid format"),
  "22008": () => errors.badRequest("a date or time value is out of range"),
  "53300": unavailable, // too many connections
  "57P01": unavailable, // admin shutdown
  "57P02": unavailable, // crash shutdown
  "57P03": unavailable, // cannot connect now (starting up)
  ECONNREFUSED: unavailable,
  ECONNRESET: unavailable,
};

/** SQLSTATE class 08: connection exceptions. */
const CONNECTION_EXCEPTION = /^08[0-9A-Z]{3}$/;

/** The catalogue error for a database error, or undefined if it is not one we map (a 500). */
export function mapDbError(err: unknown): Problem | undefined {
  const code = typeof err === "object" && err !== null && "code" in err ? err.code : undefined;
  if (typeof code !== "string") return undefined;
  const build = BY_CODE[code] ?? (CONNECTION_EXCEPTION.test(code) ? unavailable : undefined);
  return build?.();
}
