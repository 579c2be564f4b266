import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isProblem } from "@openchami/core";
import fc from "fast-check";
import { eventsForWrites, type HistoryEvent, historyFilter, type LatestEvent } from "./hardware-history.ts";

describe("eventsForWrites", () => {
  it("Added for a new location, Removed+Added for a new FRU, nothing for an unchanged one", () => {
    const current = new Map([
      ["a", "F1"],
      ["b", "F2"],
    ]);
    const latest = new Map<string, LatestEvent>([
      ["a", { fruId: "F1", eventType: "Added" }],
      ["b", { fruId: "F2", eventType: "Added" }],
    ]);
    const writes = [
      { id: "a", fruId: "F1" },
      { id: "b", fruId: "F3" },
      { id: "c", fruId: "F4" },
    ];
    assert.deepEqual(eventsForWrites(writes, current, latest), [
      { id: "b", fruId: "F2", eventType: "Removed" },
      { id: "b", fruId: "F3", eventType: "Added" },
      { id: "c", fruId: "F4", eventType: "Added" },
    ]);
  });

  it("Scanned when the location's history does not already name its FRU", () => {
    const current = new Map([["a", "F1"]]);
    assert.deepEqual(eventsForWrites([{ id: "a", fruId: "F1" }], current, new Map()), [
      { id: "a", fruId: "F1", eventType: "Scanned" },
    ]);
  });

  /** Any sequence of writes and removals, replayed the way the store applies them. */
  const step = fc.oneof(
    fc.record({
      kind: fc.constant("write" as const),
      id: fc.constantFrom("a", "b", "c"),
      fruId: fc.constantFrom("F1", "F2", "F3"),
    }),
    fc.record({ kind: fc.constant("remove" as const), id: fc.constantFrom("a", "b", "c") }),
    fc.record({ kind: fc.constant("forget" as const), id: fc.constantFrom("a", "b", "c") }),
  );

  it("never records consecutive duplicates, and after a write the latest event names the written FRU", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const current = new Map<string, string>();
        const history = new Map<string, HistoryEvent[]>();
        const latest = () =>
          new Map(
            [...history].flatMap(([id, events]) =>
              events.length > 0 ? [[id, events.at(-1) as LatestEvent]] : [],
            ),
          );
        for (const s of steps) {
          if (s.kind === "forget") history.set(s.id, []);
          if (s.kind === "remove") {
            const held = current.get(s.id);
            if (held !== undefined)
              history.set(s.id, [
                ...(history.get(s.id) ?? []),
                { id: s.id, fruId: held, eventType: "Removed" },
              ]);
            current.delete(s.id);
          }
          if (s.kind === "write") {
            const before = current.get(s.id);
            const events = eventsForWrites([s], current, latest());
            for (const event of events) {
              assert.equal(event.id, s.id);
              if (event.eventType === "Removed") assert.equal(event.fruId, before);
              else assert.equal(event.fruId, s.fruId);
            }
            history.set(s.id, [...(history.get(s.id) ?? []), ...events]);
            current.set(s.id, s.fruId);
            assert.equal(history.get(s.id)?.at(-1)?.fruId, s.fruId);
          }
        }
        for (const events of history.values()) {
          for (let i = 1; i < events.length; i++) {
            const [a, b] = [events[i - 1] as HistoryEvent, events[i] as HistoryEvent];
            assert.ok(a.fruId !== b.fruId || a.eventType !== b.eventType, JSON.stringify(events));
          }
        }
      }),
    );
  });
});

describe("historyFilter", () => {
  const params = (query: Record<string, string[]>) => new Map(Object.entries(query));

  it("normalises ids and event types and parses RFC 3339 times", () => {
    assert.deepEqual(
      historyFilter(
        params({
          id: ["X0001C0S0B0N0"],
          eventtype: ["added", "SCANNED"],
          starttime: ["2024-05-01T10:00:00.5+02:00"],
        }),
      ),
      {
        ids: ["x1c0s0b0n0"],
        fruIds: undefined,
        eventTypes: ["Added", "Scanned"],
        after: new Date("2024-05-01T08:00:00.500Z"),
        before: undefined,
      },
    );
  });

  it("rejects anything but RFC 3339 date-times", () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const looksRfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(
          raw,
        );
        try {
          historyFilter(params({ endtime: [raw] }));
          assert.ok(looksRfc3339);
        } catch (error) {
          assert.ok(isProblem(error) && error.status === 400);
        }
      }),
    );
  });
});
