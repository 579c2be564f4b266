import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { describe, it } from "node:test";
import { silentLogger } from "@openchami/core";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { type IssuerOptions, openTokenIssuer, type TokenIssuer } from "./issuer.ts";
import { fakeClock, tempDataDir } from "./test-helpers.ts";

const HOUR = 3600;

function open(dataDir: string, extra: Partial<IssuerOptions> = {}): Promise<TokenIssuer> {
  return openTokenIssuer({ dataDir, logger: silentLogger(), ...extra });
}

async function verify(issuer: TokenIssuer, token: string, currentDate?: Date) {
  return jwtVerify(token, createLocalJWKSet(issuer.jwks()), currentDate ? { currentDate } : {});
}

function kids(issuer: TokenIssuer): string[] {
  return issuer.jwks().keys.map((key) => key.kid!);
}

describe("openTokenIssuer", () => {
  it("creates the key and client files owner-only on first start", async () => {
    const dataDir = await tempDataDir();
    const issuer = await open(dataDir);
    const dir = join(dataDir, "tokens");
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    for (const name of ["signing-keys.json", "clients.json", "admin-client.json"]) {
      assert.equal((await stat(join(dir, name))).mode & 0o777, 0o600, name);
    }
    assert.equal(issuer.adminClientFile, join(dir, "admin-client.json"));

    const admin = JSON.parse(await readFile(issuer.adminClientFile, "utf8"));
    assert.equal(admin.id, "admin");
    assert.deepEqual(await issuer.authenticateClient("admin", admin.secret), {
      id: "admin",
      scopes: ["admin", "write", "read"],
    });
    assert.ok(!(await readFile(join(dir, "clients.json"), "utf8")).includes(admin.secret));
  });

  it("reuses the key when reopened, quickly", async () => {
    const dataDir = await tempDataDir();
    const first = await open(dataDir);
    const timings: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      const again = await open(dataDir);
      timings.push(performance.now() - start);
      assert.deepEqual(kids(again), kids(first));
    }
    const median = timings.sort((a, b) => a - b)[2]!;
    assert.ok(median < 50, `reopening took ${median.toFixed(1)} ms`);
  });

  it("gives two processes starting on an empty directory the same key and admin client", async () => {
    const dataDir = await tempDataDir();
    const [a, b] = await Promise.all([open(dataDir), open(dataDir)]);
    assert.deepEqual(kids(a), kids(b));
    const admin = JSON.parse(await readFile(a.adminClientFile, "utf8"));
    assert.ok(await b.authenticateClient("admin", admin.secret));
  });

  it("rejects a bad maxTtlSeconds", async () => {
    await assert.rejects(open(await tempDataDir(), { maxTtlSeconds: 0 }), /maxTtlSeconds/);
  });
});

