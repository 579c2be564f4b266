import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { silentLogger } from "@openchami/core";
import type { FastifyInstance } from "fastify";
import { type CryptoKey, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK, SignJWT } from "jose";
import { buildHttp } from "../app.ts";
import { listen } from "../test-support.ts";
import { type Authenticator, createAuthenticator } from "./authenticator.ts";
import { requireAuth } from "./require-auth.ts";

const ISSUER = "https://issuer.test";
const AUDIENCE = "openchami";

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}

const jwksOf = (...keys: SigningKey[]): JSONWebKeySet => ({ keys: keys.map((key) => key.jwk) });

interface MintOptions {
  scope?: string | string[];
  claims?: Record<string, unknown>;
  omit?: ("sub" | "iss" | "aud")[];
  expiresAt?: number;
}

function mint(
  key: SigningKey,
  { scope, claims = {}, omit = [], expiresAt }: MintOptions = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { sub: "alice", iss: ISSUER, aud: AUDIENCE, scope, ...claims };
  for (const claim of omit) delete payload[claim];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "RS256", kid: key.kid })
    .setIssuedAt(now)
    .setExpirationTime(expiresAt ?? now + 300)
    .sign(key.privateKey);
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Two services, as the launcher mounts them; each has read, write, admin and public routes. */
function serviceWith(service: string, authenticator: Authenticator | undefined) {
  return async (app: FastifyInstance) => {
    requireAuth(app, { service, authenticator });
    app.get("/items", async (request) => ({ sub: request.claims?.sub ?? null }));
    app.post("/items", async () => ({ created: true }));
    app.delete("/items/:id", async () => ({ deleted: true }));
    app.get("/public", { config: { public: true } }, async (request) => ({ claims: request.claims ?? null }));
  };
}

