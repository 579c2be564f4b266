import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { call, startBss, type TestBss } from "../test-support.ts";

const BP = "/boot/v1/bootparameters";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CLOUD_INIT = {
  "meta-data": null,
  "user-data": null,
  "phone-home": {
    pub_key_dsa: "",
    pub_key_rsa: "",
    pub_key_ecdsa: "",
    instance_id: "",
    hostname: "",
    fqdn: "",
  },
};

describe("/bootparameters", () => {
  let bss: TestBss;
  before(async () => {
    bss = await startBss();
  });
  after(() => bss.close());
  beforeEach(async () => {
    // Through the API, so the index empties too; then whatever a test wrote behind BSS's back.
    for (const entry of (await call(bss, "GET", BP)).json() ?? []) await call(bss, "DELETE", BP, entry);
    await bss.db.kysely.deleteFrom("bss_boot_configs").execute();
  });

  const get = async (query = "") => (await call(bss, "GET", `${BP}${query}`)).json();
  const detail = (result: { json: () => { detail: string } }) => result.json().detail;

  test("POST: 201, empty body, a fresh referral token; GET all lists it with the default cloud-init", async () => {
    const posted = await call(bss, "POST", BP, {
      hosts: ["x1c0s0b0n0"],
      macs: ["AA:BB:CC:DD:EE:01"],
      nids: [7],
      kernel: "http://k/vmlinuz",
      initrd: "http://k/initrd",
      params: "console=ttyS0",
    });
    assert.equal(posted.status, 201, posted.text);
    assert.equal(posted.text, "");
    assert.equal(posted.headers.get("content-type"), "application/json; charset=UTF-8");
    assert.match(posted.headers.get("bss-referral-token") ?? "", UUID);
    assert.deepEqual(await get(), [
      {
        hosts: ["x1c0s0b0n0"],
        macs: ["aa:bb:cc:dd:ee:01"],
        nids: [7],
        params: "console=ttyS0",
        kernel: "http://k/vmlinuz",
        initrd: "http://k/initrd",
        "cloud-init": CLOUD_INIT,
      },
    ]);
  });

  test("GET all with nothing stored is null; both mounts and trailing slashes serve the same", async () => {
    const empty = await call(bss, "GET", BP);
    assert.equal(empty.text, "null\n");
    assert.equal(empty.headers.get("content-type"), "application/json; charset=UTF-8");
    await call(bss, "POST", "/apis/bss/boot/v1/bootparameters/", { hosts: ["Default"], kernel: "http://k" });
    assert.deepEqual(
      (await get()).map((bp: { hosts: string[] }) => bp.hosts),
      [["Default"]],
    );
  });

  test("POST is atomic: an existing key is a 400 naming it, and nothing is written", async () => {
    await call(bss, "POST", BP, { macs: ["aa:bb:cc:dd:ee:01"], kernel: "http://k" });
    const again = await call(bss, "POST", BP, {
      macs: ["aa:bb:cc:dd:ee:02", "AA:BB:CC:DD:EE:01"],
      kernel: "http://k2",
    });
    assert.equal(again.status, 400);
    assert.equal(detail(again), "Bad Request: Already exists: aa:bb:cc:dd:ee:01");
    assert.equal(again.headers.get("bss-referral-token"), null);
    assert.deepEqual(
      (await get()).map((bp: { macs: string[] }) => bp.macs),
      [["aa:bb:cc:dd:ee:01"]],
    );
  });

  test("POST and PUT accept tags: Default, Global (no kernel needed), Roles, Unknown-<arch> (deviation)", async () => {
    for (const [method, hosts] of [
      ["POST", ["default"]],
      ["POST", ["COMPUTE"]],
      ["PUT", ["Unknown-x86_64"]],
      ["PUT", ["storage"]],
    ] as const) {
      const result = await call(bss, method, BP, { hosts, kernel: "http://k", params: hosts[0] });
      assert.ok(result.status < 300, `${method} ${hosts}: ${result.text}`);
    }
    assert.equal((await call(bss, "POST", BP, { hosts: ["Global"], params: "site=a" })).status, 201);
    const hosts = (await get()).flatMap((bp: { hosts: string[] }) => bp.hosts).sort();
    assert.deepEqual(hosts, ["Compute", "Default", "Global", "Storage", "Unknown-x86_64"]);
  });

  test("validation errors (§2.3, §2.4)", async () => {
    const cases: [unknown, string][] = [
      [{ hosts: ["invalid-xname"], kernel: "k" }, "Bad Request: invalid xname: invalid-xname"],
      [{ hosts: ["x1c0s0b0"], kernel: "k" }, "Bad Request: invalid xname type: NodeBMC"],
      [
        { macs: ["aa:bb:cc:dd:ee"], kernel: "k" },
        "Bad Request: invalid MAC address format: aa:bb:cc:dd:ee\n",
      ],
      [{ hosts: ["x1c0s0b0n0"] }, "Bad Request: kernel URI cannot be blank"],
      [{ params: "p" }, "Nothing to Store"],
      [{ nids: [1.5], kernel: "k" }, "Bad Request: /nids/0 must be integer"],
    ];
    for (const [body, expected] of cases) {
      for (const method of ["POST", "PUT"]) {
        const result = await call(bss, method, BP, body);
        assert.equal(result.status, 400, `${method} ${JSON.stringify(body)}`);
        assert.equal(result.headers.get("content-type"), "application/problem+json");
        assert.equal(detail(result), expected);
      }
    }
    const badJson = await call(bss, "POST", BP, "{nope");
    assert.equal(badJson.status, 400);
    assert.match(detail(badJson), /^Bad Request: /);
    const noBody = await fetch(`${bss.url}${BP}`, { method: "POST" });
    assert.equal(((await noBody.json()) as { detail: string }).detail, "Bad Request: EOF");
    const formEncoded = await call(bss, "POST", BP, JSON.stringify({ hosts: ["Default"], kernel: "k" }), {
      "content-type": "application/x-www-form-urlencoded",
    });
    assert.equal(formEncoded.status, 201, "the body is JSON whatever the Content-Type (curl -d)");
  });

  test("image-level params: POST creates (then 400 without a token), GET lists, PATCH/PUT update, DELETE removes", async () => {
    const created = await call(bss, "POST", BP, { kernel: "http://k", params: "kp=1" });
    assert.equal(created.status, 201);
    const again = await call(bss, "POST", BP, { kernel: "http://k", params: "kp=2" });
    assert.equal(detail(again), "Bad Request: Already exists: http://k");
    assert.equal(again.headers.get("bss-referral-token"), null);
    assert.equal((await call(bss, "PATCH", BP, { kernel: "http://k", params: "kp=3" })).status, 200);
    assert.equal((await call(bss, "PUT", BP, { initrd: "http://i", params: "ip=1" })).status, 200);
    assert.deepEqual(await get(), [
      { params: "kp=3", kernel: "http://k", "cloud-init": CLOUD_INIT },
      { params: "ip=1", initrd: "http://i", "cloud-init": CLOUD_INIT },
    ]);
    const missing = await call(bss, "PATCH", BP, { initrd: "http://nope", params: "x" });
    assert.deepEqual(
      [missing.status, detail(missing)],
      [404, "Not Found: no image parameters for http://nope"],
    );
    assert.equal((await call(bss, "DELETE", BP, { kernel: "http://k" })).status, 200);
    const gone = await call(bss, "DELETE", BP, { kernel: "http://k" });
    assert.deepEqual([gone.status, detail(gone)], [400, "no image parameters for http://k"]);
  });

  test("PUT replaces whole records and issues a new token", async () => {
    await call(bss, "POST", BP, {
      hosts: ["x1c0s0b0n0"],
      kernel: "http://k",
      initrd: "http://i",
      params: "a",
    });
    const put = await call(bss, "PUT", BP, { hosts: ["x1c0s0b0n0", "x1c0s1b0n0"], kernel: "http://k2" });
    assert.equal(put.status, 200);
    assert.equal(put.text, "");
    assert.match(put.headers.get("bss-referral-token") ?? "", UUID);
    assert.deepEqual(await get(), [
      { hosts: ["x1c0s0b0n0", "x1c0s1b0n0"], kernel: "http://k2", "cloud-init": CLOUD_INIT },
    ]);
  });

  test("PATCH changes only named keys and non-empty fields; a missing key is a 404 and nothing changes", async () => {
    await call(bss, "POST", BP, {
      hosts: ["x1c0s0b0n0", "x1c0s1b0n0"],
      kernel: "http://k",
      params: "a",
      "cloud-init": { "meta-data": { keep: 1, drop: 2 } },
    });
    const patched = await call(bss, "PATCH", BP, {
      hosts: ["x1c0s0b0n0"],
      params: "b",
      kernel: "",
      "cloud-init": { "meta-data": { drop: null, add: 3 } },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.headers.get("bss-referral-token"), null);
    const all = await get();
    assert.deepEqual(
      all.map(
        (bp: { hosts: string[]; params: string; kernel: string; "cloud-init": { "meta-data": unknown } }) => [
          bp.hosts,
          bp.params,
          bp.kernel,
          bp["cloud-init"]["meta-data"],
        ],
      ),
      [
        [["x1c0s0b0n0"], "b", "http://k", { keep: 1, add: 3 }],
        [["x1c0s1b0n0"], "a", "http://k", { keep: 1, drop: 2 }],
      ],
    );
    const missing = await call(bss, "PATCH", BP, { hosts: ["x1c0s1b0n0", "x1c0s9b0n0"], params: "c" });
    assert.deepEqual(
      [missing.status, detail(missing)],
      [404, "Not Found: no boot parameters for x1c0s9b0n0"],
    );
    assert.equal((await get()).find((bp: { hosts: string[] }) => bp.hosts[0] === "x1c0s1b0n0").params, "a");
    assert.equal((await call(bss, "PATCH", BP, { hosts: ["x1c0s1b0n0"] })).status, 200, "a no-op is a 200");
    const badMac = await call(bss, "PATCH", BP, { macs: ["nope"], params: "x" });
    assert.equal(badMac.status, 400);
  });

  test("PATCH copies a shared config on write (S5): the other key keeps the old values", async () => {
    await call(bss, "POST", BP, { hosts: ["x1c0s0b0n0"], kernel: "http://k", params: "shared" });
    // Point a second key at the same config, as data from elsewhere might.
    const { config_id } = await bss.db.kysely
      .selectFrom("bss_boot_targets")
      .select("config_id")
      .executeTakeFirstOrThrow();
    await bss.db.kysely.insertInto("bss_boot_targets").values({ config_id, kind: "nid", key: "5" }).execute();
    await call(bss, "PATCH", BP, { hosts: ["x1c0s0b0n0"], params: "mine" });
    const rows = await bss.db.kysely
      .selectFrom("bss_boot_targets as t")
      .innerJoin("bss_boot_configs as c", "c.id", "t.config_id")
      .select(["t.key", "c.params"])
      .orderBy("t.key")
      .execute();
    assert.deepEqual(rows, [
      { key: "5", params: "shared" },
      { key: "x1c0s0b0n0", params: "mine" },
    ]);
  });

  test("DELETE removes every named key or none (400), and configs left without targets", async () => {
    await call(bss, "POST", BP, { hosts: ["x1c0s0b0n0"], macs: ["aa:bb:cc:dd:ee:01"], kernel: "http://k" });
    const partial = await call(bss, "DELETE", BP, { hosts: ["x1c0s0b0n0", "x1c0s9b0n0"] });
    assert.deepEqual([partial.status, detail(partial)], [400, "no boot parameters for x1c0s9b0n0"]);
    assert.equal((await get()).length, 1);
    const deleted = await call(bss, "DELETE", BP, { hosts: ["x1c0s0b0n0"], macs: ["AA:BB:CC:DD:EE:01"] });
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal(deleted.text, "");
    assert.equal((await call(bss, "GET", BP)).text, "null\n");
    assert.equal((await bss.db.kysely.selectFrom("bss_boot_configs").selectAll().execute()).length, 0);
    assert.equal(detail(await call(bss, "DELETE", BP, {})), "Nothing to Delete");
  });

  test("DELETE with a kernel removes its image params; records keep the URL (deviation)", async () => {
    await call(bss, "POST", BP, { hosts: ["x1c0s0b0n0"], kernel: "http://k" });
    await call(bss, "POST", BP, { kernel: "http://k", params: "kp" });
    await call(bss, "DELETE", BP, { kernel: "http://k" });
    assert.deepEqual(await get(), [{ hosts: ["x1c0s0b0n0"], kernel: "http://k", "cloud-init": CLOUD_INIT }]);
  });

  test("GET filtered: repeated and comma lists, exact stored keys, MACs in any case, each match alone", async () => {
    await call(bss, "POST", BP, { hosts: ["x1c0s0b0n0", "x1c0s1b0n0"], kernel: "http://k" });
    await call(bss, "POST", BP, { macs: ["aa:bb:cc:dd:ee:01"], nids: [3], kernel: "http://k2" });
    const found = await get("?name=x1c0s0b0n0,x1c0s1b0n0&mac=AA:BB:CC:DD:EE:01&nid=3&nid=4");
    assert.deepEqual(
      found.map((bp: object) => Object.keys(bp)[0]),
      ["hosts", "hosts", "macs", "nids"],
    );
    assert.deepEqual(found[2].macs, ["aa:bb:cc:dd:ee:01"]);
    assert.deepEqual(
      (await get("?name=X01C0S0B0N0")).map((bp: { hosts: string[] }) => bp.hosts),
      [["x1c0s0b0n0"]],
    );
    const none = await call(bss, "GET", `${BP}?name=x1c0s7b0n0&mac=aa:bb:cc:dd:ee:07&nid=9`);
    assert.deepEqual(
      [none.status, detail(none)],
      [404, "Cannot find boot parameters for requested Hosts, MACs or NIDs"],
    );
    assert.equal(
      detail(await call(bss, "GET", `${BP}?nid=9`)),
      "Cannot find boot parameters for requested NIDs",
    );
    const badNid = await call(bss, "GET", `${BP}?nid=1notANid`);
    assert.deepEqual([badNid.status, detail(badNid)], [400, "Bad Request - Invalid nid '1notANid'"]);
  });

  test("GET with a JSON body: merged with the query; unparsable only matters without one", async () => {
    await call(bss, "POST", BP, { hosts: ["x1c0s0b0n0"], kernel: "http://k" });
    await call(bss, "POST", BP, { kernel: "http://k", params: "kp" });
    const send = (query: string, body: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        // fetch refuses GET bodies; node:http does not.
        import("node:http").then(({ request }) => {
          const headers = {
            "content-type": "application/json",
            "content-length": String(Buffer.byteLength(body)),
          };
          const req = request(`${bss.url}${BP}${query}`, { method: "GET", headers }, (res) => {
            let text = "";
            res.on("data", (chunk) => (text += chunk));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
          });
          req.on("error", reject);
          req.end(body);
        }, reject);
      });
    const byBody = await send("", JSON.stringify({ hosts: ["x1c0s0b0n0"], kernel: "http://k" }));
    assert.equal(byBody.status, 200, byBody.body);
    assert.deepEqual(
      JSON.parse(byBody.body).map((bp: { hosts?: string[]; kernel: string }) => bp.hosts ?? bp.kernel),
      ["http://k", ["x1c0s0b0n0"]],
    );
    const bad = await send("", "{oops");
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.body).detail, /^Failed to interpret request body '\{oops': /);
    assert.equal((await send("?name=x1c0s0b0n0", "{oops")).status, 200);
    const nothing = await send("", "{}");
    assert.deepEqual([nothing.status, JSON.parse(nothing.body).detail], [400, "No specified data requested"]);
    const kernelOnly = await send("", JSON.stringify({ initrd: "http://none" }));
    assert.equal(JSON.parse(kernelOnly.body).detail, "Cannot find boot parameters for requested initrd");
  });

  test("405 with upstream's allow lists; unknown paths 404", async () => {
    const cases: [string, string, string][] = [
      ["OPTIONS", BP, "GET,PUT,POST,PATCH,DELETE"],
      ["DELETE", "/boot/v1/hosts", "GET,POST"],
      ["POST", "/boot/v1/bootscript", "GET"],
      ["PUT", "/apis/bss/boot/v1/dumpstate/", "GET"],
      ["POST", "/boot/v1/service/status", "GET"],
      ["POST", "/boot/v1/", "GET"],
    ];
    for (const [method, path, allow] of cases) {
      const result = await call(bss, method, path);
      if (method === "OPTIONS") {
        assert.equal(result.status, 204);
      } else {
        assert.equal(result.status, 405, `${method} ${path}`);
        assert.equal(detail(result), `allow ${allow}`);
      }
      assert.equal(result.headers.get("allow"), allow);
    }
    assert.equal((await call(bss, "POST", "/boot/v1/scn")).status, 404);
    assert.equal((await call(bss, "GET", "/boot/v1/meta-data")).status, 404);
  });
});
