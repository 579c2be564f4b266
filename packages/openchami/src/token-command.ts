import { parseDuration, silentLogger } from "@openchami/core";
import { openTokenIssuer, ROLE_SCOPES, type TokenIssuer } from "@openchami/tokens";
import { ensureDataDir } from "./data-dir.ts";

const LEVELS = ["read", "write", "admin"] as const;

/**
 * `--scope admin` mints `admin write read`: our services imply the lower levels anyway, and
 * upstream verifiers that look for a literal `read` then accept the token too.
 */
export function expandScopes(requested: readonly string[]): string[] {
  const out = new Set<string>();
  for (const scope of requested) {
    const role = ROLE_SCOPES[scope as keyof typeof ROLE_SCOPES];
    if (role) {
      for (const s of role) out.add(s);
      continue;
    }
    const level = LEVELS.indexOf(scope as (typeof LEVELS)[number]);
    if (level >= 0) for (const s of LEVELS.slice(0, level + 1)) out.add(s);
    else out.add(scope);
  }
  const strongestFirst = [...LEVELS].reverse().filter((s) => out.has(s));
  return [...strongestFirst, ...[...out].filter((s) => !strongestFirst.includes(s as never))];
}

export interface MintFlags {
  dataDir: string;
  scope: string[];
  ttl: string;
  subject: string;
  audience?: string[];
  issuer?: string;
}

export function openIssuer(dataDir: string, issuer?: string): Promise<TokenIssuer> {
  return openTokenIssuer({
    dataDir: ensureDataDir(dataDir),
    logger: silentLogger(),
    ...(issuer ? { issuer } : {}),
  });
}

export async function mintFromDataDir(flags: MintFlags): Promise<string> {
  const issuer = await openIssuer(flags.dataDir, flags.issuer);
  return issuer.mint({
    subject: flags.subject,
    scopes: expandScopes(flags.scope),
    ttlSeconds: parseDuration(flags.ttl),
    ...(flags.audience?.length ? { audience: flags.audience } : {}),
  });
}
