import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { call, insertComponents, startSmd, type TestSmd } from "../test-support.ts";

const NODES = ["x0c0s1b0n0", "x0c0s2b0n0", "x0c0s3b0n0", "x0c0s4b0n0"];
const [N1, N2, N3, N4] = NODES as [string, string, string, string];

function detail(response: { json: () => { detail: string } }): string {
  return response.json().detail;
}

describe("groups", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
    await insertComponents(smd, NODES);
  });
  after(() => smd.close());

  test("POST creates (201, URI list, Location); GET answers it lower-cased with sorted members", async () => {
    const posted = await call(smd, "POST", "/groups", {
      Label: "Compute",
      DESCRIPTION: "compute nodes",
      tags: ["Tag1", "tag2"],
      members: { IDS: [N2, "X0C0S1B0N0"] },
      unknown: 1,
    });
    assert.equal(posted.status, 201);
    assert.deepEqual(posted.json(), [{ URI: "/hsm/v2/groups/compute" }]);
    assert.equal(posted.headers.get("location"), "/hsm/v2/groups/compute");
    const got = await call(smd, "GET", "/groups/COMPUTE");
    assert.equal(got.status, 200);
    assert.deepEqual(got.json(), {
      label: "compute",
      description: "compute nodes",
      tags: ["tag1", "tag2"],
      members: { ids: [N1, N2] },
    });
  });

  test("an empty group keeps description, omits tags and exclusiveGroup, and lists [] members", async () => {
    assert.equal(
      (await call(smd, "POST", "/groups", { label: "empty", members: { ids: null } })).status,
      201,
    );
    assert.deepEqual((await call(smd, "GET", "/groups/empty")).json(), {
      label: "empty",
      description: "",
      members: { ids: [] },
    });
    assert.deepEqual((await call(smd, "GET", "/groups/empty/members")).json(), { ids: [] });
    assert.equal((await call(smd, "DELETE", "/groups/empty")).status, 200);
  });

  test("POST validation: 400 with upstream's texts, nothing stored", async () => {
    const cases: [unknown, string][] = [
      [{ label: "bad label!" }, "couldn't validate group: group or partition field has invalid characters"],
      [{ label: "" }, "couldn't validate group: group or partition field has invalid characters"],
      [
        { label: "g1", tags: ["no spaces"] },
        "couldn't validate group: group or partition field has invalid characters",
      ],
      [
        { label: "g1", exclusiveGroup: "a/b" },
        "couldn't validate group: group or partition field has invalid characters",
      ],
      [
        { label: "g1", members: { ids: ["FAKE"] } },
        "couldn't validate group: got HMSTypeInvalid instead of valid type",
      ],
      [{ label: "g1", members: { ids: [N1, "x9c0s0b0n0"] } }, "linked component does not exist"],
    ];
    for (const [body, text] of cases) {
      const response = await call(smd, "POST", "/groups", body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(detail(response), text);
    }
    const wrongType = await call(smd, "POST", "/groups", { label: "g1", tags: "t" });
    assert.equal(wrongType.status, 400);
    assert.match(detail(wrongType), /^error decoding JSON /);
    assert.equal((await call(smd, "GET", "/groups/g1")).status, 404);
  });

  test("a duplicate label is 409", async () => {
    const response = await call(smd, "POST", "/groups", { label: "COMPUTE" });
    assert.equal(response.status, 409);
    assert.equal(
      detail(response),
      "operation would conflict with an existing group that has the same label or duplicate ids found in request.",
    );
  });

  test("exclusive groups: 409 on group POST and member POST; the add succeeds once the other group is gone", async () => {
    const red = await call(smd, "POST", "/groups", {
      label: "red",
      exclusiveGroup: "Colors",
      members: { ids: [N1] },
    });
    assert.equal(red.status, 201);
    assert.equal((await call(smd, "GET", "/groups/red")).json().exclusiveGroup, "colors");

    const blue = await call(smd, "POST", "/groups", {
      label: "blue",
      exclusiveGroup: "colors",
      members: { ids: [N1] },
    });
    assert.equal(blue.status, 409);
    assert.equal(
      detail(blue),
      "operation would conflict with an existing member in another exclusive group.",
    );
    assert.equal((await call(smd, "GET", "/groups/blue")).status, 404, "the failed POST stored nothing");

    assert.equal(
      (await call(smd, "POST", "/groups", { label: "blue", exclusiveGroup: "colors" })).status,
      201,
    );
    const add = await call(smd, "POST", "/groups/blue/members", { id: N1 });
    assert.equal(add.status, 409);
    assert.equal(detail(add), "operation would conflict with an existing member in another exclusive group.");
    const put = await call(smd, "PUT", "/groups/blue/members", { ids: [N1] });
    assert.equal(put.status, 409);

    // A non-exclusive group named like the exclusive set does not collide with it.
    assert.equal(
      (await call(smd, "POST", "/groups", { label: "colors", members: { ids: [N1] } })).status,
      201,
    );

    assert.equal((await call(smd, "DELETE", "/groups/red")).status, 200);
    assert.equal((await call(smd, "POST", "/groups/blue/members", { id: N1 })).status, 201);
    assert.deepEqual((await call(smd, "GET", "/groups/blue/members")).json(), { ids: [N1] });
    await call(smd, "DELETE", "/groups/blue");
    await call(smd, "DELETE", "/groups/colors");
  });

  test("parallel member adds to one exclusive set never break exclusivity", async () => {
    const labels = ["ex-a", "ex-b", "ex-c", "ex-d", "ex-e", "ex-f"];
    for (const label of labels) {
      assert.equal((await call(smd, "POST", "/groups", { label, exclusiveGroup: "race" })).status, 201);
    }
    const adds = await Promise.all(
      labels.flatMap((label) => [N3, N4].map((id) => call(smd, "POST", `/groups/${label}/members`, { id }))),
    );
    assert.equal(adds.filter((r) => r.status === 201).length, 2, "one winner per component");
    assert.equal(adds.filter((r) => r.status === 409).length, adds.length - 2);
    const groups = (
      await call(smd, "GET", "/groups?group=ex-a&group=ex-b&group=ex-c&group=ex-d&group=ex-e&group=ex-f")
    ).json();
    const members = groups.flatMap((g: { members: { ids: string[] } }) => g.members.ids).sort();
    assert.deepEqual(members, [N3, N4]);
    for (const label of labels) await call(smd, "DELETE", `/groups/${label}`);
  });

  test("GET /groups lists every group with members, filters by group, tag and partition", async () => {
    await call(smd, "POST", "/groups", {
      label: "storage",
      tags: ["tag2", "disk"],
      members: { ids: [N3, N2] },
    });
    const all = await call(smd, "GET", "/groups");
    assert.deepEqual(
      all.json().map((g: { label: string }) => g.label),
      ["compute", "storage"],
    );
    assert.deepEqual(all.json()[1].members, { ids: [N2, N3] });

    const byGroup = await call(smd, "GET", "/groups?group=STORAGE");
    assert.deepEqual(
      byGroup.json().map((g: { label: string }) => g.label),
      ["storage"],
    );
    const byTag = await call(smd, "GET", "/groups?tag=disk&tag=tag1");
    assert.deepEqual(
      byTag.json().map((g: { label: string }) => g.label),
      ["compute", "storage"],
    );
    assert.deepEqual((await call(smd, "GET", "/groups?Tag=none")).json(), []);

    await call(smd, "POST", "/partitions", { name: "p1", members: { ids: [N2] } });
    const inP1 = await call(smd, "GET", "/groups?partition=p1");
    assert.deepEqual(
      inP1.json().map((g: { members: { ids: string[] } }) => g.members.ids),
      [[N2], [N2]],
    );
    const inNone = await call(smd, "GET", "/groups?partition=NULL");
    assert.deepEqual(
      inNone.json().map((g: { members: { ids: string[] } }) => g.members.ids),
      [[N1], [N3]],
    );
    assert.deepEqual((await call(smd, "GET", "/groups/compute?partition=p1")).json().members, { ids: [N2] });
    assert.deepEqual((await call(smd, "GET", "/groups/storage/members?partition=NULL")).json(), {
      ids: [N3],
    });
    await call(smd, "DELETE", "/partitions/p1");

    const unknownPartition = await call(smd, "GET", "/groups?partition=p7");
    assert.equal(unknownPartition.status, 400);
    assert.equal(detail(unknownPartition), "bad query param: no such partition");
    for (const [query, text] of [
      ["tag=a%20b", "Invalid tag."],
      ["group=a%20b", "Invalid group label."],
      ["partition=a%20b", "Invalid partition name."],
    ]) {
      const response = await call(smd, "GET", `/groups?${query}`);
      assert.equal(response.status, 400);
      assert.equal(detail(response), text);
    }
  });

  test("GET /groups/labels lists labels sorted", async () => {
    assert.deepEqual((await call(smd, "GET", "/groups/labels")).json(), ["compute", "storage"]);
  });

  test("GET one: 404 `No such group: <label>`; a label with bad characters is 400", async () => {
    const absent = await call(smd, "GET", "/groups/Nope");
    assert.equal(absent.status, 404);
    assert.equal(detail(absent), "No such group: nope");
    assert.equal(detail(await call(smd, "GET", "/groups/nope/members")), "No such group: nope");
    const bad = await call(smd, "GET", "/groups/a%20b");
    assert.equal(bad.status, 400);
    assert.equal(detail(bad), "Invalid group label.");
  });

  test("PATCH updates description and tags (204); neither → 400; absent → 404 `no such group.`", async () => {
    const patched = await call(smd, "PATCH", "/groups/storage", { Description: "disks", tags: ["NEW"] });
    assert.equal(patched.status, 204);
    assert.equal(patched.text, "");
    const got = (await call(smd, "GET", "/groups/storage")).json();
    assert.equal(got.description, "disks");
    assert.deepEqual(got.tags, ["new"]);
    assert.equal((await call(smd, "PATCH", "/groups/storage", { tags: [] })).status, 204);
    assert.equal((await call(smd, "GET", "/groups/storage")).json().tags, undefined);

    const neither = await call(smd, "PATCH", "/groups/storage", { label: "x" });
    assert.equal(neither.status, 400);
    assert.equal(detail(neither), "Request must have at least one patch field.");
    const badTag = await call(smd, "PATCH", "/groups/storage", { tags: ["a b"] });
    assert.equal(detail(badTag), "Invalid tag.");
    const absent = await call(smd, "PATCH", "/groups/nope", { description: "x" });
    assert.equal(absent.status, 404);
    assert.equal(detail(absent), "no such group.");
  });

  test("member POST: 201 URI; malformed 400; no group 404; already a member 409; unknown component 400", async () => {
    const added = await call(smd, "POST", "/groups/storage/members", { ID: "X0C0S4B0N0" });
    assert.equal(added.status, 201);
    assert.deepEqual(added.json(), [{ URI: `/hsm/v2/groups/storage/members/${N4}` }]);

    const malformed = await call(smd, "POST", "/groups/storage/members", { id: "FAKE" });
    assert.equal(malformed.status, 400);
    assert.equal(detail(malformed), "invalid xname ID");
    const noGroup = await call(smd, "POST", "/groups/nope/members", { id: N1 });
    assert.equal(noGroup.status, 404);
    assert.equal(detail(noGroup), "No such group: nope");
    const again = await call(smd, "POST", "/groups/storage/members", { id: N4 });
    assert.equal(again.status, 409);
    assert.equal(detail(again), "operation would conflict with an existing member in the same group.");
    const unknown = await call(smd, "POST", "/groups/storage/members", { id: "x5c0s0b0n0" });
    assert.equal(unknown.status, 400);
    assert.equal(detail(unknown), "linked component does not exist");
  });

  test("member PUT replaces the set: 201 URI list, 204 when empty; errors store nothing", async () => {
    const put = await call(smd, "PUT", "/groups/storage/members", {
      group: "ignored",
      ids: [N1, "x0c0s4b0n0", N1],
    });
    assert.equal(put.status, 201);
    assert.deepEqual(put.json(), [
      { URI: `/hsm/v2/groups/storage/members/${N1}` },
      { URI: `/hsm/v2/groups/storage/members/${N4}` },
    ]);
    assert.equal(put.headers.get("location"), "/hsm/v2/groups");
    assert.deepEqual((await call(smd, "GET", "/groups/storage/members")).json(), { ids: [N1, N4] });

    const invalid = await call(smd, "PUT", "/groups/storage/members", { ids: ["FAKE", N2, "bad"] });
    assert.equal(invalid.status, 400);
    assert.equal(detail(invalid), "invalid xname IDs: [FAKE bad]");
    const unknown = await call(smd, "PUT", "/groups/storage/members", { ids: [N2, "x5c0s0b0n0"] });
    assert.equal(unknown.status, 400);
    assert.deepEqual((await call(smd, "GET", "/groups/storage/members")).json(), { ids: [N1, N4] });
    assert.equal((await call(smd, "PUT", "/groups/nope/members", { ids: [] })).status, 404);

    const emptied = await call(smd, "PUT", "/groups/storage/members", { ids: [] });
    assert.equal(emptied.status, 204);
    assert.deepEqual((await call(smd, "GET", "/groups/storage/members")).json(), { ids: [] });
  });

  test("member DELETE: 200; malformed 400; no group 404; not a member 404", async () => {
    assert.deepEqual((await call(smd, "DELETE", `/groups/compute/members/${N1}`)).json(), {
      code: 0,
      message: "deleted 1 entry",
    });
    const malformed = await call(smd, "DELETE", "/groups/compute/members/FAKE");
    assert.equal(malformed.status, 400);
    assert.equal(detail(malformed), "invalid xname ID");
    const noGroup = await call(smd, "DELETE", `/groups/nope/members/${N1}`);
    assert.equal(detail(noGroup), "No such group: nope");
    const notMember = await call(smd, "DELETE", `/groups/compute/members/${N1}`);
    assert.equal(notMember.status, 404);
    assert.equal(detail(notMember), "group has no such member.");
  });

  test("deleting a component drops its memberships", async () => {
    await insertComponents(smd, ["x7c0s0b0n0"]);
    await call(smd, "POST", "/groups/compute/members", { id: "x7c0s0b0n0" });
    await smd.db.kysely.deleteFrom("components").where("id", "=", "x7c0s0b0n0").execute();
    assert.deepEqual((await call(smd, "GET", "/groups/compute/members")).json(), { ids: [N2] });
  });

  test("DELETE: 200 `deleted 1 entry`, then 404 `no such group.`", async () => {
    assert.deepEqual((await call(smd, "DELETE", "/groups/storage")).json(), {
      code: 0,
      message: "deleted 1 entry",
    });
    const again = await call(smd, "DELETE", "/groups/storage");
    assert.equal(again.status, 404);
    assert.equal(detail(again), "no such group.");
  });

  test("writes emit `groups` change events after commit; failed writes emit none", async () => {
    const events: unknown[] = [];
    const unsubscribe = await smd.db.listen("smd_changes", (event) => events.push(event));
    await call(smd, "POST", "/groups", { label: "events", members: { ids: [N1] } });
    await call(smd, "POST", "/groups", { label: "events" });
    await call(smd, "DELETE", "/groups/events");
    await unsubscribe();
    assert.deepEqual(events, [
      { resource: "groups", op: "upsert", ids: ["events"] },
      { resource: "groups", op: "delete", ids: ["events"] },
    ]);
  });
});

describe("groups with auth", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd({ auth: true });
  });
  after(() => smd.close());

  test("reads need a token with read, writes write, deletes admin", async () => {
    assert.equal((await call(smd, "GET", "/groups")).status, 401);
    const read = { authorization: `Bearer ${await smd.token(["read"])}` };
    assert.equal((await call(smd, "GET", "/groups", undefined, read)).status, 200);
    assert.equal((await call(smd, "POST", "/groups", { label: "a" }, read)).status, 403);
    const write = { authorization: `Bearer ${await smd.token(["write"])}` };
    assert.equal((await call(smd, "POST", "/groups", { label: "a" }, write)).status, 201);
    assert.equal((await call(smd, "DELETE", "/groups/a", undefined, write)).status, 403);
  });
});
