import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  runCli,
  type ServeProcess,
  skipWithoutPostgres,
  startPostgres,
  startServeProcess,
} from "@openchami/testkit";
import { decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, SignJWT } from "jose";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "openchami-launcher-"));
}

async function mint(dataDir: string, ...args: string[]): Promise<string> {
  const result = await runCli(["token", "--data-dir", dataDir, ...args]);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.split("\n").filter(Boolean);
  assert.equal(lines.length, 1, "`openchami token` prints only the token");
  return lines[0]!;
}

function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

async function assertProblem(response: Response, status: number): Promise<Record<string, unknown>> {
  assert.equal(response.status, status);
  assert.match(response.headers.get("content-type") ?? "", /^application\/problem\+json/);
  const text = await response.text();
  assert.doesNotMatch(text, /node_modules|\n\s+at /, "no stack trace in a response");
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.equal(body.status, status);
  assert.equal(body.type, "about:blank");
  return body;
}

describe("openchami serve on the embedded database", () => {
  const dataDir = tempDir();
  let server: ServeProcess;
  let admin: string;

  before(async () => {
    server = await startServeProcess(["--data-dir", dataDir]);
    admin = await mint(dataDir, "--scope", "admin");
  });
  after(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("GET /hsm/v2/service/ready answers 200 HSM is healthy", async () => {
    const response = await fetch(`${server.url}/hsm/v2/service/ready`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '{"code":0,"message":"HSM is healthy"}');
  });

  test("the JWKS lists the signing key of minted tokens, public parts only", async () => {
    const response = await fetch(`${server.url}/.well-known/jwks.json`);
    assert.equal(response.status, 200);
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    const { kid } = decodeProtectedHeader(admin);
    assert.ok(keys.some((k) => k.kid === kid));
    for (const key of keys) assert.equal(key.d, undefined, "no private key material");
  });

  test("key and client files are private to the owner", () => {
    for (const file of ["signing-keys.json", "clients.json", "admin-client.json"]) {
      assert.equal(statSync(join(dataDir, "tokens", file)).mode & 0o777, 0o600, file);
    }
  });

  test("a protected route: 401 without a token, 200 with read", async () => {
    const anonymous = await fetch(`${server.url}/hsm/v2/Defaults/NodeMaps`);
    await assertProblem(anonymous, 401);
    assert.match(anonymous.headers.get("www-authenticate") ?? "", /^Bearer/);

    const read = await mint(dataDir, "--scope", "read");
    const listed = await fetch(`${server.url}/hsm/v2/Defaults/NodeMaps`, { headers: bearer(read) });
    assert.equal(listed.status, 200);
    assert.deepEqual(await listed.json(), { NodeMaps: [] });
  });

  test("DELETE: 403 with read or write, 200 with admin", async () => {
    const created = await fetch(`${server.url}/hsm/v2/Defaults/NodeMaps`, {
      method: "POST",
      headers: { ...bearer(admin), "content-type": "application/json" },
      body: JSON.stringify({ NodeMaps: [{ ID: "x0c0s0b0n0", NID: 1, Role: "compute" }] }),
    });
    assert.equal(created.status, 200);

    for (const scope of ["read", "operator"]) {
      const token = await mint(dataDir, "--scope", scope);
      const forbidden = await fetch(`${server.url}/hsm/v2/Defaults/NodeMaps`, {
        method: "DELETE",
        headers: bearer(token),
      });
      await assertProblem(forbidden, 403);
    }
    const removed = await fetch(`${server.url}/hsm/v2/Defaults/NodeMaps`, {
      method: "DELETE",
      headers: bearer(admin),
    });
    assert.equal(removed.status, 200);
    assert.deepEqual(await removed.json(), { code: 0, message: "deleted 1 entry" });
  });

  test("rejects tokens signed by another key, expired tokens and alg none", async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    const foreignJwk = await exportJWK(publicKey);
    const claims = { scope: ["admin", "write", "read"] };
    const foreign = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: foreignJwk.kid ?? "foreign" })
      .setIssuer("openchami")
      .setSubject("mallory")
      .setAudience("smd")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(privateKey);
    // Expired an hour ago, well beyond any clock tolerance, yet signed by the server's own key.
    const { keys } = JSON.parse(readFileSync(join(dataDir, "tokens", "signing-keys.json"), "utf8")) as {
      keys: { kid: string; retiredAt: string | null; jwk: Record<string, string> }[];
    };
    const active = keys.find((k) => k.retiredAt === null)!;
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT(claims)
      .setProtectedHeader({ alg: "RS256", kid: active.kid })
      .setIssuer("openchami")
      .setSubject("admin")
      .setAudience("smd")
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(await importJWK(active.jwk, "RS256"));
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const payload = Buffer.from(
      JSON.stringify({
        iss: "openchami",
        sub: "mallory",
        aud: ["smd"],
        exp: Math.floor(Date.now() / 1000) + 3600,
        ...claims,
      }),
    ).toString("base64url");
    const algNone = `${header}.${payload}.`;
    // A valid token's signature on a tampered payload.
    const [h, , s] = admin.split(".");
    const tampered = `${h}.${payload}.${s}`;

    for (const [label, token] of Object.entries({ foreign, expired, algNone, tampered })) {
      const response = await fetch(`${server.url}/hsm/v2/Defaults/NodeMaps`, { headers: bearer(token) });
      await assertProblem(response, 401);
      assert.ok(response.headers.get("www-authenticate"), label);
    }
  });

  test("bad input: non-JSON body 400, unknown route 404, wrong method 405 with Allow", async () => {
    const notJson = await fetch(`${server.url}/hsm/v2/Defaults/NodeMaps`, {
      method: "POST",
      headers: { ...bearer(admin), "content-type": "application/json" },
      body: "{not json",
    });
    const problem = await assertProblem(notJson, 400);
    assert.match(String(problem.detail), /^error decoding JSON /);

    const unknown = await fetch(`${server.url}/hsm/v2/NoSuchThing`);
    assert.equal(unknown.status, 404);
    assert.equal(await unknown.text(), "404 page not found\n");

    const wrongMethod = await fetch(`${server.url}/hsm/v2/service/ready`, {
      method: "POST",
      headers: bearer(admin),
    });
    const body = await assertProblem(wrongMethod, 405);
    assert.equal(body.detail, "allow GET");
    assert.equal(wrongMethod.headers.get("allow"), "GET");
  });

  test("SIGTERM closes cleanly; a restart reuses the data dir and its keys", async () => {
    const stopped = await server.stop("SIGTERM");
    assert.equal(stopped.code, 0, "graceful exit, not the deadline's");
    server = await startServeProcess(["--data-dir", dataDir]);
    const response = await fetch(`${server.url}/hsm/v2/Defaults/NodeMaps`, { headers: bearer(admin) });
    assert.equal(response.status, 200, "a token minted before the restart is still valid");
  });
});

