import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "@openchami/core";
import { startReservationReaper } from "../reservation-reaper.ts";
import { LockStore } from "../store/locks.ts";
import { type CallResult, call, insertComponents, startSmd, type TestSmd } from "../test-support.ts";

const IDS = ["p9999.9996", "p9999.9997", "p9999.9998", "p9999.9999"];
const [P96, P97, P98, P99] = IDS as [string, string, string, string];

interface Key {
  ID: string;
  DeputyKey: string;
  ReservationKey: string;
  ExpirationTime?: string;
}

function detail(response: CallResult): string {
  return response.json().detail;
}

function counts(success: string[], failure: [string, string][] = []) {
  return {
    Counts: { Total: success.length + failure.length, Success: success.length, Failure: failure.length },
    Success: { ComponentIDs: success },
    Failure: failure.map(([ID, Reason]) => ({ ID, Reason })),
  };
}

function assertBadRequest(response: CallResult, text: string): void {
  assert.equal(response.status, 400, response.text);
  assert.equal(detail(response), text);
}

describe("locks (upstream's conformance flow)", () => {
  let smd: TestSmd;
  let service: Key[] = [];
  let admin: Key[] = [];
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());

  const post = (path: string, body: unknown) => call(smd, "POST", path, body);
  const reservedOf = async (ids: string[]) =>
    (await post("/locks/status", { ComponentIDs: ids }))
      .json()
      .Components.map((c: { Reserved: boolean }) => c.Reserved);

  test("status of components that do not exist is 400 `Component not found`", async () => {
    assertBadRequest(await post("/locks/status", { ComponentIDs: IDS }), "Component not found");
    assertBadRequest(await call(smd, "GET", "/locks/status?type=Partition"), "Component not found");
    await insertComponents(smd, IDS);
  });

  test("status of new components: unlocked, unreserved, reservations enabled", async () => {
    const expected = {
      Components: IDS.map((ID) => ({ ID, Locked: false, Reserved: false, ReservationDisabled: false })),
    };
    assert.deepEqual((await post("/locks/status", { ComponentIDs: IDS })).json(), expected);
    assert.deepEqual((await call(smd, "GET", "/locks/status?type=Partition")).json(), expected);
  });

  test("lock and unlock by type; doing either twice is 400 under rigid", async () => {
    assert.deepEqual((await post("/locks/lock", { Type: ["Partition"] })).json(), counts(IDS));
    assertBadRequest(await post("/locks/lock", { Type: ["Partition"] }), "Component is Locked");
    assert.deepEqual((await post("/locks/unlock", { Type: ["partition"] })).json(), counts(IDS));
    assertBadRequest(await post("/locks/unlock", { Type: ["Partition"] }), "Component is Unlocked");
    assert.deepEqual((await post("/locks/lock", { ComponentIDs: [P96, P97] })).json(), counts([P96, P97]));
  });

  test("service reservations: rigid fails whole (locked components), flexible reserves the rest", async () => {
    const rigid = await post("/locks/service/reservations", {
      Type: ["Partition"],
      ReservationDuration: 15,
      ProcessingModel: "rigid",
    });
    assertBadRequest(rigid, "Component is Locked");
    assert.deepEqual(await reservedOf(IDS), [false, false, false, false], "rigid failure reserved nothing");

    const before = Date.now();
    const flexible = await post("/locks/service/reservations", {
      Type: ["Partition"],
      ReservationDuration: 15,
      ProcessingModel: "Flexible",
    });
    assert.equal(flexible.status, 200);
    const body = flexible.json();
    service = body.Success;
    assert.deepEqual(
      service.map((s) => s.ID),
      [P98, P99],
    );
    for (const key of service) {
      assert.match(key.DeputyKey, new RegExp(`^${key.ID.replace(".", "\\.")}:dk:[0-9a-f-]{36}$`));
      assert.match(key.ReservationKey, new RegExp(`^${key.ID.replace(".", "\\.")}:rk:[0-9a-f-]{36}$`));
      assert.match(key.ExpirationTime ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      const minutes = (Date.parse(key.ExpirationTime ?? "") - before) / 60_000;
      assert.ok(minutes > 14.9 && minutes < 15.1, `expires in 15 minutes, not ${minutes}`);
    }
    assert.deepEqual(body.Failure, [
      { ID: P96, Reason: "Locked" },
      { ID: P97, Reason: "Locked" },
    ]);

    const again = await post("/locks/service/reservations", {
      ComponentIDs: [P98, P99],
      ReservationDuration: 15,
      ProcessingModel: "flexible",
    });
    assert.deepEqual(again.json(), {
      Success: [],
      Failure: [
        { ID: P98, Reason: "Reserved" },
        { ID: P99, Reason: "Reserved" },
      ],
    });
  });

  test("check answers live deputy keys", async () => {
    const checked = await post("/locks/service/reservations/check", {
      DeputyKeys: service.map((s) => ({ ID: s.ID, Key: s.DeputyKey })),
    });
    assert.equal(checked.status, 200);
    const body = checked.json();
    assert.deepEqual(
      body.Success.map((s: Key) => [s.ID, s.DeputyKey, s.ExpirationTime]),
      service.map((s) => [s.ID, s.DeputyKey, s.ExpirationTime]),
    );
    assert.ok(body.Success.every((s: { CreationTime?: string }) => s.CreationTime));
    assert.deepEqual(body.Failure, []);
  });

  test("renew, then release: a released key cannot be released or renewed again under rigid", async () => {
    const keys = service.map((s) => ({ ID: s.ID, Key: s.ReservationKey }));
    assert.deepEqual(
      (
        await post("/locks/service/reservations/renew", { ReservationKeys: keys, ReservationDuration: 15 })
      ).json(),
      counts([P98, P99]),
    );
    assert.deepEqual(
      (await post("/locks/service/reservations/release", { ReservationKeys: [keys[0]] })).json(),
      counts([P98]),
    );
    assertBadRequest(
      await post("/locks/service/reservations/release", { ReservationKeys: [keys[0]] }),
      "Component not found",
    );
    assert.deepEqual(
      (
        await post("/locks/service/reservations/release", {
          ReservationKeys: [keys[0]],
          ProcessingModel: "flexible",
        })
      ).json(),
      counts([], [[P98, "NotFound"]]),
    );

    const checked = await post("/locks/service/reservations/check", {
      DeputyKeys: service.map((s) => ({ ID: s.ID, Key: s.DeputyKey })),
    });
    assert.deepEqual(
      checked.json().Success.map((s: Key) => s.ID),
      [P99],
    );
    assert.deepEqual(checked.json().Failure, [{ ID: P98, Reason: "NotFound" }]);

    // A rigid renewal with one released key renews nothing.
    await smd.db.kysely
      .updateTable("reservations")
      .set({ expiration_time: new Date(Date.now() + 60_000) })
      .where("component_id", "=", P99)
      .execute();
    assertBadRequest(
      await post("/locks/service/reservations/renew", { ReservationKeys: keys, ReservationDuration: 15 }),
      "Component not found",
    );
    const status = (await post("/locks/status", { ComponentIDs: [P99] })).json().Components[0];
    assert.ok(Date.parse(status.ExpirationTime) < Date.now() + 120_000, "rolled back");

    assert.deepEqual(
      (
        await post("/locks/service/reservations/renew", {
          ReservationKeys: keys,
          ReservationDuration: 15,
          ProcessingModel: "flexible",
        })
      ).json(),
      counts([P99], [[P98, "NotFound"]]),
    );
  });

  test("a reserved component cannot be locked", async () => {
    assertBadRequest(await post("/locks/lock", { ComponentIDs: [P99] }), "Component is Reserved");
    assert.deepEqual(
      (await post("/locks/lock", { ComponentIDs: [P98, P99], ProcessingModel: "flexible" })).json(),
      counts([P98], [[P99, "Reserved"]]),
    );
    assert.deepEqual((await post("/locks/unlock", { ComponentIDs: [P98] })).json(), counts([P98]));
  });

  test("admin reservations need locked components and never expire", async () => {
    assertBadRequest(await post("/locks/reservations", { Type: ["Partition"] }), "Component is Unlocked");
    const flexible = await post("/locks/reservations", { Type: ["Partition"], ProcessingModel: "flexible" });
    const body = flexible.json();
    admin = body.Success;
    assert.deepEqual(
      admin.map((s) => s.ID),
      [P96, P97],
    );
    assert.ok(
      admin.every((s) => s.ExpirationTime === undefined && s.ReservationKey.startsWith(`${s.ID}:rk:`)),
    );
    assert.deepEqual(body.Failure, [
      { ID: P98, Reason: "Unlocked" },
      { ID: P99, Reason: "Unlocked" },
    ]);
    const status = (await post("/locks/status", { ComponentIDs: [P96] })).json().Components[0];
    assert.equal(status.Reserved, true);
    assert.equal(status.ExpirationTime, undefined);
    assert.ok(status.CreationTime);
  });

  test("remove: rigid needs every component reserved; flexible removes what there is", async () => {
    assertBadRequest(
      await post("/locks/reservations/remove", { Type: ["Partition"] }),
      "Component not found",
    );
    assert.deepEqual(await reservedOf(IDS), [true, true, false, true], "rigid failure removed nothing");
    assert.deepEqual(
      (await post("/locks/reservations/remove", { Type: ["Partition"], ProcessingModel: "flexible" })).json(),
      counts([P96, P97, P99], [[P98, "NotFound"]]),
    );
  });

  test("admin release: 200, then 400 for the released key", async () => {
    admin = (await post("/locks/reservations", { Type: ["Partition"], ProcessingModel: "flexible" })).json()
      .Success;
    const key = { ID: admin[0]?.ID, Key: admin[0]?.ReservationKey };
    assert.deepEqual(
      (await post("/locks/reservations/release", { ReservationKeys: [key] })).json(),
      counts([P96]),
    );
    assertBadRequest(
      await post("/locks/reservations/release", { ReservationKeys: [key] }),
      "Component not found",
    );
  });

  test("disable releases reservations and blocks new ones; repair allows them again", async () => {
    assert.deepEqual((await post("/locks/disable", { ComponentIDs: [P98, P99] })).json(), counts([P98, P99]));
    assert.deepEqual((await post("/locks/disable", { Type: ["Partition"] })).json(), counts(IDS));
    const status = (await call(smd, "GET", "/locks/status?type=Partition")).json().Components;
    assert.ok(
      status.every(
        (c: { Reserved: boolean; ReservationDisabled: boolean }) => !c.Reserved && c.ReservationDisabled,
      ),
    );
    assert.deepEqual(
      (await post("/locks/reservations", { ComponentIDs: [P96], ProcessingModel: "flexible" })).json(),
      { Success: [], Failure: [{ ID: P96, Reason: "Disabled" }] },
    );
    assertBadRequest(
      await post("/locks/service/reservations", { ComponentIDs: [P98], ReservationDuration: 1 }),
      "Component reservations are disabled",
    );
    assertBadRequest(
      await post("/locks/unlock", { ComponentIDs: [P96] }),
      "Component reservations are disabled",
    );
    assert.deepEqual((await post("/locks/repair", { ComponentIDs: [P98, P99] })).json(), counts([P98, P99]));
    assert.deepEqual((await post("/locks/repair", { Type: ["Partition"] })).json(), counts(IDS));
  });

  test("unlock: rigid fails on already unlocked components, flexible unlocks the locked ones", async () => {
    assertBadRequest(await post("/locks/unlock", { Type: ["Partition"] }), "Component is Unlocked");
    assert.deepEqual(
      (await post("/locks/unlock", { Type: ["Partition"], ProcessingModel: "flexible" })).json(),
      counts(
        [P96, P97],
        [
          [P98, "Unlocked"],
          [P99, "Unlocked"],
        ],
      ),
    );
  });
});

