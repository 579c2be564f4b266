import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, beforeEach, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { STATES } from "@openchami/core";
import type { Kysely } from "kysely";
import type { SmdTables } from "../store/schema.ts";
import { type CallResult, call, startSmd, type TestSmd } from "../test-support.ts";

const COMPONENTS = "/State/Components";

function problem(response: CallResult, status: number, detail: string): void {
  assert.equal(response.status, status, response.text);
  assert.equal(response.headers.get("content-type"), "application/problem+json");
  assert.equal(response.json().detail, detail);
}

function noContent(response: CallResult): void {
  assert.equal(response.status, 204, response.text);
  assert.equal(response.text, "");
}

async function ids(smd: TestSmd, query = ""): Promise<string[]> {
  const response = await call(smd, "GET", `${COMPONENTS}${query}`);
  assert.equal(response.status, 200, response.text);
  return response.json().Components.map((c: { ID: string }) => c.ID);
}

async function get(smd: TestSmd, id: string): Promise<Record<string, unknown>> {
  const response = await call(smd, "GET", `${COMPONENTS}/${id}`);
  assert.equal(response.status, 200, response.text);
  return response.json();
}

async function post(smd: TestSmd, components: object[], force?: boolean): Promise<void> {
  noContent(
    await call(smd, "POST", COMPONENTS, { Components: components, ...(force ? { Force: true } : {}) }),
  );
}

/** Change events emitted while `fn` runs. */
async function changes(smd: TestSmd, fn: () => Promise<unknown>): Promise<unknown[]> {
  const events: unknown[] = [];
  const unsubscribe = await smd.db.listen("smd_changes", (event) => events.push(event));
  await fn();
  await unsubscribe();
  return events;
}

function kysely(smd: TestSmd): Kysely<SmdTables> {
  return smd.db.kysely as Kysely<SmdTables>;
}