describe("mint", () => {
  it("signs an RS256 JWT with every claim, verifiable against the JWKS", async () => {
    const issuer = await open(await tempDataDir(), { issuer: "https://head.example", audience: ["smd"] });
    const before = Math.floor(Date.now() / 1000);
    const token = await issuer.mint({ subject: "alice", scopes: ["read", "smd.write"], ttlSeconds: HOUR });

    const { payload, protectedHeader } = await verify(issuer, token);
    assert.equal(protectedHeader.alg, "RS256");
    assert.equal(protectedHeader.kid, kids(issuer)[0]);
    assert.equal(payload.iss, "https://head.example");
    assert.equal(payload.sub, "alice");
    assert.deepEqual(payload.aud, ["smd"]);
    assert.ok(payload.iat! >= before && payload.iat! <= before + 5);
    assert.equal(payload.nbf, payload.iat);
    assert.equal(payload.exp, payload.iat! + HOUR);
    assert.match(payload.jti!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(payload.scope, ["read", "smd.write"]);
  });

  it("uses the default issuer and audience, or the audience asked for", async () => {
    const issuer = await open(await tempDataDir());
    const plain = await verify(issuer, await issuer.mint({ subject: "s", scopes: [], ttlSeconds: 60 }));
    assert.equal(plain.payload.iss, "openchami");
    assert.deepEqual(plain.payload.aud, ["openchami", "smd", "bss", "cloud-init"]);
    const aimed = await issuer.mint({ subject: "s", scopes: ["read"], ttlSeconds: 60, audience: ["bss"] });
    assert.deepEqual((await verify(issuer, aimed)).payload.aud, ["bss"]);
  });

  it("rejects a ttl beyond the maximum, or not a positive whole number", async () => {
    const issuer = await open(await tempDataDir(), { maxTtlSeconds: HOUR });
    assert.ok(await issuer.mint({ subject: "s", scopes: ["read"], ttlSeconds: HOUR }));
    for (const ttlSeconds of [HOUR + 1, 0, -1, 1.5]) {
      await assert.rejects(issuer.mint({ subject: "s", scopes: ["read"], ttlSeconds }), /ttl/);
    }
  });

  it("rejects an empty subject and scopes with spaces", async () => {
    const issuer = await open(await tempDataDir());
    await assert.rejects(issuer.mint({ subject: "", scopes: ["read"], ttlSeconds: 60 }), /subject/);
    await assert.rejects(issuer.mint({ subject: "s", scopes: ["read write"], ttlSeconds: 60 }), /scope/);
  });
});

describe("rotate", () => {
  it("signs with the new key and keeps the old one published", async () => {
    const issuer = await open(await tempDataDir());
    const [oldKid] = kids(issuer);
    const oldToken = await issuer.mint({ subject: "s", scopes: ["read"], ttlSeconds: 60 });

    const { kid } = await issuer.rotate();
    assert.notEqual(kid, oldKid);
    assert.deepEqual(kids(issuer).sort(), [oldKid, kid].sort());
    const newToken = await issuer.mint({ subject: "s", scopes: ["read"], ttlSeconds: 60 });
    assert.equal(decodeProtectedHeader(newToken).kid, kid);
    await verify(issuer, oldToken);
    await verify(issuer, newToken);
  });

  it("drops a retired key once maxTtl has passed", async () => {
    const clock = fakeClock();
    const dataDir = await tempDataDir();
    const issuer = await open(dataDir, { maxTtlSeconds: 60, clock: clock.now });
    const [first] = kids(issuer);
    const { kid: second } = await issuer.rotate();

    clock.advance(59_000);
    assert.deepEqual(kids(issuer).sort(), [first, second].sort());
    clock.advance(1_000);
    assert.deepEqual(kids(issuer), [second]);

    const { kid: third } = await issuer.rotate(); // prunes the expired key from the file
    const file = JSON.parse(await readFile(join(dataDir, "tokens", "signing-keys.json"), "utf8"));
    assert.deepEqual(file.keys.map((key: { kid: string }) => key.kid).sort(), [second, third].sort());
  });

  it("is seen by another issuer on the same directory", async () => {
    const clock = fakeClock();
    const dataDir = await tempDataDir();
    const server = await open(dataDir, { clock: clock.now });
    const cli = await open(dataDir, { clock: clock.now });
    const { kid } = await cli.rotate();

    // Minting checks the file every time, so the server never signs with a retired key...
    const token = await server.mint({ subject: "s", scopes: ["read"], ttlSeconds: 60 });
    assert.equal(decodeProtectedHeader(token).kid, kid);
    // ...and its JWKS, checked at most once a second, publishes the new key.
    clock.advance(1_000);
    assert.ok(kids(server).includes(kid));
    await verify(server, token, new Date(clock.now()));
  });
});

describe("clients", () => {
  it("authenticates a created client and refuses a wrong secret or an unknown id", async () => {
    const issuer = await open(await tempDataDir());
    const { id, secret } = await issuer.createClient("boot-svc", ["read", "read", "bss.write"]);
    assert.equal(id, "boot-svc");
    assert.deepEqual(await issuer.authenticateClient(id, secret), { id, scopes: ["read", "bss.write"] });
    assert.equal(await issuer.authenticateClient(id, `${secret}x`), undefined);
    assert.equal(await issuer.authenticateClient("nobody", secret), undefined);
  });

  it("refuses duplicate ids, bad ids and bad scopes", async () => {
    const issuer = await open(await tempDataDir());
    await assert.rejects(issuer.createClient("admin", ["read"]), /already exists/);
    await assert.rejects(issuer.createClient("bad id", ["read"]), /client id/);
    await assert.rejects(issuer.createClient("ok", []), /scopes/);
    await assert.rejects(issuer.createClient("ok", ["a b"]), /scopes/);
  });

  it("sees a client created by another issuer on the same directory", async () => {
    const dataDir = await tempDataDir();
    const server = await open(dataDir);
    const cli = await open(dataDir);
    const { secret } = await cli.createClient("magellan", ["write"]);
    assert.deepEqual(await server.authenticateClient("magellan", secret), {
      id: "magellan",
      scopes: ["write"],
    });
  });
});
