import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { call, startSmd, type TestSmd } from "../test-support.ts";

const NODE = "x1c0s0b0n0";
const CPU = "x1c0s0b0n0p0";

/** A Node or Processor location holding the FRU with this serial number. */
function hardware(id: string, serial: string): object {
  const kind = id === NODE ? "Node" : "Processor";
  return {
    ID: id,
    [`${kind}LocationInfo`]: {},
    PopulatedFRU: { [`${kind}FRUInfo`]: { Manufacturer: "AMD", SerialNumber: serial } },
  };
}

function fruId(id: string, serial: string): string {
  return `${id === NODE ? "Node" : "Processor"}.AMD.${serial}`;
}

async function post(smd: TestSmd, ...entries: object[]) {
  const response = await call(smd, "POST", "/Inventory/Hardware", { Hardware: entries });
  assert.equal(response.status, 200);
}

/** The [ID, FRUID, EventType] triples of one location's history, oldest first. */
async function events(smd: TestSmd, id: string): Promise<string[][]> {
  const body = (await call(smd, "GET", `/Inventory/Hardware/History/${id}`)).json();
  return body.History.map((e: Record<string, string>) => [e.ID, e.FRUID, e.EventType]);
}

function detail(response: { json: () => { detail: string } }): string {
  return response.json().detail;
}