describe("State/Components: upsert and wire form", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());
  beforeEach(async () => {
    await call(smd, "DELETE", COMPONENTS);
    await call(smd, "DELETE", "/Defaults/NodeMaps");
  });

  test("POST creates with defaults; GET lists sorted, omitting empty fields, Enabled always", async () => {
    await post(smd, [
      { id: "X0001C0S0B0N0", state: "on", flag: "warn", softwarestatus: "AdminDown", Unknown: 1 },
      {
        ID: "x0c0s0b0",
        State: "Ready",
        NID: 5,
        Enabled: false,
        Arch: "x86",
        NetType: "sling",
        Class: "river",
      },
      { ID: "x0c0s0b0n0v2", State: "Off", Role: "service", SubRole: "master", Subtype: "sub1" },
    ]);
    assert.deepEqual((await call(smd, "GET", COMPONENTS)).json(), {
      Components: [
        {
          ID: "x0c0s0b0",
          Type: "NodeBMC",
          State: "Ready",
          Flag: "OK",
          Enabled: false,
          NID: 5,
          NetType: "Sling",
          Arch: "X86",
          Class: "River",
        },
        {
          ID: "x0c0s0b0n0v2",
          Type: "VirtualNode",
          State: "Off",
          Flag: "OK",
          Enabled: true,
          Role: "Service",
          SubRole: "Master",
          NID: 16386,
          Subtype: "sub1",
        },
        {
          ID: "x1c0s0b0n0",
          Type: "Node",
          State: "On",
          Flag: "Warning",
          Enabled: true,
          SoftwareStatus: "AdminDown",
          Role: "Compute",
          NID: 32768,
        },
      ],
    });
  });

  test("node defaults come from the NodeMap (one per node), else the formula and Compute", async () => {
    const maps = await call(smd, "POST", "/Defaults/NodeMaps", {
      NodeMaps: [
        { ID: "x0c0s1b0n0", NID: 101, Role: "Storage", SubRole: "Worker" },
        { ID: "x0c0s2b0n0", NID: 102 },
      ],
    });
    assert.equal(maps.status, 200);
    await post(smd, [
      { ID: "x0c0s1b0n0", State: "On" },
      { ID: "x0c0s2b0n0", State: "On" },
      { ID: "x0c0s3b0n0", State: "On", NID: 7, Role: "Application" },
    ]);
    const listed = (await call(smd, "GET", `${COMPONENTS}?roleonly=true`)).json().Components;
    assert.deepEqual(listed, [
      { ID: "x0c0s1b0n0", Type: "Node", Role: "Storage", SubRole: "Worker" },
      { ID: "x0c0s2b0n0", Type: "Node", Role: "Compute" },
      { ID: "x0c0s3b0n0", Type: "Node", Role: "Application" },
    ]);
    assert.deepEqual(
      (await call(smd, "GET", `${COMPONENTS}?nidonly=1`))
        .json()
        .Components.map((c: { NID: number }) => c.NID),
      [101, 102, 7],
    );
  });

  test("without Force an existing component is untouched (still 204); the first occurrence wins", async () => {
    await post(smd, [
      { ID: "x0c0s0b0n0", State: "On", NID: 1 },
      { ID: "x0c0s0b0n0", State: "Off", NID: 2 },
    ]);
    const events = await changes(smd, () => post(smd, [{ ID: "x0c0s0b0n0", State: "Ready", Flag: "Alert" }]));
    assert.deepEqual(events, []);
    assert.deepEqual(await get(smd, "x0c0s0b0n0"), {
      ID: "x0c0s0b0n0",
      Type: "Node",
      State: "On",
      Flag: "OK",
      Enabled: true,
      Role: "Compute",
      NID: 1,
    });
  });

  test("with Force only State, Flag, Subtype, NetType, Arch and Class change; omitted ones empty", async () => {
    await post(smd, [
      {
        ID: "x0c0s0b0n0",
        State: "On",
        Flag: "Alert",
        Enabled: false,
        SoftwareStatus: "ok",
        Role: "Service",
        SubRole: "Master",
        NID: 9,
        Subtype: "s1",
        NetType: "Sling",
        Arch: "ARM",
        Class: "Hill",
      },
    ]);
    const events = await changes(smd, () =>
      post(
        smd,
        [{ ID: "x0c0s0b0n0", State: "Off", Enabled: true, Role: "Compute", NID: 3, Arch: "X86" }],
        true,
      ),
    );
    assert.deepEqual(events, [{ resource: "Components", op: "upsert", ids: ["x0c0s0b0n0"] }]);
    assert.deepEqual(await get(smd, "x0c0s0b0n0"), {
      ID: "x0c0s0b0n0",
      Type: "Node",
      State: "Off",
      Flag: "OK",
      Enabled: false,
      SoftwareStatus: "ok",
      Role: "Service",
      SubRole: "Master",
      NID: 9,
      Arch: "X86",
    });
    // The same forced upsert again changes nothing, so writes nothing.
    const again = await changes(smd, () =>
      post(smd, [{ ID: "x0c0s0b0n0", State: "Off", Arch: "X86" }], true),
    );
    assert.deepEqual(again, []);
  });

  test("PUT creates, honours Force, and checks the body's ID against the path", async () => {
    noContent(await call(smd, "PUT", `${COMPONENTS}/x0c0s5b0n0`, { component: { state: "on" } }));
    assert.equal((await get(smd, "x0c0s5b0n0")).State, "On");
    noContent(await call(smd, "PUT", `${COMPONENTS}/x0c0s5b0n0`, { Component: { State: "Off" } }));
    assert.equal((await get(smd, "x0c0s5b0n0")).State, "On");
    noContent(
      await call(smd, "PUT", `${COMPONENTS}/x0c0s5b0n0`, {
        Component: { ID: "X0C0S5B0N0", State: "Off" },
        Force: true,
      }),
    );
    assert.equal((await get(smd, "x0c0s5b0n0")).State, "Off");
    problem(
      await call(smd, "PUT", `${COMPONENTS}/x0c0s5b0n0`, { Component: { ID: "x0c0s6b0n0", State: "On" } }),
      400,
      "ID in URL and POST body do not match",
    );
    problem(
      await call(smd, "PUT", `${COMPONENTS}/FAKE`, { Component: { State: "On" } }),
      400,
      "couldn't validate component: xname ID 'FAKE' is invalid",
    );
    problem(
      await call(smd, "PUT", `${COMPONENTS}/x0c0s7b0n0`, { Component: { State: "Asleep" } }),
      400,
      "couldn't validate component: state 'Asleep' is invalid",
    );
    assert.deepEqual(await ids(smd), ["x0c0s5b0n0"]);
  });

  test("POST errors: missing components, invalid entries (nothing stored), bad JSON types", async () => {
    for (const body of [
      {},
      { Components: [] },
      { Components: [{ State: "On" }, { ID: "x0c0s0b0n0", State: "On" }] },
    ]) {
      problem(await call(smd, "POST", COMPONENTS, body), 400, "Missing Components");
    }
    problem(
      await call(smd, "POST", COMPONENTS, {
        Components: [
          { ID: "x0c0s0b0n0", State: "On" },
          { ID: "FAKE", State: "On" },
        ],
      }),
      400,
      "couldn't validate components: xname ID 'FAKE' is invalid",
    );
    problem(
      await call(smd, "POST", COMPONENTS, { Components: [{ ID: "x0c0s0b0n0", State: "On", Role: "Chef" }] }),
      400,
      "couldn't validate components: role 'Chef' is invalid",
    );
    for (const body of [
      { Components: [{ ID: "x0c0s0b0n0", State: "On" }], Force: "FAKE" },
      { Components: [{ ID: "x0c0s0b0n0", State: "On", Enabled: "fake" }] },
      "{not json",
    ]) {
      const response = await call(smd, "POST", COMPONENTS, body);
      assert.equal(response.status, 400);
      assert.match(response.json().detail, /^error decoding JSON /);
    }
    assert.deepEqual(await ids(smd), []);
  });

  test("GET one: normalised lookup; 404 `no such xname.` for absent and malformed", async () => {
    await post(smd, [{ ID: "x0c0s0b0n0", State: "On" }]);
    assert.equal((await get(smd, "X00C0S0B0N0")).ID, "x0c0s0b0n0");
    problem(await call(smd, "GET", `${COMPONENTS}/x9c0s0b0n0`), 404, "no such xname.");
    problem(await call(smd, "GET", `${COMPONENTS}/FAKE`), 404, "no such xname.");
  });

  test("DELETE one: 200, 400 `invalid xname` when malformed, 404 when absent; cascades memberships", async () => {
    await post(smd, [
      { ID: "x0c0s0b0n0", State: "On" },
      { ID: "x0c0s1b0n0", State: "On" },
    ]);
    await kysely(smd)
      .insertInto("groups")
      .values({ label: "g1", description: "", tags: [], exclusive_group: "" })
      .execute();
    await kysely(smd)
      .insertInto("group_members")
      .values({ group_label: "g1", component_id: "x0c0s0b0n0", namespace: "g1" })
      .execute();
    const events = await changes(smd, async () => {
      assert.deepEqual((await call(smd, "DELETE", `${COMPONENTS}/x0c0s0b0n0`)).json(), {
        code: 0,
        message: "deleted 1 entry",
      });
    });
    assert.deepEqual(events, [{ resource: "Components", op: "delete", ids: ["x0c0s0b0n0"] }]);
    assert.deepEqual(await kysely(smd).selectFrom("group_members").selectAll().execute(), []);
    problem(await call(smd, "DELETE", `${COMPONENTS}/FAKE`), 400, "invalid xname");
    problem(await call(smd, "DELETE", `${COMPONENTS}/x0c0s0b0n0`), 404, "no such xname.");
    await kysely(smd).deleteFrom("groups").execute();
  });

  test("DELETE all: 200 `deleted N entries`, then 404 `no entries to delete`; GET is []", async () => {
    await post(smd, [
      { ID: "x0c0s0b0n0", State: "On" },
      { ID: "x0c0s1b0n0", State: "On" },
    ]);
    assert.deepEqual((await call(smd, "DELETE", COMPONENTS)).json(), {
      code: 0,
      message: "deleted 2 entries",
    });
    problem(await call(smd, "DELETE", COMPONENTS), 404, "no entries to delete");
    assert.deepEqual((await call(smd, "GET", COMPONENTS)).json(), { Components: [] });
  });
});