describe("openchami up", () => {
  test("prints where everything is and writes a working admin token (0600)", async () => {
    const dataDir = tempDir();
    const bin = new URL("../bin/openchami.js", import.meta.url).pathname;
    const child = spawn(process.execPath, [
      bin,
      "up",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--data-dir",
      dataDir,
    ]);
    try {
      let banner = "";
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk) => {
          banner += chunk;
          if (banner.includes("Stop: Ctrl-C")) resolve();
        });
        child.once("exit", (code) => reject(new Error(`openchami up exited with ${code}`)));
      });
      const smdUrl = /SMD\s+(http:\/\/127\.0\.0\.1:\d+\/hsm\/v2)/.exec(banner)?.[1];
      assert.ok(smdUrl, banner);
      assert.match(banner, /JWKS\s+http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json/);
      const tokenFile = join(dataDir, "admin.token");
      assert.ok(banner.includes(`export DEMO_ACCESS_TOKEN=$(cat ${tokenFile})`));
      assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
      const token = readFileSync(tokenFile, "utf8").trim();
      const listed = await fetch(`${smdUrl}/Defaults/NodeMaps`, { headers: bearer(token) });
      assert.equal(listed.status, 200);
    } finally {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("openchami token rotate", () => {
  test("new tokens use the new key; tokens of the old key stay valid", async () => {
    const dataDir = tempDir();
    const server = await startServeProcess(["--data-dir", dataDir]);
    try {
      const before = await mint(dataDir, "--scope", "read");
      const rotated = await runCli(["token", "rotate", "--data-dir", dataDir]);
      assert.equal(rotated.code, 0, rotated.stderr);
      const kid = /^new signing key (\S+)\n$/.exec(rotated.stdout)?.[1];
      assert.ok(kid, rotated.stdout);
      const after = await mint(dataDir, "--scope", "read");
      assert.equal(decodeProtectedHeader(after).kid, kid);
      assert.notEqual(decodeProtectedHeader(before).kid, kid);
      for (const token of [before, after]) {
        const response = await fetch(`${server.url}/hsm/v2/Defaults/NodeMaps`, { headers: bearer(token) });
        assert.equal(response.status, 200);
      }
      const { keys } = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as {
        keys: { kid: string }[];
      };
      assert.deepEqual(keys.map((k) => k.kid).sort(), [decodeProtectedHeader(before).kid, kid].sort());
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("openchami migrate", () => {
  test("applies migrations once, then reports the database up to date", async () => {
    const dataDir = tempDir();
    try {
      const first = await runCli(["migrate", "--data-dir", dataDir]);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^applied smd\/0001_discovery_status\.sql/);
      const second = await runCli(["migrate", "--data-dir", dataDir]);
      assert.equal(second.stdout, "database is up to date\n");
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("openchami on bad configuration", () => {
  test("an unknown service is a one-line error, exit 1", async () => {
    const result = await runCli(["serve", "--only", "smd,nosuch", "--data-dir", tempDir()]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      "openchami: --only: unknown service nosuch (available: smd, bss, cloud-init, tokens)\n",
    );
  });
});

describe("openchami serve --database-url (PostgreSQL)", { skip: skipWithoutPostgres }, () => {
  let pg: Awaited<ReturnType<typeof startPostgres>>;
  const servers: ServeProcess[] = [];
  const dataDir = tempDir();

  before(async () => {
    pg = await startPostgres();
    // Two replicas on one database, sharing the data dir's signing keys.
    servers.push(await startServeProcess(["--data-dir", dataDir, "--database-url", pg.url]));
    servers.push(await startServeProcess(["--data-dir", dataDir, "--database-url", pg.url]));
  });
  after(async () => {
    for (const server of servers) await server.stop();
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("both replicas are ready and see each other's writes", async () => {
    const admin = await mint(dataDir, "--scope", "admin");
    for (const server of servers) {
      const ready = await fetch(`${server.url}/hsm/v2/service/ready`);
      assert.equal(await ready.text(), '{"code":0,"message":"HSM is healthy"}');
    }
    const put = await fetch(`${servers[0]!.url}/hsm/v2/Defaults/NodeMaps/x1c0s0b0n0`, {
      method: "PUT",
      headers: { ...bearer(admin), "content-type": "application/json" },
      body: JSON.stringify({ nid: 7 }),
    });
    assert.equal(put.status, 200);
    const got = await fetch(`${servers[1]!.url}/hsm/v2/Defaults/NodeMaps/x1c0s0b0n0`, {
      headers: bearer(admin),
    });
    assert.deepEqual(await got.json(), { ID: "x1c0s0b0n0", NID: 7 });
  });
});
