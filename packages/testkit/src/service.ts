import { type Logger, silentLogger } from "@openchami/core";
import { type Db, mapDbError } from "@openchami/db";
import { type Authenticator, buildHttp, createAuthenticator } from "@openchami/http";
import type { FastifyInstance } from "fastify";
import { listen } from "./listen.ts";
import { testIssuer } from "./tokens.ts";

export interface TestService {
  /** `http://127.0.0.1:<port>`, no prefix. */
  base: string;
  db: Db;
  /** A valid token with these scopes (only checked when started with `auth`). */
  token(scopes: string[]): Promise<string>;
  close(): Promise<void>;
}

/**
 * A service as the launcher builds it (problem+json errors, DB errors mapped), on loopback,
 * for service test suites: `mount` registers the service's plugin(s) on the root app.
 * The database is closed with the service only when `ownsDb`.
 */
export async function startTestService(options: {
  db: Db;
  ownsDb: boolean;
  auth?: boolean;
  mount(
    app: FastifyInstance,
    deps: { auth: Authenticator | undefined; logger: Logger },
  ): PromiseLike<unknown>;
}): Promise<TestService> {
  const logger = silentLogger();
  const issuer = await testIssuer();
  const auth = options.auth ? createAuthenticator({ jwks: { local: () => issuer.jwks }, logger }) : undefined;
  const app = buildHttp({ logger, mapError: mapDbError });
  let base: string;
  try {
    await options.mount(app, { auth, logger });
    base = await listen(app);
  } catch (error) {
    // A plugin that refuses its configuration must not leave the app or database open.
    await app.close().catch(() => undefined);
    auth?.close();
    if (options.ownsDb) await options.db.close();
    throw error;
  }
  return {
    base,
    db: options.db,
    token: (scopes) => issuer.mint(scopes),
    async close() {
      await app.close();
      auth?.close();
      if (options.ownsDb) await options.db.close();
    },
  };
}
