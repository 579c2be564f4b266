import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { Logger } from "@openchami/core";
import { type JSONWebKeySet, SignJWT } from "jose";
import { ClientStore } from "./clients.ts";
import { ensurePrivateDir } from "./files.ts";
import { isScopeToken } from "./scopes.ts";
import { KeyRing } from "./signing-keys.ts";

export interface IssuerOptions {
  /** The data directory; the issuer keeps its files in `<dataDir>/tokens/`. */
  dataDir: string;
  /** The `iss` claim. Set it to match upstream verifiers' configured issuer (e.g. SMD_AUTH_ISSUER). */
  issuer?: string;
  /** The default `aud` claim. */
  audience?: string[];
  /** The longest token lifetime; retired keys stay published this long. */
  maxTtlSeconds?: number;
  logger: Logger;
  /** Milliseconds since the epoch; tests inject a fake clock. */
  clock?: () => number;
}

export interface MintRequest {
  subject: string;
  scopes: string[];
  ttlSeconds: number;
  audience?: string[];
}

export interface TokenIssuer {
  /** Public keys: the active one plus retired ones whose tokens may still be valid. */
  jwks(): JSONWebKeySet;
  /** An RS256 JWT with TokenSmith-compatible claims; `scope` is an array. */
  mint(req: MintRequest): Promise<string>;
  rotate(): Promise<{ kid: string }>;
  /** Registers an OAuth client; the secret is returned once and only its hash is kept. */
  createClient(id: string, scopes: string[]): Promise<{ id: string; secret: string }>;
  authenticateClient(id: string, secret: string): Promise<{ id: string; scopes: string[] } | undefined>;
  /** The 0600 JSON file `{"id": "admin", "secret": ...}` written at first start. */
  readonly adminClientFile: string;
  readonly maxTtlSeconds: number;
}

const DEFAULT_AUDIENCE = ["openchami", "smd", "bss", "cloud-init"];
const DEFAULT_MAX_TTL_SECONDS = 30 * 24 * 3600;

/**
 * Opens the issuer's state in `<dataDir>/tokens/`, creating a signing key and the "admin"
 * client on first start. Reopening only reads two small files.
 */
export async function openTokenIssuer(opts: IssuerOptions): Promise<TokenIssuer> {
  const dir = join(opts.dataDir, "tokens");
  const clock = opts.clock ?? Date.now;
  const maxTtlSeconds = opts.maxTtlSeconds ?? DEFAULT_MAX_TTL_SECONDS;
  if (!Number.isInteger(maxTtlSeconds) || maxTtlSeconds <= 0) {
    throw new Error("maxTtlSeconds must be a positive integer");
  }
  await ensurePrivateDir(dir);
  const keys = await KeyRing.open({ dir, maxTtlMs: maxTtlSeconds * 1000, clock, logger: opts.logger });
  const clients = await ClientStore.open({ dir, clock, logger: opts.logger });
  const claims = { issuer: opts.issuer ?? "openchami", audience: opts.audience ?? DEFAULT_AUDIENCE };

  async function mint(req: MintRequest): Promise<string> {
    const audience = req.audience ?? claims.audience;
    if (typeof req.subject !== "string" || req.subject === "") throw new Error("subject must not be empty");
    if (!Number.isInteger(req.ttlSeconds) || req.ttlSeconds <= 0 || req.ttlSeconds > maxTtlSeconds) {
      throw new Error(`ttl must be a whole number of seconds from 1 to ${maxTtlSeconds}`);
    }
    if (!req.scopes.every(isScopeToken)) throw new Error("scopes must be OAuth scope tokens (no spaces)");
    if (audience.length === 0) throw new Error("audience must not be empty");

    const key = keys.active();
    const iat = Math.floor(clock() / 1000);
    const exp = iat + req.ttlSeconds;
    const jti = randomUUID();
    const token = await new SignJWT({ scope: [...req.scopes] })
      .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.kid })
      .setIssuer(claims.issuer)
      .setSubject(req.subject)
      .setAudience([...audience])
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(exp)
      .setJti(jti)
      .sign(key.jwk);
    opts.logger.info(
      { sub: req.subject, scope: req.scopes, aud: audience, jti, exp, kid: key.kid },
      "minted a token",
    );
    return token;
  }

  return {
    jwks: () => keys.jwks(),
    mint,
    rotate: () => keys.rotate(),
    createClient: (id, scopes) => clients.create(id, scopes),
    authenticateClient: (id, secret) => clients.authenticate(id, secret),
    adminClientFile: clients.adminClientFile,
    maxTtlSeconds,
  };
}