describe("locks: validation, filters, expiry", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
    await insertComponents(smd, ["x0c0s1b0n0", "x0c0s2b0n0", "x0c0s3b0n0"]);
  });
  after(() => smd.close());

  const post = (path: string, body: unknown) => call(smd, "POST", path, body);

  test("ReservationDuration must be 1–15 where it applies; ProcessingModel rigid or flexible", async () => {
    const ids = ["x0c0s1b0n0"];
    assertBadRequest(
      await post("/locks/service/reservations", { ComponentIDs: ids, ReservationDuration: 16 }),
      "Invalid Reservation Duration",
    );
    assertBadRequest(
      await post("/locks/service/reservations", { ComponentIDs: ids }),
      "ReservationDuration must be greater than 0",
    );
    assertBadRequest(
      await post("/locks/service/reservations/renew", {
        ReservationKeys: [{ ID: "x0c0s1b0n0", Key: "k" }],
        ReservationDuration: 16,
      }),
      "Invalid Reservation Duration",
    );
    assertBadRequest(
      await post("/locks/service/reservations/renew", { ReservationKeys: [{ ID: "x0c0s1b0n0", Key: "k" }] }),
      "ReservationDuration must be greater than 0",
    );
    assertBadRequest(
      await post("/locks/lock", { ComponentIDs: ids, ProcessingModel: "sloppy" }),
      "Invalid Processing Model",
    );
    assertBadRequest(
      await post("/locks/lock", { ComponentIDs: ids, ReservationDuration: 99 }),
      "Invalid Reservation Duration",
    );
    assert.match(detail(await post("/locks/lock", { ComponentIDs: "x0c0s1b0n0" })), /^error decoding JSON /);
    assert.equal((await post("/locks/status", { ComponentIDs: ids })).json().Components[0].Locked, false);
  });

  test("keys: malformed IDs and empty lists are 400", async () => {
    assertBadRequest(
      await post("/locks/reservations/release", { ReservationKeys: [{ ID: "FAKE", Key: "k" }] }),
      "got HMSTypeInvalid instead of valid type",
    );
    assertBadRequest(
      await post("/locks/reservations/release", { ReservationKeys: [] }),
      "Reservation Key required for operation",
    );
    assertBadRequest(
      await post("/locks/service/reservations/check", {}),
      "Deputy Key required for operation",
    );
  });

  test("status: NotFound lists requested IDs that matched nothing; malformed IDs are 400", async () => {
    const status = await post("/locks/status", { ComponentIDs: ["x0c0s1b0n0", "x0c0s9b0n0"] });
    assert.deepEqual(status.json(), {
      Components: [{ ID: "x0c0s1b0n0", Locked: false, Reserved: false, ReservationDisabled: false }],
      NotFound: ["x0c0s9b0n0"],
    });
    assert.equal((await post("/locks/status", { ComponentIDs: ["FAKE"] })).status, 400);
    assertBadRequest(
      await call(smd, "GET", "/locks/status?reserved=maybe"),
      "bad 'Reserved' query parameter: maybe",
    );
  });

  test("the component filter selects by group, state and more; GET status filters by reserved", async () => {
    await call(smd, "POST", "/groups", { label: "grp", members: { ids: ["x0c0s2b0n0", "x0c0s3b0n0"] } });
    assert.deepEqual(
      (await post("/locks/lock", { Group: ["GRP"] })).json(),
      counts(["x0c0s2b0n0", "x0c0s3b0n0"]),
    );
    assert.deepEqual(
      (await call(smd, "GET", "/locks/status?locked=true"))
        .json()
        .Components.map((c: { ID: string }) => c.ID),
      ["x0c0s2b0n0", "x0c0s3b0n0"],
    );
    assert.deepEqual(
      (await post("/locks/reservations", { ComponentIDs: ["x0c0s2b0n0"] }))
        .json()
        .Success.map((s: Key) => s.ID),
      ["x0c0s2b0n0"],
    );
    assert.deepEqual(
      (await call(smd, "GET", "/locks/status?Reserved=true"))
        .json()
        .Components.map((c: { ID: string }) => c.ID),
      ["x0c0s2b0n0"],
    );
    assert.deepEqual(
      (await call(smd, "GET", "/locks/status?reserved=false&locked=true"))
        .json()
        .Components.map((c: { ID: string }) => c.ID),
      ["x0c0s3b0n0"],
    );
    assert.equal((await post("/locks/lock", { State: ["Booster"] })).status, 400);
    assertBadRequest(await post("/locks/lock", { State: ["On"] }), "Component not found");
  });

  test("expired reservations are absent everywhere before the reaper runs, and the reaper deletes them", async () => {
    const id = "x0c0s1b0n0";
    const reserved = (
      await post("/locks/service/reservations", { ComponentIDs: [id], ReservationDuration: 1 })
    ).json().Success[0] as Key;
    await smd.db.kysely
      .updateTable("reservations")
      .set({ expiration_time: new Date(Date.now() - 1000) })
      .where("component_id", "=", id)
      .execute();

    assert.equal((await post("/locks/status", { ComponentIDs: [id] })).json().Components[0].Reserved, false);
    assert.deepEqual(
      (
        await post("/locks/service/reservations/check", { DeputyKeys: [{ ID: id, Key: reserved.DeputyKey }] })
      ).json().Failure,
      [{ ID: id, Reason: "NotFound" }],
    );
    assertBadRequest(
      await post("/locks/service/reservations/release", {
        ReservationKeys: [{ ID: id, Key: reserved.ReservationKey }],
      }),
      "Component not found",
    );
    assertBadRequest(
      await post("/locks/service/reservations/renew", {
        ReservationKeys: [{ ID: id, Key: reserved.ReservationKey }],
        ReservationDuration: 5,
      }),
      "Component not found",
    );

    // A new reservation replaces the expired row.
    const again = (
      await post("/locks/service/reservations", { ComponentIDs: [id], ReservationDuration: 2 })
    ).json();
    assert.equal(again.Success.length, 1);
    assert.notEqual(again.Success[0].ReservationKey, reserved.ReservationKey);

    await smd.db.kysely
      .updateTable("reservations")
      .set({ expiration_time: new Date(Date.now() - 1000) })
      .where("component_id", "=", id)
      .execute();
    const locks = new LockStore(smd.db);
    assert.deepEqual(await locks.reapExpired(), [id]);
    assert.deepEqual(await locks.reapExpired(), []);
    const left = await smd.db.kysely.selectFrom("reservations").select("component_id").execute();
    assert.deepEqual(left, [{ component_id: "x0c0s2b0n0" }], "admin reservations never expire");
  });

  test("the reaper runs on its interval and stops", async () => {
    const id = "x0c0s1b0n0";
    await post("/locks/service/reservations", { ComponentIDs: [id], ReservationDuration: 1 });
    await smd.db.kysely
      .updateTable("reservations")
      .set({ expiration_time: new Date(Date.now() - 1000) })
      .where("component_id", "=", id)
      .execute();
    const stop = startReservationReaper(new LockStore(smd.db), silentLogger(), 10);
    try {
      for (let i = 0; i < 100; i++) {
        const rows = await smd.db.kysely
          .selectFrom("reservations")
          .select("component_id")
          .where("component_id", "=", id)
          .execute();
        if (rows.length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      await stop();
    }
    const rows = await smd.db.kysely
      .selectFrom("reservations")
      .select("component_id")
      .where("component_id", "=", id)
      .execute();
    assert.deepEqual(rows, []);
  });

  test("lock writes emit `locks` and `Components` change events; deleting a component drops its reservation", async () => {
    const events: unknown[] = [];
    const unsubscribe = await smd.db.listen("smd_changes", (event) => events.push(event));
    await post("/locks/lock", { ComponentIDs: ["x0c0s1b0n0"] });
    await unsubscribe();
    assert.deepEqual(events, [
      { resource: "locks", op: "upsert", ids: ["x0c0s1b0n0"] },
      { resource: "Components", op: "upsert", ids: ["x0c0s1b0n0"] },
    ]);
    await smd.db.kysely.deleteFrom("components").where("id", "=", "x0c0s2b0n0").execute();
    const left = await smd.db.kysely.selectFrom("reservations").selectAll().execute();
    assert.deepEqual(left, []);
  });
});