describe("State/Components: filters, projections and queries", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
    await post(smd, [
      {
        ID: "x1c0s0b0n0",
        State: "On",
        Role: "Compute",
        NID: 1,
        Arch: "X86",
        Class: "River",
        SoftwareStatus: "up",
      },
      { ID: "x1c0s0b0n1", State: "Off", Role: "Service", SubRole: "Master", NID: 2, Subtype: "abc" },
      { ID: "x1c0s1b0n0", State: "Ready", Flag: "Alert", NID: 3, Enabled: false },
      { ID: "x1c0s10b0n0", State: "On", NID: 30 },
      { ID: "x1c0s1b0", State: "On" },
      { ID: "x1c0s1", State: "Populated" },
      { ID: "x2c0s0b0n0", State: "Standby", NID: 40 },
    ]);
    await kysely(smd)
      .updateTable("components")
      .set({ locked: true, reservation_disabled: true })
      .where("id", "=", "x1c0s0b0n1")
      .execute();
    const db = kysely(smd);
    await db
      .insertInto("groups")
      .values([
        { label: "blue", description: "", tags: [], exclusive_group: "" },
        { label: "red", description: "", tags: [], exclusive_group: "" },
      ])
      .execute();
    await db
      .insertInto("group_members")
      .values([
        { group_label: "blue", component_id: "x1c0s0b0n0", namespace: "blue" },
        { group_label: "red", component_id: "x1c0s0b0n0", namespace: "red" },
        { group_label: "red", component_id: "x1c0s0b0n1", namespace: "red" },
      ])
      .execute();
    await db.insertInto("partitions").values({ name: "p1", description: "", tags: [] }).execute();
    await db
      .insertInto("partition_members")
      .values([
        { component_id: "x1c0s0b0n1", partition_name: "p1" },
        { component_id: "x1c0s1b0n0", partition_name: "p1" },
      ])
      .execute();
  });
  after(() => smd.close());

  test("type=Booster is exactly upstream's 400", async () => {
    const response = await call(smd, "GET", `${COMPONENTS}?type=Booster`);
    assert.equal(response.status, 400);
    assert.deepEqual(response.json(), {
      type: "about:blank",
      title: "Bad Request",
      detail: "bad query param: Argument was not a valid HMS Type",
      status: 400,
    });
  });

  test("negation, OR within a key, AND across keys, case-insensitive names and values", async () => {
    assert.deepEqual(await ids(smd, "?type=Node&state=!Off&state=!Standby"), [
      "x1c0s0b0n0",
      "x1c0s10b0n0",
      "x1c0s1b0n0",
    ]);
    assert.deepEqual(await ids(smd, "?STATE=off&State=STANDBY"), ["x1c0s0b0n1", "x2c0s0b0n0"]);
    assert.deepEqual(await ids(smd, "?type=nodebmc&type=ComputeModule"), ["x1c0s1", "x1c0s1b0"]);
    assert.deepEqual(await ids(smd, "?type=Node&state=On"), ["x1c0s0b0n0", "x1c0s10b0n0"]);
    assert.deepEqual(await ids(smd, "?id=X1C0S0B0N0&id=x2c0s0b0n0"), ["x1c0s0b0n0", "x2c0s0b0n0"]);
    assert.deepEqual(await ids(smd, "?id=!x1c0s0b0n0&type=Node&nid=!40"), [
      "x1c0s0b0n1",
      "x1c0s10b0n0",
      "x1c0s1b0n0",
    ]);
    assert.deepEqual(await ids(smd, "?Unknown=1&flag=alert"), ["x1c0s1b0n0"]);
  });

  test("each column filter", async () => {
    assert.deepEqual(await ids(smd, "?role=compute"), [
      "x1c0s0b0n0",
      "x1c0s10b0n0",
      "x1c0s1b0n0",
      "x2c0s0b0n0",
    ]);
    assert.deepEqual(await ids(smd, "?role=&type=Node"), []);
    assert.deepEqual(await ids(smd, "?subrole=MASTER"), ["x1c0s0b0n1"]);
    assert.deepEqual(await ids(smd, "?softwarestatus=up"), ["x1c0s0b0n0"]);
    assert.deepEqual(await ids(smd, "?subtype=abc"), ["x1c0s0b0n1"]);
    assert.deepEqual(await ids(smd, "?arch=x86"), ["x1c0s0b0n0"]);
    assert.deepEqual(await ids(smd, "?class=River"), ["x1c0s0b0n0"]);
    assert.deepEqual(await ids(smd, "?enabled=false"), ["x1c0s1b0n0"]);
    assert.deepEqual(await ids(smd, "?enabled=0&enabled=f"), ["x1c0s1b0n0"]);
    assert.deepEqual(await ids(smd, "?locked=true"), ["x1c0s0b0n1"]);
    assert.deepEqual(await ids(smd, "?reservation_disabled=1"), ["x1c0s0b0n1"]);
    assert.deepEqual(await ids(smd, "?nid=2&nid=3"), ["x1c0s0b0n1", "x1c0s1b0n0"]);
  });

  test("NID ranges pair start and end, OR with plain NIDs, and never match NID -1", async () => {
    assert.deepEqual(await ids(smd, "?nid_start=2&nid_end=3"), ["x1c0s0b0n1", "x1c0s1b0n0"]);
    assert.deepEqual(await ids(smd, "?nid_start=2&nid_end=3&nid_start=40&nid=1"), [
      "x1c0s0b0n0",
      "x1c0s0b0n1",
      "x1c0s1b0n0",
      "x2c0s0b0n0",
    ]);
    assert.deepEqual(await ids(smd, "?nid_end=2"), ["x1c0s0b0n0", "x1c0s0b0n1"]);
  });

  test("group and partition: OR within, AND across, NULL = in none", async () => {
    assert.deepEqual(await ids(smd, "?group=red"), ["x1c0s0b0n0", "x1c0s0b0n1"]);
    assert.deepEqual(await ids(smd, "?group=blue&group=RED"), ["x1c0s0b0n0", "x1c0s0b0n1"]);
    assert.deepEqual(await ids(smd, "?group=red&partition=p1"), ["x1c0s0b0n1"]);
    assert.deepEqual(await ids(smd, "?partition=NULL&type=Node"), [
      "x1c0s0b0n0",
      "x1c0s10b0n0",
      "x2c0s0b0n0",
    ]);
    assert.deepEqual(await ids(smd, "?group=NULL&partition=NULL"), [
      "x1c0s1",
      "x1c0s10b0n0",
      "x1c0s1b0",
      "x2c0s0b0n0",
    ]);
    assert.deepEqual(await ids(smd, "?group=!blue&partition=p1"), ["x1c0s0b0n1", "x1c0s1b0n0"]);
    assert.deepEqual(await ids(smd, "?group=nosuch"), []);
    problem(await call(smd, "GET", `${COMPONENTS}?group=a%20b`), 400, "bad query param: no such group");
  });

  test("projections", async () => {
    const one = async (query: string) =>
      (await call(smd, "GET", `${COMPONENTS}?id=x1c0s0b0n1&${query}`)).json().Components[0];
    assert.deepEqual(await one("stateonly=true"), {
      ID: "x1c0s0b0n1",
      Type: "Node",
      State: "Off",
      Flag: "OK",
    });
    assert.deepEqual(await one("flagonly=true"), { ID: "x1c0s0b0n1", Type: "Node", Flag: "OK" });
    assert.deepEqual(await one("roleonly=true"), {
      ID: "x1c0s0b0n1",
      Type: "Node",
      Role: "Service",
      SubRole: "Master",
    });
    assert.deepEqual(await one("nidonly=true"), { ID: "x1c0s0b0n1", Type: "Node", NID: 2 });
    assert.deepEqual(await one(""), {
      ID: "x1c0s0b0n1",
      Type: "Node",
      State: "Off",
      Flag: "OK",
      Enabled: true,
      Role: "Service",
      SubRole: "Master",
      NID: 2,
      Subtype: "abc",
      ReservationDisabled: true,
      Locked: true,
    });
  });

  test("bad filter values are 400 with upstream's texts", async () => {
    for (const [query, detail] of [
      ["state=Asleep", "Argument was not a valid HMS State"],
      ["id=FAKE", "Argument was not a valid xname ID"],
      ["nid=abc", "a required argument was not an integer"],
      ["enabled=maybe", "a required argument did not match any valid input"],
      ["role=Chef", "Argument was not a valid HMS Role"],
    ]) {
      problem(await call(smd, "GET", `${COMPONENTS}?${query}`), 400, `bad query param: ${detail}`);
    }
  });

  test("ByNID/{nid}", async () => {
    assert.equal((await call(smd, "GET", `${COMPONENTS}/ByNID/3`)).json().ID, "x1c0s1b0n0");
    problem(await call(smd, "GET", `${COMPONENTS}/ByNID/abc`), 400, "a required argument was not an integer");
    problem(await call(smd, "GET", `${COMPONENTS}/ByNID/-1`), 400, "An argument was out of range");
    problem(await call(smd, "GET", `${COMPONENTS}/ByNID/999`), 404, "no such NID.");
  });

  test("POST ByNID/Query: ranges and single NIDs, with filters and projections", async () => {
    const response = await call(smd, "POST", `${COMPONENTS}/ByNID/Query`, {
      NIDRanges: ["1-2", "40"],
      partition: "NULL",
      stateonly: true,
    });
    assert.deepEqual(response.json(), {
      Components: [
        { ID: "x1c0s0b0n0", Type: "Node", State: "On", Flag: "OK" },
        { ID: "x2c0s0b0n0", Type: "Node", State: "Standby", Flag: "OK" },
      ],
    });
    problem(
      await call(smd, "POST", `${COMPONENTS}/ByNID/Query`, { NIDRanges: [] }),
      400,
      "Missing NID ranges",
    );
    problem(
      await call(smd, "POST", `${COMPONENTS}/ByNID/Query`, { NIDRanges: ["-4"] }),
      400,
      "bad query param: argument was not a valid NID Range",
    );
    problem(
      await call(smd, "POST", `${COMPONENTS}/ByNID/Query`, { NIDRanges: ["x"] }),
      400,
      "bad query param: a required argument was not an integer",
    );
  });

  test("POST Query: exact IDs, or descendants with a type; s0/all = everything", async () => {
    const query = async (body: object) =>
      (await call(smd, "POST", `${COMPONENTS}/Query`, body))
        .json()
        .Components.map((c: { ID: string }) => c.ID);
    assert.deepEqual(await query({ ComponentIDs: ["x1c0s1", "X2C0S0B0N0", "x9"] }), ["x1c0s1", "x2c0s0b0n0"]);
    assert.deepEqual(await query({ ComponentIDs: ["x1c0s1", "x2"], Type: ["Node"] }), [
      "x1c0s1b0n0",
      "x2c0s0b0n0",
    ]);
    assert.deepEqual(await query({ componentids: ["x1c0s1"], type: "!Node" }), ["x1c0s1", "x1c0s1b0"]);
    assert.deepEqual((await query({ ComponentIDs: ["s0"], state: ["standby"] })).length, 1);
    problem(await call(smd, "POST", `${COMPONENTS}/Query`, { ComponentIDs: [] }), 400, "Missing IDs");
    problem(
      await call(smd, "POST", `${COMPONENTS}/Query`, { ComponentIDs: ["x1"], type: ["Booster"] }),
      400,
      "bad query param: Argument was not a valid HMS Type",
    );
  });

  test("GET Query/{x}: exactly x without type; x and its letter-continued descendants with one", async () => {
    const query = async (path: string) => ids(smd, `/Query/${path}`);
    assert.deepEqual(await query("x1c0s1"), ["x1c0s1"]);
    assert.deepEqual(await query("x1c0s1?type=Node"), ["x1c0s1b0n0"]);
    assert.deepEqual(await query("x1c0s1?type=Node&type=NodeBMC&type=ComputeModule"), [
      "x1c0s1",
      "x1c0s1b0",
      "x1c0s1b0n0",
    ]);
    assert.deepEqual(await query("x1?type=Node"), ["x1c0s0b0n0", "x1c0s0b0n1", "x1c0s10b0n0", "x1c0s1b0n0"]);
    assert.deepEqual((await query("s0")).length, 7);
    assert.deepEqual(await query("all?type=Node&nid=40"), ["x2c0s0b0n0"]);
    // LIKE's wildcards in {x} are literal.
    assert.deepEqual(await query("x1c0s_?type=Node"), []);
    assert.deepEqual(await query("x1c0s%25?type=Node"), []);
  });
});

