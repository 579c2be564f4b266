/** A real SMD over HTTP on loopback, for this package's tests; it records what it was asked. */
import { silentLogger } from "@openchami/core";
import { type Db, mapDbError } from "@openchami/db";
import { buildHttp, createAuthenticator } from "@openchami/http";
import { smdMigrations, smdPlugin } from "@openchami/smd";
import { listen, migratedPglite, testIssuer } from "@openchami/testkit";

export interface SeenRequest {
  method: string;
  /** Path and query, without the `/hsm/v2` prefix. */
  path: string;
  authorization: string | undefined;
  ifNoneMatch: string | undefined;
  at: number;
  /** Set once answered. */
  status?: number;
}

export interface TestSmd {
  /** Base URL including `/hsm/v2`. */
  url: string;
  db: Db;
  /** Every request, in arrival order. */
  requests: SeenRequest[];
  /** Requests whose path (as in `requests`) this selects are answered 503: an outage, whole or partial. */
  failWhen: ((path: string) => boolean) | undefined;
  /** A token with these scopes (only meaningful with `auth: true`). */
  token(scopes: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function startTestSmd(options: { auth?: boolean; db?: Db } = {}): Promise<TestSmd> {
  const logger = silentLogger();
  const db = options.db ?? (await migratedPglite([smdMigrations]));
  const issuer = await testIssuer();
  const auth = options.auth ? createAuthenticator({ jwks: { local: () => issuer.jwks }, logger }) : undefined;
  const app = buildHttp({ logger, mapError: mapDbError });
  const seen = new WeakMap<object, SeenRequest>();
  const smd: TestSmd = {
    url: "",
    db,
    requests: [],
    failWhen: undefined,
    token: (scopes) => issuer.mint(scopes),
    async close() {
      await app.close();
      auth?.close();
      if (!options.db) await db.close();
    },
  };
  app.addHook("onRequest", async (request, reply) => {
    const entry: SeenRequest = {
      method: request.method,
      path: request.url.replace(/^\/hsm\/v2/, ""),
      authorization: request.headers.authorization,
      ifNoneMatch: request.headers["if-none-match"],
      at: Date.now(),
    };
    smd.requests.push(entry);
    seen.set(request, entry);
    if (smd.failWhen?.(entry.path)) return reply.code(503).send("SMD is down");
  });
  app.addHook("onResponse", async (request, reply) => {
    const entry = seen.get(request);
    if (entry) entry.status = reply.statusCode;
  });
  await app.register(smdPlugin({ db, auth, logger }), { prefix: "/hsm/v2" });
  smd.url = `${await listen(app)}/hsm/v2`;
  return smd;
}
