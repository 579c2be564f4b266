import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { StaticInventory } from "@openchami/inventory";
import { call, smdNode, startBss, type TestBss } from "../test-support.ts";

const BP = "/boot/v1/bootparameters";

describe("auth (§5): public boot routes, scoped admin routes", () => {
  let bss: TestBss;
  before(async () => {
    bss = await startBss({ auth: true, inventory: new StaticInventory(smdNode("x1c0s0b0n0", { nid: 1 })) });
  });
  after(() => bss.close());

  const as = async (scopes: string[] | undefined, method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = scopes
      ? { authorization: `Bearer ${await bss.token(scopes)}` }
      : {};
    return (await call(bss, method, path, body, headers)).status;
  };

  test("bootscript and /service/* need no token, on both mounts", async () => {
    for (const mount of ["/boot/v1", "/apis/bss/boot/v1"]) {
      assert.equal(await as(undefined, "GET", `${mount}/bootscript?nid=1`), 200);
      for (const path of ["status", "version", "hsm", "storage/status", "status/all"]) {
        assert.equal(await as(undefined, "GET", `${mount}/service/${path}`), 200, path);
      }
    }
  });

  test("everything else needs a token: 401 problem+json with WWW-Authenticate", async () => {
    for (const [method, path] of [
      ["GET", "/boot/v1/"],
      ["GET", BP],
      ["GET", "/apis/bss/boot/v1/dumpstate"],
      ["GET", "/boot/v1/hosts"],
      ["POST", "/boot/v1/hosts"],
      ["GET", "/boot/v1/endpoint-history"],
      ["DELETE", BP],
    ]) {
      const result = await call(bss, method!, path!);
      assert.equal(result.status, 401, `${method} ${path}`);
      assert.equal(result.headers.get("content-type"), "application/problem+json");
      assert.match(result.headers.get("www-authenticate") ?? "", /^Bearer/);
    }
  });

  test("GET needs read, POST/PUT/PATCH write, DELETE admin; bss aliases count, other services' do not", async () => {
    const body = { hosts: ["Default"], kernel: "http://k" };
    assert.equal(await as([], "GET", BP), 403);
    assert.equal(await as(["smd.read"], "GET", BP), 403);
    assert.equal(await as(["read"], "GET", BP), 200);
    assert.equal(await as(["bss:read"], "GET", "/boot/v1/dumpstate"), 200);
    assert.equal(await as(["read"], "POST", BP, body), 403);
    assert.equal(await as(["bss.write"], "POST", BP, body), 201);
    assert.equal(await as(["write"], "PUT", BP, body), 200);
    assert.equal(await as(["write"], "PATCH", BP, { hosts: ["Default"], params: "p" }), 200);
    assert.equal(await as(["write"], "POST", "/boot/v1/hosts"), 204);
    assert.equal(await as(["write"], "DELETE", BP, body), 403);
    assert.equal(await as(["bss.admin"], "DELETE", BP, body), 200);
  });
});