describe("State/Components: PATCH", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());
  beforeEach(async () => {
    await call(smd, "DELETE", COMPONENTS);
    await post(smd, [
      { ID: "x0c0s0b0n0", State: "On", NID: 1 },
      { ID: "x0c0s1b0n0", State: "Off", NID: 2 },
    ]);
  });

  const field = async (id: string, name: string) => (await get(smd, id))[name];

  test("BulkNID sets each NID; unknown IDs are skipped; the first entry per ID wins", async () => {
    const events = await changes(smd, async () =>
      noContent(
        await call(smd, "PATCH", `${COMPONENTS}/BulkNID`, {
          Components: [
            { ID: "x0c0s0b0n0", NID: 2 },
            { id: "X0C0S1B0N0", nid: 2 },
            { ID: "x0c0s0b0n0", NID: 9 },
            { ID: "x5c0s0b0n0", NID: 5 },
          ],
        }),
      ),
    );
    assert.deepEqual(events, [{ resource: "Components", op: "upsert", ids: ["x0c0s0b0n0"] }]);
    assert.equal(await field("x0c0s0b0n0", "NID"), 2);
    assert.equal(await field("x0c0s1b0n0", "NID"), 2);
    noContent(
      await call(smd, "PATCH", `${COMPONENTS}/BulkNID`, { Components: [{ ID: "x0c0s1b0n0", NID: -5 }] }),
    );
    assert.equal(await field("x0c0s1b0n0", "NID"), undefined);
  });

  test("BulkNID errors store nothing", async () => {
    problem(await call(smd, "PATCH", `${COMPONENTS}/BulkNID`, { Components: [] }), 400, "Missing Components");
    problem(
      await call(smd, "PATCH", `${COMPONENTS}/BulkNID`, {
        Components: [
          { ID: "x0c0s0b0n0", NID: 7 },
          { ID: "FAKE", NID: 8 },
        ],
      }),
      400,
      "invalid xname ID",
    );
    problem(
      await call(smd, "PATCH", `${COMPONENTS}/BulkNID`, { Components: [{ ID: "x0c0s0b0n0" }] }),
      400,
      "operation 'Bulk Update NID' failed: NID value missing.  Use NID < 0 to unset.",
    );
    const bad = await call(smd, "PATCH", `${COMPONENTS}/BulkNID`, {
      Components: [{ ID: "x0c0s0b0n0", NID: "" }],
    });
    assert.equal(bad.status, 400);
    assert.match(bad.json().detail, /^error decoding JSON /);
    assert.equal(await field("x0c0s0b0n0", "NID"), 1);
  });

  test("Bulk FlagOnly/Enabled/SoftwareStatus/Role change only differing rows", async () => {
    const patch = (route: string, body: object) =>
      call(smd, "PATCH", `${COMPONENTS}/${route}`, {
        ComponentIDs: ["x0c0s0b0n0", "x0c0s1b0n0", "x7c0s0b0n0"],
        ...body,
      });
    noContent(await call(smd, "PATCH", `${COMPONENTS}/x0c0s1b0n0/FlagOnly`, { Flag: "Alert" }));
    const events = await changes(smd, async () => noContent(await patch("BulkFlagOnly", { Flag: "alert" })));
    assert.deepEqual(events, [{ resource: "Components", op: "upsert", ids: ["x0c0s0b0n0"] }]);
    noContent(await patch("BulkEnabled", { Enabled: false }));
    noContent(await patch("BulkSoftwareStatus", { SoftwareStatus: "DvsAvailable" }));
    noContent(await patch("BulkRole", { Role: "service", SubRole: "worker" }));
    for (const id of ["x0c0s0b0n0", "x0c0s1b0n0"]) {
      const c = await get(smd, id);
      assert.deepEqual(
        [c.Flag, c.Enabled, c.SoftwareStatus, c.Role, c.SubRole],
        ["Alert", false, "DvsAvailable", "Service", "Worker"],
      );
    }
    noContent(await patch("BulkRole", { Role: "Compute" }));
    assert.equal(await field("x0c0s0b0n0", "SubRole"), undefined);
  });

  test("missing fields, malformed IDs and bad values are 400 and change nothing", async () => {
    const cases: [string, object, string][] = [
      ["BulkStateData", { State: "Off" }, "Missing IDs"],
      ["BulkStateData", { ComponentIDs: [], State: "Off" }, "Missing IDs"],
      ["BulkStateData", { ComponentIDs: ["x0c0s0b0n0"] }, "Missing State"],
      ["BulkStateData", { ComponentIDs: ["x0c0s0b0n0", "FAKE"], State: "Off" }, "invalid xname ID"],
      [
        "BulkStateData",
        { ComponentIDs: ["x0c0s0b0n0"], State: "Asleep" },
        "Argument was not a valid HMS State",
      ],
      [
        "BulkStateData",
        { ComponentIDs: ["x0c0s0b0n0"], State: "Off", Flag: "x" },
        "Argument was not a valid HMS Flag",
      ],
      [
        "BulkStateData",
        { ComponentIDs: ["x0c0s0b0n0"], State: "Empty" },
        "operation not allowed and not forced.",
      ],
      ["BulkFlagOnly", { ComponentIDs: ["x0c0s0b0n0"] }, "Missing Flag"],
      [
        "BulkFlagOnly",
        { ComponentIDs: ["x0c0s0b0n0"], Flag: "Bad" },
        "a required argument did not match any valid input",
      ],
      ["BulkEnabled", { ComponentIDs: ["x0c0s0b0n0"] }, "Missing Enabled field"],
      ["BulkSoftwareStatus", { ComponentIDs: ["x0c0s0b0n0"] }, "Missing SoftwareStatus"],
      ["BulkRole", { ComponentIDs: ["x0c0s0b0n0"] }, "Missing Role"],
      [
        "BulkRole",
        { ComponentIDs: ["x0c0s0b0n0"], Role: "Chef" },
        "a required argument did not match any valid input",
      ],
      [
        "BulkRole",
        { ComponentIDs: ["x0c0s0b0n0"], Role: "Service", SubRole: "Chef" },
        "a required argument did not match any valid input",
      ],
      ["FAKE/StateData", { State: "Off" }, "invalid xname ID"],
      ["x0c0s0b0n0/StateData", { ID: "x0c0s1b0n0", State: "Off" }, "ID in URL and PATCH body do not match"],
      ["x0c0s0b0n0/StateData", {}, "Missing State"],
      ["x0c0s0b0n0/FlagOnly", {}, "Missing Flag"],
      ["x0c0s0b0n0/Enabled", {}, "Missing Enabled field"],
      ["x0c0s0b0n0/SoftwareStatus", {}, "Missing SoftwareStatus"],
      ["x0c0s0b0n0/Role", {}, "Missing Role"],
      ["x0c0s0b0n0/NID", {}, "Missing NID"],
    ];
    for (const [route, body, detail] of cases) {
      problem(await call(smd, "PATCH", `${COMPONENTS}/${route}`, body), 400, detail);
    }
    const wrongType = await call(smd, "PATCH", `${COMPONENTS}/x0c0s0b0n0/Enabled`, { Enabled: "fake" });
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.json().detail, /^error decoding JSON /);
    assert.deepEqual((await call(smd, "GET", COMPONENTS)).json().Components, [
      { ID: "x0c0s0b0n0", Type: "Node", State: "On", Flag: "OK", Enabled: true, Role: "Compute", NID: 1 },
      { ID: "x0c0s1b0n0", Type: "Node", State: "Off", Flag: "OK", Enabled: true, Role: "Compute", NID: 2 },
    ]);
  });

  test("single-xname PATCHes are 204, also for well-formed IDs that match nothing", async () => {
    const patch = (id: string, route: string, body: object) =>
      call(smd, "PATCH", `${COMPONENTS}/${id}/${route}`, body);
    noContent(await patch("x0c0s0b0n0", "StateData", { ID: "X0C0S0B0N0", State: "Ready" }));
    noContent(await patch("x0c0s0b0n0", "FlagOnly", { Flag: "Warning" }));
    noContent(await patch("x0c0s0b0n0", "Enabled", { Enabled: false }));
    noContent(await patch("x0c0s0b0n0", "SoftwareStatus", { SoftwareStatus: "booted" }));
    noContent(await patch("x0c0s0b0n0", "Role", { Role: "Management", SubRole: "Master" }));
    noContent(await patch("x0c0s0b0n0", "NID", { NID: 42 }));
    assert.deepEqual(await get(smd, "x0c0s0b0n0"), {
      ID: "x0c0s0b0n0",
      Type: "Node",
      State: "Ready",
      Flag: "Warning",
      Enabled: false,
      SoftwareStatus: "booted",
      Role: "Management",
      SubRole: "Master",
      NID: 42,
    });
    for (const route of ["StateData", "FlagOnly", "Enabled", "SoftwareStatus", "Role", "NID"]) {
      noContent(
        await patch("x9c0s0b0n0", route, {
          State: "On",
          Flag: "OK",
          Enabled: true,
          SoftwareStatus: "",
          Role: "Compute",
          NID: 1,
        }),
      );
    }
    assert.deepEqual(await ids(smd), ["x0c0s0b0n0", "x0c0s1b0n0"]);
  });
});

