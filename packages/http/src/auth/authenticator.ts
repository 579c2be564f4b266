import { errors, isProblem, type Logger, type Problem } from "@openchami/core";
import { type JSONWebKeySet, type JWTVerifyOptions, errors as jose, jwtVerify } from "jose";
import {
  type KeyResolver,
  type KeySource,
  localKeySource,
  type RemoteJwksOptions,
  remoteKeySource,
} from "./key-sources.ts";
import type { Claims } from "./scopes.ts";

export interface Authenticator {
  /** The token's claims; throws Problem 401 (bad token) or 503 (keys not loaded). */
  verify(token: string): Promise<Claims>;
  /** Whether verification keys are loaded. */
  ready(): boolean;
  /** Stops background JWKS fetching. */
  close(): void;
}

export interface AuthenticatorOptions {
  /** The built-in issuer's keys (a function), or any OIDC/TokenSmith issuer's JWKS by URL. */
  jwks: { local: () => JSONWebKeySet | Promise<JSONWebKeySet> } | RemoteJwksOptions;
  /** When set, `iss` must equal it. */
  issuer?: string;
  /** When set, `aud` must contain one of them. */
  audiences?: string[];
  logger: Logger;
}

/** Asymmetric algorithms only: `none` and HS* (forgeable with a public key) never verify. */
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"];
const CLOCK_TOLERANCE_SECONDS = 30;

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const source: KeySource =
    "url" in options.jwks
      ? remoteKeySource(options.jwks, options.logger)
      : localKeySource(options.jwks.local, options.logger);
  const verifyOptions: JWTVerifyOptions = {
    algorithms: ALGORITHMS,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    // exp too: a token that never expires cannot be revoked.
    requiredClaims: ["sub", "iss", "aud", "exp"],
    ...(options.issuer ? { issuer: options.issuer } : {}),
    ...(options.audiences?.length ? { audience: options.audiences } : {}),
  };

  async function verifyWith(token: string, keys: KeyResolver | undefined): Promise<Claims> {
    if (!keys) throw errors.serviceUnavailable("token signing keys are not loaded yet");
    const { payload } = await jwtVerify(token, keys, verifyOptions);
    return payload as Claims;
  }

  return {
    async verify(token) {
      try {
        try {
          return await verifyWith(token, await source.keys());
        } catch (error) {
          // A new kid usually means the issuer rotated its keys since we fetched them.
          if (error instanceof jose.JWKSNoMatchingKey && (await source.refetch())) {
            return await verifyWith(token, await source.keys());
          }
          throw error;
        }
      } catch (error) {
        throw asProblem(error);
      }
    },
    ready: () => source.ready(),
    close: () => source.close(),
  };
}

/** jose's messages name the failed check without echoing the token, so they are safe to return. */
function asProblem(error: unknown): Problem {
  if (isProblem(error)) return error;
  return errors.unauthorized(
    error instanceof jose.JOSEError ? `invalid token: ${error.message}` : "invalid token",
  );
}
