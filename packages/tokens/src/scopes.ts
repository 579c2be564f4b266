/** The scopes each role is granted (TokenSmith's `groupScopes`; spec D3). */
export const ROLE_SCOPES: Record<"admin" | "operator" | "viewer", string[]> = {
  admin: ["admin", "write", "read"],
  operator: ["write", "read"],
  viewer: ["read"],
};

const LEVELS = ["read", "write", "admin"] as const;
type Level = (typeof LEVELS)[number];

/** `read`, or a service alias such as `smd.read` / `bss:write`. */
interface LevelScope {
  service?: string;
  level: Level;
}

const ALIAS = /^([a-z][a-z0-9-]*)[.:](read|write|admin)$/;

function parseLevel(scope: string): LevelScope | undefined {
  if ((LEVELS as readonly string[]).includes(scope)) return { level: scope as Level };
  const alias = ALIAS.exec(scope);
  return alias ? { service: alias[1]!, level: alias[2] as Level } : undefined;
}

/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
export function isScopeToken(scope: string): boolean {
  return /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope);
}

/**
 * Whether holding `held` entitles a client to `wanted`. `admin` ⊇ `write` ⊇ `read`, and an
 * unprefixed level covers every service's alias of the same or a lower level (`write` allows
 * `smd.read`), while an alias covers only its own service. Other scopes must match exactly.
 */
export function allowsScope(held: readonly string[], wanted: string): boolean {
  if (held.includes(wanted)) return true;
  const want = parseLevel(wanted);
  if (!want) return false;
  return held.some((scope) => {
    const have = parseLevel(scope);
    return (
      have !== undefined &&
      LEVELS.indexOf(have.level) >= LEVELS.indexOf(want.level) &&
      (have.service === undefined || have.service === want.service)
    );
  });
}

/** OIDC's marker scope. Upstream's `gen_access_token` asks for it; we issue no ID token. */
const IGNORED_SCOPES = new Set(["openid"]);

export type ScopeGrant = { granted: string[] } | { refused: string[] };

/**
 * The scopes to put in a token for a client-credentials request. `requested` is the
 * space-separated `scope` parameter: absent or empty (after dropping `openid`) means all the
 * client's scopes; otherwise every requested scope must be allowed, and is granted as
 * requested, so an `smd.read` token stays limited to SMD.
 */
export function grantScopes(requested: string | undefined, clientScopes: readonly string[]): ScopeGrant {
  const wanted = [...new Set((requested ?? "").split(" "))].filter(
    (scope) => scope !== "" && !IGNORED_SCOPES.has(scope),
  );
  if (wanted.length === 0) return { granted: [...clientScopes] };
  const refused = wanted.filter((scope) => !allowsScope(clientScopes, scope));
  return refused.length > 0 ? { refused } : { granted: wanted };
}