describe("Inventory/Hardware/History", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd();
  });
  after(() => smd.close());

  test("FRU changes record Added/Removed; rewriting an unchanged inventory records nothing", async () => {
    await post(smd, hardware(NODE, "N1"), hardware(CPU, "C1"));
    await post(smd, hardware(NODE, "N1"), hardware(CPU, "C1"));
    await post(smd, hardware(CPU, "C2"));
    assert.deepEqual(await events(smd, NODE), [[NODE, fruId(NODE, "N1"), "Added"]]);
    assert.deepEqual(await events(smd, CPU), [
      [CPU, fruId(CPU, "C1"), "Added"],
      [CPU, fruId(CPU, "C1"), "Removed"],
      [CPU, fruId(CPU, "C2"), "Added"],
    ]);
  });

  test("deleting a FRU or a location records Removed; a FRU moving records both ends", async () => {
    await call(smd, "DELETE", `/Inventory/HardwareByFRU/${fruId(CPU, "C2")}`);
    const moved = "x1c0s0b0n0p1";
    await post(smd, hardware(moved, "C1"));
    await call(smd, "DELETE", `/Inventory/Hardware/${NODE}`);
    assert.deepEqual((await events(smd, CPU)).slice(-1), [[CPU, fruId(CPU, "C2"), "Removed"]]);
    assert.deepEqual(await events(smd, moved), [[moved, fruId(CPU, "C1"), "Added"]]);
    assert.deepEqual((await events(smd, NODE)).slice(-1), [[NODE, fruId(NODE, "N1"), "Removed"]]);
  });

  test("GET groups by location, sorted; each event has ID, FRUID, RFC 3339 Timestamp, EventType", async () => {
    const body = (await call(smd, "GET", "/Inventory/Hardware/History")).json();
    assert.deepEqual(
      body.Components.map((c: { ID: string }) => c.ID),
      [NODE, CPU, "x1c0s0b0n0p1"],
    );
    const [first] = body.Components[0].History;
    assert.deepEqual(Object.keys(first), ["ID", "FRUID", "Timestamp", "EventType"]);
    assert.match(first.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
  });

  test("GET filters: id, fruid, eventtype (case-insensitive), starttime/endtime (exclusive)", async () => {
    const ids = async (query: string) =>
      (await call(smd, "GET", `/Inventory/Hardware/History?${query}`))
        .json()
        .Components.map((c: { ID: string; History: unknown[] }) => `${c.ID}:${c.History.length}`);
    assert.deepEqual(await ids(`id=${CPU.toUpperCase()}`), [`${CPU}:4`]);
    assert.deepEqual(await ids("eventtype=REMOVED"), [`${NODE}:1`, `${CPU}:2`]);
    assert.deepEqual(await ids(`fruid=${fruId(CPU, "C1")}&eventtype=added`), [`${CPU}:1`, "x1c0s0b0n0p1:1"]);
    assert.deepEqual(await ids("starttime=2999-01-01T00:00:00Z"), []);
    assert.deepEqual(await ids("endtime=2000-01-01T00:00:00Z"), []);
    assert.deepEqual(await ids("starttime=2000-01-01T00:00:00%2B01:00&endtime=2999-01-01T00:00:00Z"), [
      `${NODE}:2`,
      `${CPU}:4`,
      "x1c0s0b0n0p1:1",
    ]);
  });

  test("GET filters: 400 for a malformed id, event type or time", async () => {
    const cases: [string, string][] = [
      ["id=FAKE", "Invalid xname"],
      ["eventtype=Moved", "Invalid HWInvHist event type"],
      ["starttime=yesterday", "Argument was not in a valid RFC3339 time format"],
      ["endtime=2024-01-01", "Argument was not in a valid RFC3339 time format"],
    ];
    for (const [query, expected] of cases) {
      const response = await call(smd, "GET", `/Inventory/Hardware/History?${query}`);
      assert.equal(response.status, 400, query);
      assert.equal(detail(response), expected, query);
    }
  });

  test("GET one: 200 with an empty list when there is none; malformed → 400 `Invalid xname`", async () => {
    const empty = await call(smd, "GET", "/Inventory/Hardware/History/X0009C0S0B0N0");
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.json(), { ID: "x9c0s0b0n0", History: [] });
    const filtered = (await call(smd, "GET", `/Inventory/Hardware/History/${CPU}?eventtype=Added`)).json();
    assert.equal(filtered.History.length, 2);
    const malformed = await call(smd, "GET", "/Inventory/Hardware/History/FAKE");
    assert.equal(malformed.status, 400);
    assert.equal(detail(malformed), "Invalid xname");
  });

  test("ByFRU: grouped by FRU ID, GET one by FRU (200 even when empty)", async () => {
    const body = (await call(smd, "GET", "/Inventory/HardwareByFRU/History")).json();
    assert.deepEqual(
      body.Components.map((c: { ID: string; History: unknown[] }) => `${c.ID}:${c.History.length}`),
      [`${fruId(NODE, "N1")}:2`, `${fruId(CPU, "C1")}:3`, `${fruId(CPU, "C2")}:2`],
    );
    const one = (await call(smd, "GET", `/Inventory/HardwareByFRU/History/${fruId(CPU, "C1")}`)).json();
    assert.equal(one.ID, fruId(CPU, "C1"));
    assert.deepEqual(
      one.History.map((e: Record<string, string>) => `${e.ID}:${e.EventType}`),
      [`${CPU}:Added`, `${CPU}:Removed`, "x1c0s0b0n0p1:Added"],
    );
    const filtered = (await call(smd, "GET", `/Inventory/HardwareByFRU/History?id=${NODE}`)).json();
    assert.deepEqual(
      filtered.Components.map((c: { ID: string }) => c.ID),
      [fruId(NODE, "N1")],
    );
    assert.deepEqual((await call(smd, "GET", "/Inventory/HardwareByFRU/History/none")).json(), {
      ID: "none",
      History: [],
    });
  });

  test("re-writing a FRU whose history was deleted records Scanned", async () => {
    assert.deepEqual((await call(smd, "DELETE", "/Inventory/Hardware/History/x1c0s0b0n0p1")).json(), {
      code: 0,
      message: "deleted 1 entry",
    });
    await post(smd, hardware("x1c0s0b0n0p1", "C1"));
    assert.deepEqual(await events(smd, "x1c0s0b0n0p1"), [["x1c0s0b0n0p1", fruId(CPU, "C1"), "Scanned"]]);
  });

  test("DELETE one location's or one FRU's events: 200, then 404 `no entries to delete`; malformed → 400", async () => {
    assert.deepEqual((await call(smd, "DELETE", `/Inventory/Hardware/History/${NODE}`)).json(), {
      code: 0,
      message: "deleted 2 entries",
    });
    assert.equal(
      detail(await call(smd, "DELETE", `/Inventory/Hardware/History/${NODE}`)),
      "no entries to delete",
    );
    assert.equal(detail(await call(smd, "DELETE", "/Inventory/Hardware/History/FAKE")), "Invalid xname");
    const byFru = await call(smd, "DELETE", `/Inventory/HardwareByFRU/History/${fruId(CPU, "C2")}`);
    assert.deepEqual(byFru.json(), { code: 0, message: "deleted 2 entries" });
    const again = await call(smd, "DELETE", `/Inventory/HardwareByFRU/History/${fruId(CPU, "C2")}`);
    assert.equal(again.status, 404);
    assert.equal(detail(again), "no entries to delete");
  });

  test("DELETE all (either collection): 200, then 404; GET answers an empty list", async () => {
    const events: unknown[] = [];
    const unsubscribe = await smd.db.listen("smd_changes", (event) => events.push(event));
    assert.equal((await call(smd, "DELETE", "/Inventory/Hardware/History")).status, 200);
    await unsubscribe();
    assert.deepEqual(events, [{ resource: "HardwareHistory", op: "delete", ids: [CPU, "x1c0s0b0n0p1"] }]);
    assert.equal(detail(await call(smd, "DELETE", "/Inventory/Hardware/History")), "no entries to delete");
    assert.equal(
      detail(await call(smd, "DELETE", "/Inventory/HardwareByFRU/History")),
      "no entries to delete",
    );
    assert.deepEqual((await call(smd, "GET", "/Inventory/Hardware/History")).json(), { Components: [] });
    assert.deepEqual((await call(smd, "GET", "/Inventory/HardwareByFRU/History")).json(), { Components: [] });
  });

  test("writes emit HardwareHistory change events for the locations that got events", async () => {
    const events: unknown[] = [];
    const unsubscribe = await smd.db.listen("smd_changes", (event) => events.push(event));
    await post(smd, hardware(CPU, "C9"), hardware("x1c0s0b0n0p1", "C1"));
    await unsubscribe();
    assert.deepEqual(events, [
      { resource: "HardwareHistory", op: "upsert", ids: [CPU, "x1c0s0b0n0p1"] },
      { resource: "Hardware", op: "upsert", ids: [CPU, "x1c0s0b0n0p1"] },
    ]);
  });
});

describe("Inventory/Hardware/History pruning", () => {
  let smd: TestSmd;
  before(async () => {
    smd = await startSmd({ deps: { hardwareHistoryMaxAgeDays: 30 } });
  });
  after(() => smd.close());

  test("writes prune events older than the configured age", async () => {
    await post(smd, hardware(NODE, "OLD"));
    await sql`update hw_inv_history set "timestamp" = now() - interval '31 days'`.execute(smd.db.kysely);
    await post(smd, hardware(CPU, "NEW"));
    assert.deepEqual(await events(smd, NODE), []);
    assert.deepEqual(await events(smd, CPU), [[CPU, fruId(CPU, "NEW"), "Added"]]);
  });
});
