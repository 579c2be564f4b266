import type { JWTPayload } from "jose";

/** Verified token claims; scopes come from `scope` or `scp`, as an array or space-separated. */
export type Claims = JWTPayload & { scope?: string[] | string; scp?: string[] | string };

export type ScopeLevel = "read" | "write" | "admin";

/** admin implies write, which implies read. */
const RANK: Record<ScopeLevel, number> = { read: 1, write: 2, admin: 3 };

/** GET/HEAD read, POST/PUT/PATCH write, DELETE (and anything unusual) admin. */
export function requiredLevel(method: string): ScopeLevel {
  switch (method.toUpperCase()) {
    case "GET":
    case "HEAD":
    case "OPTIONS":
      return "read";
    case "POST":
    case "PUT":
    case "PATCH":
      return "write";
    default:
      return "admin";
  }
}

export function scopesOf(claims: Claims): string[] {
  return [claims.scope, claims.scp].flatMap((value) => {
    if (typeof value === "string") return value.split(/\s+/).filter(Boolean);
    return Array.isArray(value) ? value.filter((scope) => typeof scope === "string") : [];
  });
}

/**
 * Whether the claims grant `needed` for `service`: a bare level (`write`) counts
 * everywhere, an alias (`smd.write`, `smd:write`) only for its own service.
 */
export function grantsLevel(claims: Claims, service: string, needed: ScopeLevel): boolean {
  return scopesOf(claims).some((scope) => {
    const level = levelOf(scope, service);
    return level !== undefined && RANK[level] >= RANK[needed];
  });
}

function levelOf(scope: string, service: string): ScopeLevel | undefined {
  const aliased = scope.startsWith(`${service}.`) || scope.startsWith(`${service}:`);
  const level = aliased ? scope.slice(service.length + 1) : scope;
  return Object.hasOwn(RANK, level) ? (level as ScopeLevel) : undefined;
}
