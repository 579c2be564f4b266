import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call, startSmd, type TestSmd } from "../test-support.ts";

function detail(response: { json: () => { detail: string } }): string {
  return response.json().detail;
}

const HOOK = "http://127.0.0.1:9/scn";

describe("Subscriptions/SCN", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());

  test("GET on none is an empty SubscriptionList", async () => {
    assert.deepEqual((await call(smd, "GET", "/Subscriptions/SCN")).json(), { SubscriptionList: [] });
  });

  test("POST: 200 with the subscription, canonical values, empty triggers omitted", async () => {
    const posted = await call(smd, "POST", "/Subscriptions/SCN", {
      subscriber: "cfs@host",
      url: HOOK,
      states: ["ready", "OFF"],
      Enabled: false,
      SoftwareStatus: ["AdminDown"],
    });
    assert.equal(posted.status, 200);
    assert.deepEqual(posted.json(), {
      ID: 1,
      Subscriber: "cfs@host",
      Enabled: false,
      SoftwareStatus: ["AdminDown"],
      States: ["Ready", "Off"],
      Url: HOOK,
    });
    assert.deepEqual((await call(smd, "GET", "/Subscriptions/SCN/1")).json(), posted.json());
  });

  test("POST for a Subscriber and Url already subscribed replaces that subscription's triggers", async () => {
    const again = await call(smd, "POST", "/Subscriptions/SCN", {
      Subscriber: "cfs@host",
      Url: HOOK,
      Roles: ["compute"],
    });
    assert.deepEqual(again.json(), { ID: 1, Subscriber: "cfs@host", Roles: ["Compute"], Url: HOOK });
    assert.equal((await call(smd, "GET", "/Subscriptions/SCN")).json().SubscriptionList.length, 1);
  });

  test("POST validation: 400 with upstream's texts", async () => {
    const cases: [unknown, string][] = [
      [{ Url: HOOK, States: ["On"] }, "Missing name of subscriber"],
      [{ Subscriber: "a", States: ["On"] }, "Missing url"],
      [{ Subscriber: "a", Url: "ftp://x/y", States: ["On"] }, "Invalid url 'ftp://x/y'"],
      [{ Subscriber: "a", Url: HOOK, Roles: ["Booster"] }, "Invalid role 'Booster'"],
      [{ Subscriber: "a", Url: HOOK, SubRoles: ["Boss"] }, "Invalid subRole 'Boss'"],
      [{ Subscriber: "a", Url: HOOK, States: ["Asleep"] }, "Invalid state 'Asleep'"],
      [{ Subscriber: "a", Url: HOOK, SoftwareStatus: [""] }, "SoftwareStatus can not be an empty string"],
      [
        { Subscriber: "a", Url: HOOK, Enabled: false },
        "Missing trigger. Must subscribe to atleast one Enabled, Role, SubRole, SoftwareStatus, or State trigger.",
      ],
    ];
    for (const [body, text] of cases) {
      const response = await call(smd, "POST", "/Subscriptions/SCN", body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(detail(response), text);
    }
    const wrongType = await call(smd, "POST", "/Subscriptions/SCN", {
      Subscriber: "a",
      Url: HOOK,
      Enabled: "yes",
    });
    assert.match(detail(wrongType), /^error decoding JSON /);
  });

  test("GET one: bad id 400 `Invalid id - <id>`; absent 404 `Subscription not found`", async () => {
    for (const id of ["abc", "0", "-3", "1.5"]) {
      const response = await call(smd, "GET", `/Subscriptions/SCN/${id}`);
      assert.equal(response.status, 400);
      assert.equal(detail(response), `Invalid id - ${id}`);
    }
    for (const id of ["99", "99999999999"]) {
      const response = await call(smd, "GET", `/Subscriptions/SCN/${id}`);
      assert.equal(response.status, 404);
      assert.equal(detail(response), "Subscription not found");
    }
  });

  test("PUT replaces (204); absent 404; invalid 400; a Subscriber and Url taken by another is 409", async () => {
    const put = await call(smd, "PUT", "/Subscriptions/SCN/1", {
      Subscriber: "cfs@host",
      Url: HOOK,
      Enabled: true,
    });
    assert.equal(put.status, 204);
    assert.deepEqual((await call(smd, "GET", "/Subscriptions/SCN/1")).json(), {
      ID: 1,
      Subscriber: "cfs@host",
      Enabled: true,
      Url: HOOK,
    });
    assert.equal(
      detail(await call(smd, "PUT", "/Subscriptions/SCN/7", { Subscriber: "a", Url: HOOK, Enabled: true })),
      "Subscription not found",
    );
    assert.equal(
      detail(await call(smd, "PUT", "/Subscriptions/SCN/1", { Url: HOOK, Enabled: true })),
      "Missing name of subscriber",
    );
    assert.equal(detail(await call(smd, "PUT", "/Subscriptions/SCN/x", { Url: HOOK })), "Invalid id - x");

    const other = await call(smd, "POST", "/Subscriptions/SCN", {
      Subscriber: "other",
      Url: HOOK,
      States: ["On"],
    });
    const taken = await call(smd, "PUT", `/Subscriptions/SCN/${other.json().ID}`, {
      Subscriber: "cfs@host",
      Url: HOOK,
      States: ["On"],
    });
    assert.equal(taken.status, 409);
    assert.deepEqual(
      (await call(smd, "GET", `/Subscriptions/SCN/${other.json().ID}`)).json().Subscriber,
      "other",
    );
  });

  test("PATCH add, remove and replace (204 each)", async () => {
    const patch = async (body: unknown) => {
      const response = await call(smd, "PATCH", "/Subscriptions/SCN/1", body);
      assert.equal(response.status, 204, JSON.stringify(body));
      return (await call(smd, "GET", "/Subscriptions/SCN/1")).json();
    };
    assert.deepEqual(await patch({ Op: "add", States: ["on", "Off"], Roles: ["service"] }), {
      ID: 1,
      Subscriber: "cfs@host",
      Enabled: true,
      Roles: ["Service"],
      States: ["On", "Off"],
      Url: HOOK,
    });
    assert.deepEqual(await patch({ op: "Remove", States: ["On", "Ready"], Enabled: true }), {
      ID: 1,
      Subscriber: "cfs@host",
      Enabled: false,
      Roles: ["Service"],
      States: ["Off"],
      Url: HOOK,
    });
    assert.deepEqual(await patch({ Op: "replace", SoftwareStatus: ["Up"], Roles: ["compute"] }), {
      ID: 1,
      Subscriber: "cfs@host",
      Enabled: false,
      Roles: ["Compute"],
      SoftwareStatus: ["Up"],
      States: ["Off"],
      Url: HOOK,
    });
  });

  test("PATCH errors: missing or invalid Op, no trigger, bad id, absent", async () => {
    for (const [path, body, status, text] of [
      ["1", { States: ["On"] }, 400, "Missing Patch Op"],
      ["1", { Op: "merge", States: ["On"] }, 400, "Invalid Patch Op - merge"],
      [
        "1",
        { Op: "add" },
        400,
        "Missing trigger. Subscriptions must have atleast one Enabled, Role, SubRole, SoftwareStatus, or State trigger.",
      ],
      ["1", { Op: "add", States: ["Nope"] }, 400, "Invalid state 'Nope'"],
      ["zero", { Op: "add", States: ["On"] }, 400, "Invalid id - zero"],
      ["42", { Op: "add", States: ["On"] }, 404, "Subscription not found"],
    ] as const) {
      const response = await call(smd, "PATCH", `/Subscriptions/SCN/${path}`, body);
      assert.equal(response.status, status, JSON.stringify(body));
      assert.equal(detail(response), text);
    }
  });

  test("DELETE one: 200 `Subscription deleted`; absent 404", async () => {
    assert.deepEqual((await call(smd, "DELETE", "/Subscriptions/SCN/1")).json(), {
      code: 0,
      message: "Subscription deleted",
    });
    assert.equal(detail(await call(smd, "DELETE", "/Subscriptions/SCN/1")), "Subscription not found");
    assert.equal(detail(await call(smd, "DELETE", "/Subscriptions/SCN/-1")), "Invalid id - -1");
  });

  test("DELETE all is always 200 `N Subscriptions deleted`; writes emit `Subscriptions` events", async () => {
    const events: unknown[] = [];
    const unsubscribe = await smd.db.listen("smd_changes", (event) => events.push(event));
    await call(smd, "POST", "/Subscriptions/SCN", { Subscriber: "b", Url: HOOK, States: ["On"] });
    const first = await call(smd, "DELETE", "/Subscriptions/SCN");
    assert.deepEqual(first.json(), { code: 0, message: "2 Subscriptions deleted" });
    const again = await call(smd, "DELETE", "/Subscriptions/SCN");
    assert.equal(again.status, 200);
    assert.deepEqual(again.json(), { code: 0, message: "0 Subscriptions deleted" });
    await unsubscribe();
    assert.deepEqual(
      events.map((e) => (e as { resource: string; op: string }).op),
      ["upsert", "delete"],
    );
    assert.ok(events.every((e) => (e as { resource: string }).resource === "Subscriptions"));
  });
});
