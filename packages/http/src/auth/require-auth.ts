import type { IncomingHttpHeaders } from "node:http";
import { errors } from "@openchami/core";
import type { FastifyInstance } from "fastify";
import type { Authenticator } from "./authenticator.ts";
import { grantsLevel, requiredLevel } from "./scopes.ts";

/**
 * Protects every route of the calling plugin's scope registered from here on, except
 * those with `config: { public: true }`. Call it first in a service plugin. Without an
 * authenticator auth is off (--no-auth; the launcher logs the warning).
 */
export function requireAuth(
  app: FastifyInstance,
  { service, authenticator }: { service: string; authenticator: Authenticator | undefined },
): void {
  if (!authenticator) return;
  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.config.public) return;
    const token = tokenFrom(request.headers);
    if (!token) throw errors.unauthorized("missing bearer token");
    const claims = await authenticator.verify(token);
    const needed = requiredLevel(request.method);
    if (!grantsLevel(claims, service, needed)) {
      throw errors.forbidden(`token lacks the ${needed} scope for ${service}`);
    }
    request.claims = claims;
  });
}

/** `Authorization: Bearer <token>`, else the `jwt` cookie (as upstream's jwtauth). */
function tokenFrom(headers: IncomingHttpHeaders): string | undefined {
  const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(headers.authorization ?? "")?.[1];
  return bearer ?? cookie(headers.cookie, "jwt");
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const pair of header?.split(";") ?? []) {
    const eq = pair.indexOf("=");
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}