describe("State/Components: StateData transitions (§5.2)", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());

  const FLAGS = ["OK", "Warning", "Locked"] as const;
  /** One component per (state, flag): x<i>c0s0b0n0. */
  const starting = STATES.flatMap((state) => FLAGS.map((flag) => ({ state, flag })));
  const idOf = (i: number) => `x${i}c0s0b0n0`;

  const ALLOWED: Record<string, readonly string[]> = {
    Off: ["Off", "On", "Standby", "Halt", "Ready"],
    On: ["On", "Off", "Standby", "Halt"],
    Standby: ["Standby", "Ready"],
    Halt: ["Halt", "Ready"],
    Ready: ["Ready", "On", "Off", "Standby", "Halt"],
  };

  /** The spec's rules, stated independently of the implementation. */
  function expected(current: { state: string; flag: string }, state: string, flag: string, force: boolean) {
    const from = state === "Ready" && flag === "Warning" ? ["Ready"] : force ? undefined : ALLOWED[state];
    if (from && !from.includes(current.state)) return current;
    return { state, flag: current.flag === "Locked" ? "Locked" : flag };
  }

  test("every start state and flag against every target, forced or not", async () => {
    for (const state of STATES) {
      for (const flag of [undefined, "Warning"]) {
        for (const force of [false, true]) {
          await post(
            smd,
            starting.map((s, i) => ({ ID: idOf(i), State: s.state, Flag: s.flag })),
            true,
          );
          const label = `${state}/${flag}/${force}`;
          let response: CallResult | undefined;
          const events = await changes(smd, async () => {
            response = await call(smd, "PATCH", `${COMPONENTS}/BulkStateData`, {
              ComponentIDs: starting.map((_, i) => idOf(i)),
              State: state.toLowerCase(),
              ...(flag ? { Flag: flag } : {}),
              Force: force,
            });
          });
          const listed = new Map<string, { State: string; Flag: string }>(
            (await call(smd, "GET", `${COMPONENTS}?stateonly=true`))
              .json()
              .Components.map((c: { ID: string }) => [c.ID, c]),
          );
          if (!force && !ALLOWED[state]) {
            problem(response!, 400, "operation not allowed and not forced.");
            assert.deepEqual(events, [], label);
            continue;
          }
          noContent(response!);
          const changed: string[] = [];
          starting.forEach((current, i) => {
            const want = expected(current, state, flag ?? "OK", force);
            const got = listed.get(idOf(i))!;
            assert.deepEqual(
              { state: got.State, flag: got.Flag },
              want,
              `${label} from ${current.state}/${current.flag}`,
            );
            if (want.state !== current.state || want.flag !== current.flag) changed.push(idOf(i));
          });
          const written = (events as { ids: string[] }[]).flatMap((e) => e.ids);
          assert.deepEqual(written.sort(), changed.sort(), label);
        }
      }
    }
  });
});

