import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call, startCloudInit, type TestCloudInit } from "../test-support.ts";

const P = "/cloud-init";

describe("admin routes (§2.3)", () => {
  let ci: TestCloudInit;
  before(async () => {
    ci = await startCloudInit();
  });
  after(() => ci.close());

  test("cluster defaults: every key, merge of non-empty fields, base-url trimmed, 400 on bad JSON", async () => {
    const empty = await call(ci, "GET", `${P}/admin/cluster-defaults`);
    assert.equal(empty.status, 200);
    assert.equal(empty.headers["content-type"], "application/json");
    assert.deepEqual(empty.json(), {
      cloud_provider: "",
      region: "",
      "availability-zone": "",
      "cluster-name": "",
      "public-keys": [],
      "base-url": "",
      "boot-subnet": "",
      "wg-subnet": "",
      "short-name": "",
      "nid-length": 0,
    });
    // A bare curl -d: form content type, JSON body.
    const posted = await call(
      ci,
      "POST",
      `${P}/admin/cluster-defaults`,
      '{"cluster-name":"demo","region":"r1"}',
      {
        headers: { "content-type": "application/x-www-form-urlencoded" },
      },
    );
    assert.equal(posted.status, 201);
    assert.equal(posted.text, "");
    await call(ci, "POST", `${P}/admin/cluster-defaults`, {
      "Cluster-Name": "",
      "cloud-provider": "aws",
      "base-url": "http://h/ci/",
    });
    const merged = (await call(ci, "GET", `${P}/admin/cluster-defaults`)).json();
    assert.equal(merged["cluster-name"], "demo");
    assert.equal(merged.region, "r1");
    assert.equal(merged.cloud_provider, "aws");
    assert.equal(merged["base-url"], "http://h/ci");

    const bad = await call(ci, "POST", `${P}/admin/cluster-defaults`, "{nope");
    assert.equal(bad.status, 400);
    assert.equal(bad.headers["content-type"], "text/plain; charset=utf-8");
    assert.ok(bad.text.endsWith("\n"));
    const wrongType = await call(ci, "POST", `${P}/admin/cluster-defaults`, {
      region: "x",
      "nid-length": "3",
    });
    assert.equal(wrongType.status, 400);
    assert.equal(
      (await call(ci, "GET", `${P}/admin/cluster-defaults`)).json().region,
      "r1",
      "nothing stored",
    );
  });

  test("groups: create, 409, get, 404, list, upsert under the path name, delete idempotent", async () => {
    const group = {
      name: "compute",
      description: "compute config",
      data: { syslog: "172.16.0.254" },
      file: { content: "#cloud-config\n", filename: "compute.yaml" },
    };
    const created = await call(ci, "POST", `${P}/admin/groups`, group);
    assert.equal(created.status, 201);
    assert.equal(created.text, "");
    assert.equal(created.headers.location, "/groups/compute");
    const again = await call(ci, "POST", `${P}/admin/groups`, group);
    assert.equal(again.status, 409);
    assert.equal(again.text, "group 'compute' not added as it already exists\n");

    const got = await call(ci, "GET", `${P}/admin/groups/compute`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.json(), {
      name: "compute",
      description: "compute config",
      "meta-data": { syslog: "172.16.0.254" },
      file: { content: "#cloud-config\n", filename: "compute.yaml", encoding: "plain" },
      versions: {},
    });
    const missing = await call(ci, "GET", `${P}/admin/groups/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.text, "group (nope) not found in memstore\n");

    const put = await call(ci, "PUT", `${P}/admin/groups/slurm`, {
      name: "other",
      file: { encoding: "base64", content: "I2Nsb3VkLWNvbmZpZwo=" },
      priority: 5,
    });
    assert.equal(put.status, 201);
    assert.equal(put.headers.location, "/groups/slurm");
    const list = (await call(ci, "GET", `${P}/admin/groups`)).json();
    assert.deepEqual(Object.keys(list), ["compute", "slurm"]);
    assert.equal(list.slurm.name, "slurm");
    assert.equal(list.slurm.file.content, "I2Nsb3VkLWNvbmZpZwo=", "content round-trips as written");
    assert.equal(list.slurm.priority, 5);

    assert.equal((await call(ci, "DELETE", `${P}/admin/groups/slurm`)).status, 200);
    const gone = await call(ci, "DELETE", `${P}/admin/groups/slurm`);
    assert.equal(gone.status, 200);
    assert.equal(gone.text, "");
    assert.equal((await call(ci, "GET", `${P}/admin/groups/slurm`)).status, 404);
  });

  test("groups: 422 for no name, bad JSON and bad base64, with nothing stored", async () => {
    const noName = await call(ci, "POST", `${P}/admin/groups`, { description: "x" });
    assert.equal(noName.status, 422);
    assert.equal(noName.text, "name is required\n");
    const badJson = await call(ci, "POST", `${P}/admin/groups`, "{");
    assert.equal(badJson.status, 422);
    const badB64 = await call(ci, "PUT", `${P}/admin/groups/b`, {
      file: { encoding: "base64", content: "not base64!" },
    });
    assert.equal(badB64.status, 422);
    assert.equal(badB64.text, "invalid base64 content\n");
    assert.equal((await call(ci, "GET", `${P}/admin/groups/b`)).status, 404);
  });

  test("instance info: PUT replaces, the instance ID is kept; GET and idempotent DELETE", async () => {
    const id = "x3000c0s1b0n0";
    assert.equal((await call(ci, "GET", `${P}/admin/instance-info/${id}`)).status, 404);
    assert.equal(
      (await call(ci, "GET", `${P}/admin/instance-info/${id}`)).text,
      `instance info (${id}) not found\n`,
    );
    const put = await call(ci, "PUT", `${P}/admin/instance-info/${id}`, {
      "instance-id": "i-0000abcd",
      local_hostname: "login1",
    });
    assert.equal(put.status, 201);
    assert.equal(put.text, "");
    let got = (await call(ci, "GET", `${P}/admin/instance-info/${id}`)).json();
    assert.equal(got["instance-id"], "i-0000abcd");
    assert.equal(got["local-hostname"], "login1");
    assert.equal(got.id, id);

    await call(ci, "PUT", `${P}/admin/instance-info/${id}`, { "instance-id": "i-ffffffff", hostname: "h" });
    got = (await call(ci, "GET", `${P}/admin/instance-info/${id}`)).json();
    assert.equal(got["instance-id"], "i-0000abcd", "an existing ID is never changed");
    assert.equal(got["local-hostname"], "", "PUT replaces the overrides");
    assert.equal(got.hostname, "h");

    const taken = await call(ci, "PUT", `${P}/admin/instance-info/x3000c0s1b0n1`, {
      "instance-id": "i-0000abcd",
    });
    assert.equal(taken.status, 409);
    assert.equal(
      (await call(ci, "GET", `${P}/admin/instance-info/x3000c0s1b0n1`)).status,
      404,
      "nothing stored",
    );
    const badId = await call(ci, "PUT", `${P}/admin/instance-info/x3000c0s1b0n1`, { "instance-id": "abc" });
    assert.equal(badId.status, 400);

    assert.equal((await call(ci, "DELETE", `${P}/admin/instance-info/${id}`)).status, 200);
    assert.equal((await call(ci, "DELETE", `${P}/admin/instance-info/${id}`)).status, 200);
    got = (await call(ci, "GET", `${P}/admin/instance-info/${id}`)).json();
    assert.equal(got["instance-id"], "i-0000abcd", "the ID survives DELETE");
    assert.equal(got.hostname, "");
  });

  test("impersonation is not mounted without its flag", async () => {
    assert.equal((await call(ci, "GET", `${P}/admin/impersonation/x1/meta-data`)).status, 404);
  });
});

describe("admin auth (§6)", () => {
  let ci: TestCloudInit;
  before(async () => {
    ci = await startCloudInit({ auth: true });
  });
  after(() => ci.close());

  test("GET needs read, POST/PUT write, DELETE admin; node and service routes stay public", async () => {
    const none = await call(ci, "GET", `${P}/admin/groups`);
    assert.equal(none.status, 401);
    assert.match(String(none.headers["content-type"]), /application\/problem\+json/);
    assert.ok(none.headers["www-authenticate"]);
    const read = { authorization: `Bearer ${await ci.token(["cloud-init.read"])}` };
    const write = { authorization: `Bearer ${await ci.token(["cloud-init:write"])}` };
    const admin = { authorization: `Bearer ${await ci.token(["admin"])}` };
    const other = { authorization: `Bearer ${await ci.token(["smd.admin"])}` };
    assert.equal((await call(ci, "GET", `${P}/admin/groups`, undefined, { headers: read })).status, 200);
    assert.equal((await call(ci, "GET", `${P}/admin/groups`, undefined, { headers: other })).status, 403);
    assert.equal((await call(ci, "POST", `${P}/admin/groups`, { name: "g" }, { headers: read })).status, 403);
    assert.equal(
      (await call(ci, "POST", `${P}/admin/groups`, { name: "g" }, { headers: write })).status,
      201,
    );
    assert.equal(
      (await call(ci, "DELETE", `${P}/admin/groups/g`, undefined, { headers: write })).status,
      403,
    );
    assert.equal(
      (await call(ci, "DELETE", `${P}/admin/groups/g`, undefined, { headers: admin })).status,
      200,
    );
    assert.equal((await call(ci, "GET", `${P}/user-data`)).status, 200);
    assert.equal((await call(ci, "GET", `${P}/version`)).status, 200);
    assert.equal((await call(ci, "GET", `${P}/health`)).status, 200);
    assert.equal((await call(ci, "GET", `${P}/openapi.json`)).status, 200);
  });
});