async function appWith(
  authenticator: Authenticator | undefined,
): Promise<{ app: FastifyInstance; base: string }> {
  const app = buildHttp({ logger: silentLogger() });
  await app.register(serviceWith("smd", authenticator), { prefix: "/hsm/v2" });
  await app.register(serviceWith("bss", authenticator), { prefix: "/boot/v1" });
  return { app, base: await listen(app) };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("auth with the built-in issuer's keys", () => {
  let key: SigningKey;
  let otherKey: SigningKey;
  let authenticator: Authenticator;
  let app: FastifyInstance;
  let base: string;

  before(async () => {
    key = await signingKey("k1");
    otherKey = await signingKey("k1"); // same kid, different key: a forged signature
    authenticator = createAuthenticator({
      jwks: { local: () => jwksOf(key) },
      issuer: ISSUER,
      audiences: [AUDIENCE, "other"],
      logger: silentLogger(),
    });
    ({ app, base } = await appWith(authenticator));
  });
  after(async () => {
    await app.close();
    authenticator.close();
  });

  const call = (method: string, path: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method, headers });

  async function expect401(response: Response, detail: RegExp) {
    assert.equal(response.status, 401);
    assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer/);
    assert.equal(response.headers.get("content-type"), "application/problem+json");
    const body = (await response.json()) as { detail: string; title: string };
    assert.equal(body.title, "Unauthorized");
    assert.match(body.detail, detail);
  }

  test("a valid token is accepted and its claims reach the handler", async () => {
    const response = await call("GET", "/hsm/v2/items", bearer(await mint(key, { scope: "read" })));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { sub: "alice" });
  });

  test("the jwt cookie works too", async () => {
    const token = await mint(key, { scope: ["read"] });
    const response = await call("GET", "/hsm/v2/items", { cookie: `theme=dark; jwt=${token}` });
    assert.equal(response.status, 200);
  });

  test("no token is 401 with WWW-Authenticate", async () => {
    await expect401(await call("GET", "/hsm/v2/items"), /missing bearer token/);
    await expect401(await call("GET", "/hsm/v2/items", { authorization: "Basic YTpi" }), /missing/);
  });

  test("public routes need no token, and HEAD follows GET", async () => {
    const response = await call("GET", "/hsm/v2/public");
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { claims: null });
    assert.equal((await call("HEAD", "/boot/v1/public")).status, 200);
    assert.equal((await call("HEAD", "/boot/v1/items")).status, 401);
  });

  test("a signature by another key is 401", async () => {
    const token = await mint(otherKey, { scope: "admin" });
    await expect401(await call("GET", "/hsm/v2/items", bearer(token)), /signature verification failed/);
  });

  test("an expired token is 401, within the clock tolerance it is not", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await mint(key, { scope: "read", expiresAt: now - 120 });
    await expect401(
      await call("GET", "/hsm/v2/items", bearer(expired)),
      /"exp" claim timestamp check failed/,
    );
    const justExpired = await mint(key, { scope: "read", expiresAt: now - 5 });
    assert.equal((await call("GET", "/hsm/v2/items", bearer(justExpired))).status, 200);
  });

  test("a token not yet valid is 401", async () => {
    const future = await mint(key, { scope: "read", claims: { nbf: Math.floor(Date.now() / 1000) + 600 } });
    await expect401(await call("GET", "/hsm/v2/items", bearer(future)), /"nbf"/);
  });

  test("alg none and HS256 tokens are 401", async () => {
    const payload = {
      sub: "alice",
      iss: ISSUER,
      aud: AUDIENCE,
      scope: "admin",
      exp: Math.floor(Date.now() / 1000) + 300,
    };
    const none = `${base64url({ alg: "none", typ: "JWT" })}.${base64url(payload)}.`;
    await expect401(await call("DELETE", "/hsm/v2/items/1", bearer(none)), /invalid token/);

    const hs256 = await new SignJWT(payload)
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .sign(new TextEncoder().encode("a shared secret anyone could guess"));
    await expect401(await call("DELETE", "/hsm/v2/items/1", bearer(hs256)), /"alg"/);
  });

  test("tokens without sub, iss or aud are 401", async () => {
    for (const claim of ["sub", "iss", "aud"] as const) {
      const token = await mint(key, { scope: "read", omit: [claim] });
      await expect401(await call("GET", "/hsm/v2/items", bearer(token)), new RegExp(`"${claim}"`));
    }
  });

  test("the configured issuer and audiences are enforced", async () => {
    const wrongIssuer = await mint(key, { scope: "read", claims: { iss: "https://evil.test" } });
    await expect401(await call("GET", "/hsm/v2/items", bearer(wrongIssuer)), /"iss"/);
    const wrongAudience = await mint(key, { scope: "read", claims: { aud: "someone-else" } });
    await expect401(await call("GET", "/hsm/v2/items", bearer(wrongAudience)), /"aud"/);
    const secondAudience = await mint(key, { scope: "read", claims: { aud: ["x", "other"] } });
    assert.equal((await call("GET", "/hsm/v2/items", bearer(secondAudience))).status, 200);
  });

  test("a token without the needed scope is 403; admin may delete", async () => {
    const read = await mint(key, { scope: "read" });
    const denied = await call("DELETE", "/hsm/v2/items/1", bearer(read));
    assert.equal(denied.status, 403);
    assert.equal(denied.headers.get("content-type"), "application/problem+json");
    assert.match(((await denied.json()) as { detail: string }).detail, /admin/);
    assert.equal((await call("POST", "/hsm/v2/items", bearer(read))).status, 403);

    const write = await mint(key, { scope: "write" });
    assert.equal((await call("POST", "/hsm/v2/items", bearer(write))).status, 200);
    assert.equal((await call("DELETE", "/hsm/v2/items/1", bearer(write))).status, 403);

    const admin = await mint(key, { scope: "admin" });
    assert.equal((await call("DELETE", "/hsm/v2/items/1", bearer(admin))).status, 200);
    assert.equal((await call("DELETE", "/boot/v1/items/1", bearer(admin))).status, 200);
  });

  test("a service alias counts under its own service only", async () => {
    const token = await mint(key, { claims: { scp: "smd.write" } });
    assert.equal((await call("POST", "/hsm/v2/items", bearer(token))).status, 200);
    assert.equal((await call("GET", "/hsm/v2/items", bearer(token))).status, 200);
    assert.equal((await call("POST", "/boot/v1/items", bearer(token))).status, 403);
    assert.equal((await call("GET", "/boot/v1/items", bearer(token))).status, 403);
    const colon = await mint(key, { scope: "bss:admin" });
    assert.equal((await call("DELETE", "/boot/v1/items/1", bearer(colon))).status, 200);
    assert.equal((await call("GET", "/hsm/v2/items", bearer(colon))).status, 403);
  });

  test("unknown paths and wrong methods answer 404/405 before auth", async () => {
    assert.equal((await call("GET", "/hsm/v2/nothing")).status, 404);
    assert.equal((await call("PUT", "/hsm/v2/items")).status, 405);
  });
});