describe("State/Components: auth", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd({ auth: true });
  });
  after(() => smd.close());

  test("only the collection GET is public", async () => {
    assert.equal((await call(smd, "GET", COMPONENTS)).status, 200);
    assert.equal((await call(smd, "GET", `${COMPONENTS}/?type=Node`)).status, 200);
    assert.equal((await call(smd, "HEAD", COMPONENTS)).status, 200);
    for (const [method, path] of [
      ["GET", `${COMPONENTS}/x0c0s0b0n0`],
      ["GET", `${COMPONENTS}/Query/x0c0s0b0n0`],
      ["GET", `${COMPONENTS}/ByNID/1`],
      ["POST", COMPONENTS],
      ["DELETE", COMPONENTS],
      ["PATCH", `${COMPONENTS}/BulkEnabled`],
      ["GET", "/memberships"],
    ] as const) {
      const response = await call(
        smd,
        method,
        path,
        method === "GET" || method === "DELETE" ? undefined : {},
      );
      assert.equal(response.status, 401, `${method} ${path}`);
    }
  });

  test("scopes: read may GET, write may POST/PATCH, DELETE needs admin", async () => {
    const auth = async (scope: string) => ({ authorization: `Bearer ${await smd.token([scope])}` });
    const body = { Components: [{ ID: "x0c0s0b0n0", State: "On" }] };
    assert.equal((await call(smd, "POST", COMPONENTS, body, await auth("read"))).status, 403);
    assert.equal((await call(smd, "POST", COMPONENTS, body, await auth("write"))).status, 204);
    assert.equal(
      (await call(smd, "GET", `${COMPONENTS}/x0c0s0b0n0`, undefined, await auth("read"))).status,
      200,
    );
    assert.equal((await call(smd, "DELETE", COMPONENTS, undefined, await auth("write"))).status, 403);
    assert.equal((await call(smd, "DELETE", COMPONENTS, undefined, await auth("admin"))).status, 200);
  });
});

