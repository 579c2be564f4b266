import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** Ids a proxy or client may hand us: short, no spaces, quotes or control characters. */
const SAFE_ID = /^[A-Za-z0-9._:=+/@-]{1,128}$/;

/** The request id: the caller's `x-request-id` when it is sane, else a fresh UUID. */
export function requestId(request: IncomingMessage): string {
  const incoming = request.headers["x-request-id"];
  return typeof incoming === "string" && SAFE_ID.test(incoming) ? incoming : randomUUID();
}
