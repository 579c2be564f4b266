import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "@openchami/core";
import { type Db, openDb } from "@openchami/db";
import { type PostgresServer, skipWithoutPostgres, startPostgres } from "@openchami/testkit";
import { smdMigrations } from "../migrations.ts";
import { LockStore } from "../store/locks.ts";
import { call, insertComponents, startSmd, type TestSmd } from "../test-support.ts";

const NODES = Array.from({ length: 8 }, (_, i) => `x0c0s${i}b0n0`);

/**
 * The same routes on a real PostgreSQL with a pool of connections, where concurrent
 * requests really run in parallel: exclusivity and reservations must hold under races.
 */
describe("groups, partitions, power maps, SCN and locks on PostgreSQL", { skip: skipWithoutPostgres }, () => {
  let pg: PostgresServer;
  let db: Db;
  let smd: TestSmd;
  before(async () => {
    pg = await startPostgres();
    db = await openDb({ url: pg.url }, { logger: silentLogger() });
    await db.migrate([smdMigrations]);
    smd = await startSmd({ db });
    await insertComponents(smd, NODES);
  });
  after(async () => {
    await smd?.close();
    await db?.close();
    await pg?.stop();
  });

  test("racing group POSTs and member adds never put a component in two groups of an exclusive set", async () => {
    const labels = Array.from({ length: 10 }, (_, i) => `race${i}`);
    const posts = await Promise.all(
      labels.map((label) =>
        call(smd, "POST", "/groups", { label, exclusiveGroup: "race", members: { ids: [NODES[0]] } }),
      ),
    );
    assert.deepEqual(posts.map((r) => r.status).sort(), [201, ...Array(9).fill(409)]);
    for (const label of labels) {
      await call(smd, "POST", "/groups", { label, exclusiveGroup: "race" });
    }
    const adds = await Promise.all(
      labels.flatMap((label) =>
        NODES.slice(1).map((id) => call(smd, "POST", `/groups/${label}/members`, { id })),
      ),
    );
    assert.equal(adds.filter((r) => r.status === 201).length, NODES.length - 1);
    const rows = await db.kysely
      .selectFrom("group_members")
      .select(["component_id"])
      .where("namespace", "=", "%race")
      .execute();
    assert.equal(rows.length, NODES.length);
    assert.equal(new Set(rows.map((r) => r.component_id)).size, NODES.length);
  });

  test("group listing filters, member PUT and partitions run the same SQL", async () => {
    await call(smd, "POST", "/partitions", {
      name: "p1",
      tags: ["a"],
      members: { ids: [NODES[1], NODES[2]] },
    });
    const parallel = await Promise.all(
      ["p2", "p3"].map((name) => call(smd, "POST", "/partitions", { name, members: { ids: [NODES[3]] } })),
    );
    assert.deepEqual(parallel.map((r) => r.status).sort(), [201, 409]);
    assert.equal((await call(smd, "POST", "/groups", { label: "tagged", tags: ["t"] })).status, 201);
    assert.equal((await call(smd, "PUT", "/groups/tagged/members", { ids: NODES.slice(0, 4) })).status, 201);
    const listed = (await call(smd, "GET", "/groups?tag=t&partition=p1")).json();
    assert.deepEqual(listed, [
      { label: "tagged", description: "", tags: ["t"], members: { ids: NODES.slice(1, 3) } },
    ]);
    assert.deepEqual((await call(smd, "GET", "/partitions?tag=a")).json()[0].members.ids, NODES.slice(1, 3));
  });

  test("power maps and subscriptions", async () => {
    const maps = [
      { id: NODES[0], poweredBy: ["x0m0p0v1", "x0m0p0v2"] },
      { id: NODES[1], poweredBy: ["x0m0p0v3"] },
    ];
    assert.equal((await call(smd, "POST", "/sysinfo/powermaps", maps)).status, 200);
    assert.deepEqual((await call(smd, "GET", "/sysinfo/powermaps")).json(), maps);

    const sub = { Subscriber: "s", Url: "http://127.0.0.1:9/x", States: ["On"] };
    const first = (await call(smd, "POST", "/Subscriptions/SCN", sub)).json();
    const again = (await call(smd, "POST", "/Subscriptions/SCN", { ...sub, States: ["Off"] })).json();
    assert.equal(again.ID, first.ID);
    assert.equal(
      (await call(smd, "PATCH", `/Subscriptions/SCN/${first.ID}`, { Op: "add", Roles: ["Compute"] })).status,
      204,
    );
    assert.deepEqual((await call(smd, "GET", `/Subscriptions/SCN/${first.ID}`)).json().Roles, ["Compute"]);
  });

  test("racing service reservations of one component: exactly one wins", async () => {
    const id = NODES[5];
    const attempts = await Promise.all(
      Array.from({ length: 12 }, () =>
        call(smd, "POST", "/locks/service/reservations", {
          ComponentIDs: [id],
          ReservationDuration: 1,
          ProcessingModel: "flexible",
        }),
      ),
    );
    const won = attempts.flatMap((r) => r.json().Success);
    assert.equal(won.length, 1);
    const key = won[0];
    const checked = await call(smd, "POST", "/locks/service/reservations/check", {
      DeputyKeys: [{ ID: id, Key: key.DeputyKey }],
    });
    assert.equal(checked.json().Success.length, 1);
    const renewed = await call(smd, "POST", "/locks/service/reservations/renew", {
      ReservationKeys: [{ ID: id, Key: key.ReservationKey }],
      ReservationDuration: 2,
    });
    assert.equal(renewed.json().Counts.Success, 1);

    await db.kysely
      .updateTable("reservations")
      .set({ expiration_time: new Date(Date.now() - 1000) })
      .where("component_id", "=", id)
      .execute();
    assert.equal(
      (await call(smd, "POST", "/locks/status", { ComponentIDs: [id] })).json().Components[0].Reserved,
      false,
    );
    assert.deepEqual(await new LockStore(db).reapExpired(), [id]);

    assert.equal((await call(smd, "POST", "/locks/lock", { ComponentIDs: [id] })).status, 200);
    const admin = await call(smd, "POST", "/locks/reservations", { ComponentIDs: [id] });
    assert.equal(admin.json().Success.length, 1);
    assert.equal(
      (await call(smd, "POST", "/locks/disable", { ComponentIDs: [id] })).json().Counts.Success,
      1,
    );
    assert.equal(
      (await call(smd, "GET", "/locks/status?reservationDisabled=true")).json().Components[0].Reserved,
      false,
    );
  });
});