describe("auth off", () => {
  test("without an authenticator every route is open", async () => {
    const { app, base } = await appWith(undefined);
    try {
      assert.equal((await fetch(`${base}/hsm/v2/items/1`, { method: "DELETE" })).status, 200);
    } finally {
      await app.close();
    }
  });
});

describe("auth with a remote JWKS", () => {
  let served: JSONWebKeySet = { keys: [] };
  let fetches = 0;
  let jwksServer: Server;
  let port: number;
  const opened: { close(): unknown }[] = [];

  before(async () => {
    // Reserve a port, then leave it closed: the JWKS is unreachable at first.
    jwksServer = createServer((_request, response) => {
      fetches += 1;
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify(served));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
    port = (jwksServer.address() as AddressInfo).port;
    await new Promise((resolve) => jwksServer.close(resolve));
  });
  after(async () => {
    for (const item of opened) await item.close();
    jwksServer.close();
  });

  async function waitFor(condition: () => boolean, ms = 8000) {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error("timed out");
      await sleep(50);
    }
  }

  test("503 until the JWKS is reachable, then tokens verify; rotations are picked up", async () => {
    // Keys up front: RSA key generation can outlast the refetch cooldown below.
    const [first, second, third] = await Promise.all(["r1", "r2", "r3"].map(signingKey));
    served = jwksOf(first!);
    const authenticator = createAuthenticator({
      jwks: { url: `http://127.0.0.1:${port}/jwks`, refetchCooldownMs: 500 },
      issuer: ISSUER,
      logger: silentLogger(),
    });
    opened.push(authenticator);
    const { app, base } = await appWith(authenticator);
    opened.push(app);
    const get = (token: string) => fetch(`${base}/hsm/v2/items`, { headers: bearer(token) });

    const token = await mint(first!, { scope: "read" });
    const unavailable = await get(token);
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.headers.get("content-type"), "application/problem+json");
    assert.equal((await fetch(`${base}/hsm/v2/public`)).status, 200);
    assert.equal(authenticator.ready(), false);

    await new Promise<void>((resolve) => jwksServer.listen(port, "127.0.0.1", resolve));
    await waitFor(() => authenticator.ready());
    assert.equal((await get(token)).status, 200);

    // The issuer rotates: a token with a new kid triggers one refetch.
    served = jwksOf(second!);
    await sleep(550); // past the refetch cooldown
    const before = fetches;
    assert.equal((await get(await mint(second!, { scope: "read" }))).status, 200);
    assert.equal(fetches, before + 1);

    // Within the cooldown an unknown kid is refused without hammering the JWKS.
    const thirdToken = await mint(third!, { scope: "read" });
    served = jwksOf(third!);
    assert.equal((await get(thirdToken)).status, 401);
    assert.equal(fetches, before + 1);
    await sleep(550);
    assert.equal((await get(thirdToken)).status, 200);
    assert.equal(fetches, before + 2);
  });
});
