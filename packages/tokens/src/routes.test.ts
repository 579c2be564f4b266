import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import Fastify from "fastify";
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, type JWK, jwtVerify } from "jose";
import { openTokenIssuer, type TokenIssuer } from "./issuer.ts";
import { tokenRoutes } from "./routes.ts";
import { capturingLogger, tempDataDir } from "./test-helpers.ts";

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const JSON_BODY = { "content-type": "application/json" };

/** The token endpoint's answer: a token, or an RFC 6749 §5.2 error. */
interface TokenAnswer {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
  scope?: string;
  error?: string;
  error_description?: string;
}

function basic(id: string, secret: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}` };
}

describe("tokenRoutes over HTTP", () => {
  const logs = capturingLogger();
  const secrets: string[] = [];
  const tokens: string[] = [];
  let issuer: TokenIssuer;
  let admin: { id: string; secret: string };
  let viewer: { id: string; secret: string };
  let base: string;
  const app = Fastify({ loggerInstance: logs.logger });
  after(() => app.close());

  async function post(path: string, headers: Record<string, string>, body?: string) {
    const res = await fetch(`${base}${path}`, { method: "POST", headers, body: body ?? null });
    const json = (await res.json()) as TokenAnswer;
    if (typeof json.access_token === "string") tokens.push(json.access_token);
    return { res, json };
  }

  before(async () => {
    issuer = await openTokenIssuer({ dataDir: await tempDataDir(), logger: logs.logger });
    admin = JSON.parse(await readFile(issuer.adminClientFile, "utf8"));
    viewer = await issuer.createClient("viewer", ["read"]);
    secrets.push(admin.secret, viewer.secret);
    await app.register(tokenRoutes(issuer));
    base = await app.listen({ host: "127.0.0.1", port: 0 });
  });

  it("serves the public JWKS", async () => {
    const res = await fetch(`${base}/.well-known/jwks.json`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "public, max-age=60");
    const { keys } = (await res.json()) as JSONWebKeySet;
    assert.equal(keys.length, 1);
    const [key] = keys as [JWK];
    assert.deepEqual(Object.keys(key).sort(), ["alg", "e", "kid", "kty", "n", "use"]);
    assert.equal(key.alg, "RS256");
    assert.equal(key.use, "sig");
    assert.equal(key.kid, issuer.jwks().keys[0]!.kid);
  });

  it("issues a token for a form with HTTP Basic client authentication", async () => {
    const { res, json } = await post(
      "/token",
      { ...FORM, ...basic(admin.id, admin.secret) },
      "grant_type=client_credentials",
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store");
    assert.deepEqual(Object.keys(json).sort(), ["access_token", "expires_in", "scope", "token_type"]);
    assert.equal(json.token_type, "Bearer");
    assert.equal(json.expires_in, 3600);
    assert.equal(json.scope, "admin write read");

    const { payload } = await jwtVerify(json.access_token!, createLocalJWKSet(issuer.jwks()));
    assert.equal(payload.sub, "admin");
    assert.deepEqual(payload.scope, ["admin", "write", "read"]);
    assert.equal(payload.exp! - payload.iat!, 3600);
  });

  it("issues a token for a JSON body with client_id and client_secret", async () => {
    const body = JSON.stringify({
      grant_type: "client_credentials",
      client_id: viewer.id,
      client_secret: viewer.secret,
    });
    const { res, json } = await post("/oauth2/token", JSON_BODY, body);
    assert.equal(res.status, 200);
    assert.equal(json.scope, "read");
    assert.equal(decodeProtectedHeader(json.access_token!).kid, issuer.jwks().keys[0]!.kid);
  });

  it("honours a requested subset, with upstream's openid and service aliases", async () => {
    const body = new URLSearchParams({ grant_type: "client_credentials", scope: "openid smd.read" });
    const { res, json } = await post("/token", { ...FORM, ...basic(viewer.id, viewer.secret) }, String(body));
    assert.equal(res.status, 200);
    assert.equal(json.scope, "smd.read");
    const { payload } = await jwtVerify(json.access_token!, createLocalJWKSet(issuer.jwks()));
    assert.deepEqual(payload.scope, ["smd.read"]);
  });

  it("answers invalid_client with 401 and a Basic challenge, alike for a wrong secret and an unknown client", async () => {
    for (const headers of [basic(admin.id, `${admin.secret}x`), basic("nobody", admin.secret), {}]) {
      const { res, json } = await post("/token", { ...FORM, ...headers }, "grant_type=client_credentials");
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("www-authenticate"), 'Basic realm="openchami"');
      assert.deepEqual(json, { error: "invalid_client", error_description: "client authentication failed" });
    }
  });

  it("answers unsupported_grant_type for other grants", async () => {
    const { res, json } = await post(
      "/token",
      { ...FORM, ...basic(admin.id, admin.secret) },
      "grant_type=password",
    );
    assert.equal(res.status, 400);
    assert.equal(json.error, "unsupported_grant_type");
  });

  it("answers invalid_scope for a scope the client lacks", async () => {
    const body = "grant_type=client_credentials&scope=read+write";
    const { res, json } = await post("/token", { ...FORM, ...basic(viewer.id, viewer.secret) }, body);
    assert.equal(res.status, 400);
    assert.deepEqual(json, {
      error: "invalid_scope",
      error_description: "scope not allowed for this client: write",
    });
  });

  it("answers invalid_request for malformed requests", async () => {
    const auth = basic(admin.id, admin.secret);
    const cases: [Record<string, string>, string][] = [
      [{ ...FORM, ...auth }, ""], // no grant_type
      [{ ...FORM, ...auth }, "grant_type=client_credentials&grant_type=client_credentials"],
      [{ ...FORM, ...auth }, `grant_type=client_credentials&client_secret=${admin.secret}`], // two methods
      [{ ...JSON_BODY, ...auth }, '{"grant_type": "client_credentials"'],
      [{ ...JSON_BODY, ...auth }, '{"grant_type": ["client_credentials"]}'],
      [{ "content-type": "text/plain", ...auth }, "grant_type=client_credentials"],
    ];
    for (const [headers, body] of cases) {
      const { res, json } = await post("/token", headers, body);
      assert.equal(res.status, 400, body);
      assert.equal(json.error, "invalid_request", body);
    }
  });

  it("logs no secret and no token", () => {
    const output = logs.output();
    assert.match(output, /bad client credentials/);
    assert.match(output, /minted a token/);
    assert.ok(tokens.length >= 3);
    for (const value of [...secrets, ...tokens]) assert.ok(!output.includes(value));
  });
});