describe("State/Components: state change notifications (§5.6)", () => {
  let smd: TestSmd;
  let hook: Server;
  let received: Record<string, unknown>[] = [];
  before(async () => {
    hook = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", () => {
        received.push(JSON.parse(body));
        response.end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    smd = await startSmd();
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/scn`;
    const subscribed = await call(smd, "POST", "/Subscriptions/SCN", {
      Subscriber: "test",
      Url: url,
      States: ["Ready", "On", "Off"],
      Enabled: true,
      Roles: ["Service"],
      SoftwareStatus: ["booted"],
    });
    assert.equal(subscribed.status, 200, subscribed.text);
    // The dispatcher reloads subscriptions from the change feed: wait until it has this one.
    await post(smd, [{ ID: "x9c0s0b0n0", State: "Off" }]);
    for (let on = true; received.length === 0; on = !on) {
      await call(smd, "PATCH", `${COMPONENTS}/x9c0s0b0n0/StateData`, { State: on ? "On" : "Off" });
      await delay(20);
    }
  });
  after(async () => {
    await smd.close();
    await new Promise((resolve) => hook.close(resolve));
  });

  /** What arrives while `fn` runs (deliveries are asynchronous, after commit). */
  async function notified(fn: () => Promise<unknown>, expected: number): Promise<Record<string, unknown>[]> {
    await delay(50);
    received = [];
    await fn();
    for (let waited = 0; received.length < expected && waited < 5000; waited += 10) await delay(10);
    await delay(50);
    // Deliveries run concurrently, so their order is not the publishing order.
    return received.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }

  const sorted = (events: object[]) =>
    events.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  test("PATCHes announce the changed components; Flag-only and NID changes announce nothing", async () => {
    await post(smd, [
      { ID: "x1c0s0b0n0", State: "Off" },
      { ID: "x1c0s1b0n0", State: "Ready" },
    ]);
    const ids = ["x1c0s0b0n0", "x1c0s1b0n0"];
    assert.deepEqual(
      await notified(
        () => call(smd, "PATCH", `${COMPONENTS}/BulkStateData`, { ComponentIDs: ids, State: "ready" }),
        1,
      ),
      [{ Components: ["x1c0s0b0n0"], State: "Ready", Flag: "OK" }],
    );
    assert.deepEqual(
      await notified(
        () => call(smd, "PATCH", `${COMPONENTS}/BulkEnabled`, { ComponentIDs: ids, Enabled: false }),
        1,
      ),
      [{ Components: ids, Enabled: false }],
    );
    assert.deepEqual(
      await notified(
        () => call(smd, "PATCH", `${COMPONENTS}/x1c0s1b0n0/Role`, { Role: "service", SubRole: "master" }),
        1,
      ),
      [{ Components: ["x1c0s1b0n0"], Role: "Service", SubRole: "Master" }],
    );
    assert.deepEqual(
      await notified(
        () =>
          call(smd, "PATCH", `${COMPONENTS}/BulkSoftwareStatus`, {
            ComponentIDs: ids,
            SoftwareStatus: "booted",
          }),
        1,
      ),
      [{ Components: ids, SoftwareStatus: "booted" }],
    );
    assert.deepEqual(
      await notified(async () => {
        await call(smd, "PATCH", `${COMPONENTS}/BulkFlagOnly`, { ComponentIDs: ids, Flag: "Alert" });
        await call(smd, "PATCH", `${COMPONENTS}/x1c0s0b0n0/NID`, { NID: 5 });
      }, 0),
      [],
    );
  });

  test("an upsert announces new components, and forced State changes", async () => {
    const events = await notified(
      () =>
        post(smd, [
          { ID: "x2c0s0b0n0", State: "On", Role: "Service" },
          { ID: "x2c0s1b0n0", State: "On", Enabled: false, SoftwareStatus: "booted" },
          { ID: "x2c0s2b0", State: "Empty" },
        ]),
      5,
    );
    assert.deepEqual(
      events,
      sorted([
        { Components: ["x2c0s0b0n0", "x2c0s1b0n0"], State: "On" },
        { Components: ["x2c0s0b0n0", "x2c0s2b0"], Enabled: true },
        { Components: ["x2c0s1b0n0"], Enabled: false },
        { Components: ["x2c0s1b0n0"], SoftwareStatus: "booted" },
        { Components: ["x2c0s0b0n0"], Role: "Service" },
      ]),
    );
    assert.deepEqual(
      await notified(
        () =>
          post(
            smd,
            [
              { ID: "x2c0s0b0n0", State: "Off" },
              { ID: "x2c0s1b0n0", State: "On", Flag: "Alert" },
            ],
            true,
          ),
        1,
      ),
      [{ Components: ["x2c0s0b0n0"], State: "Off" }],
    );
  });
});
