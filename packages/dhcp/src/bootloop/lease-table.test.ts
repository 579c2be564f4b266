import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { BootloopPool } from "../config/types.ts";
import { type Lease, LeaseTable } from "./lease-table.ts";
import { ip, noSmd, pool } from "./test-pools.ts";

const POOL = pool("10.0.0.0/24", "10.0.0.10", "10.0.0.14");
const MINUTE = 60_000;

function offered(table: LeaseTable, mac: string, now: number, isSmd = noSmd, p = POOL): number | undefined {
  const address = table.allocate(mac, p, now, isSmd);
  if (address !== undefined)
    table.put({ mac, ip: address, state: "offered", expiresAt: now + MINUTE, hostname: undefined });
  return address;
}

const mac = (n: number) => `52:54:00:00:00:${n.toString(16).padStart(2, "0")}`;

describe("LeaseTable allocation", () => {
  it("hands out the lowest address, skipping SMD's, and gives a client its own address again", () => {
    const table = new LeaseTable();
    const smd = new Set([ip("10.0.0.10"), ip("10.0.0.12")]);
    const isSmd = (a: number) => smd.has(a);
    assert.equal(offered(table, mac(1), 0, isSmd), ip("10.0.0.11"));
    assert.equal(offered(table, mac(2), 0, isSmd), ip("10.0.0.13"));
    assert.equal(offered(table, mac(1), 0, isSmd), ip("10.0.0.11"));
    smd.delete(ip("10.0.0.10"));
    assert.equal(offered(table, mac(3), 0, isSmd), ip("10.0.0.10"), "an address SMD gave up is free again");
  });

  it("reuses a released address before higher ones", () => {
    const table = new LeaseTable();
    for (const n of [1, 2, 3]) offered(table, mac(n), 0);
    table.remove(mac(1));
    assert.equal(offered(table, mac(4), 0), ip("10.0.0.10"));
  });

  it("skips quarantined addresses until the quarantine ends", () => {
    const table = new LeaseTable();
    table.quarantine(ip("10.0.0.10"), 5 * MINUTE);
    assert.equal(offered(table, mac(1), 0), ip("10.0.0.11"));
    for (const n of [2, 3, 4]) offered(table, mac(n), 0);
    assert.equal(table.allocate(mac(5), POOL, MINUTE - 1, noSmd), undefined);
    assert.equal(table.allocate(mac(5), POOL, 5 * MINUTE, noSmd), ip("10.0.0.10"));
  });

  it("reuses expired leases only when no never-used address is left, lowest first", () => {
    const table = new LeaseTable();
    for (const n of [1, 2, 3]) offered(table, mac(n), 0);
    // mac(1) and mac(3) expire at MINUTE; two unrecorded addresses remain, taken first.
    table.put({
      mac: mac(2),
      ip: ip("10.0.0.11"),
      state: "bound",
      expiresAt: 10 * MINUTE,
      hostname: undefined,
    });
    assert.equal(offered(table, mac(4), MINUTE), ip("10.0.0.13"));
    assert.equal(table.allocate(mac(1), POOL, MINUTE, noSmd), ip("10.0.0.10"), "its own expired address");
    assert.equal(offered(table, mac(5), MINUTE), ip("10.0.0.14"));
    assert.equal(offered(table, mac(6), MINUTE), ip("10.0.0.10"));
    assert.equal(table.get(mac(1)), undefined, "the expired record gave way");
    assert.equal(offered(table, mac(7), MINUTE), ip("10.0.0.12"));
    assert.equal(table.allocate(mac(8), POOL, MINUTE, noSmd), undefined);
  });

  it("moves a client to the pool it asks from, freeing its old address", () => {
    const other = pool("10.0.1.0/24", "10.0.1.10", "10.0.1.14");
    const table = new LeaseTable();
    offered(table, mac(1), 0);
    assert.equal(offered(table, mac(1), 0, noSmd, other), ip("10.0.1.10"));
    assert.equal(table.holder(ip("10.0.0.10")), undefined);
    assert.equal(offered(table, mac(2), 0), ip("10.0.0.10"));
  });

  it("sweeps expired leases and quarantines, making their addresses the lowest free again", () => {
    const table = new LeaseTable();
    for (const n of [1, 2]) offered(table, mac(n), 0);
    table.quarantine(ip("10.0.0.12"), 2 * MINUTE);
    assert.equal(table.sweep(MINUTE), 2);
    assert.equal(table.get(mac(1)), undefined);
    assert.equal(offered(table, mac(3), MINUTE), ip("10.0.0.10"));
    assert.equal(table.sweep(2 * MINUTE), 2, "mac(3)'s lease and the quarantine");
    assert.equal(table.quarantinedUntil(ip("10.0.0.12")), undefined);
  });

  it("does not scan a large pool per allocation, nor an exhausted one per request", () => {
    const big = pool("10.1.0.0/16", "10.1.0.1", "10.1.255.254");
    const table = new LeaseTable();
    let checks = 0;
    const isSmd = () => {
      checks++;
      return false;
    };
    for (let n = 0; n < 2000; n++) {
      const a = table.allocate(`m${n}`, big, 0, isSmd);
      table.put({ mac: `m${n}`, ip: a!, state: "offered", expiresAt: MINUTE, hostname: undefined });
    }
    checks = 0;
    assert.equal(table.allocate("another", big, 0, isSmd), ip("10.1.7.209"));
    assert.equal(checks, 1, "one candidate looked at");

    const small = pool("10.2.0.0/24", "10.2.0.1", "10.2.0.254");
    for (let n = 0; n < 254; n++) {
      const a = table.allocate(`s${n}`, small, 0, isSmd);
      table.put({ mac: `s${n}`, ip: a!, state: "offered", expiresAt: MINUTE, hostname: undefined });
    }
    assert.equal(table.allocate("late", small, 0, isSmd), undefined);
    checks = 0;
    for (let n = 0; n < 10; n++) assert.equal(table.allocate("late", small, 1, isSmd), undefined);
    assert.equal(checks, 0, "exhaustion is remembered until a record can expire");
  });
});

type Op =
  | { kind: "offer" | "bind" | "release" | "decline"; mac: number }
  | { kind: "advance"; ms: number }
  | { kind: "sweep" };

const ops = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constantFrom("offer", "bind", "release", "decline"), mac: fc.nat(11) }),
    fc.record({ kind: fc.constant("advance"), ms: fc.integer({ min: 0, max: 3 * MINUTE }) }),
    fc.record({ kind: fc.constant("sweep") }),
  ) as fc.Arbitrary<Op>,
  { maxLength: 80 },
);

/** Every address of `p` that has no record at all. */
function unrecorded(table: LeaseTable, p: BootloopPool): Set<number> {
  const free = new Set<number>();
  for (let a = p.start; a <= p.end; a++) {
    if (!table.holder(a) && table.quarantinedUntil(a) === undefined) free.add(a);
  }
  return free;
}

describe("LeaseTable properties", () => {
  it("never gives an address to two clients, stays in the pool, and allocates as documented", () => {
    const p = pool("10.0.0.0/24", "10.0.0.1", "10.0.0.8");
    fc.assert(
      fc.property(ops, fc.subarray([ip("10.0.0.2"), ip("10.0.0.5")]), (sequence, smdList) => {
        const smd = new Set(smdList);
        const isSmd = (a: number) => smd.has(a);
        const table = new LeaseTable();
        let now = 0;
        for (const op of sequence) {
          const m = op.kind === "advance" || op.kind === "sweep" ? "" : mac(op.mac);
          if (op.kind === "offer") {
            const own = table.get(m);
            const freeBefore = unrecorded(table, p);
            const available = [...Array(8).keys()]
              .map((i) => p.start + i)
              .filter((a) => table.available(a, m, now, isSmd));
            const got = table.allocate(m, p, now, isSmd);
            if (got === undefined) {
              assert.deepEqual(available, [], "exhausted only when nothing is available");
            } else {
              assert.ok(available.includes(got));
              if (got !== own?.ip) {
                for (const a of freeBefore)
                  assert.ok(a >= got || smd.has(a), "no never-used address below it");
              }
              table.put({ mac: m, ip: got, state: "offered", expiresAt: now + MINUTE, hostname: undefined });
            }
          } else if (op.kind === "bind") {
            const lease = table.get(m);
            if (lease && lease.expiresAt > now)
              table.put({ ...lease, state: "bound", expiresAt: now + 2 * MINUTE });
          } else if (op.kind === "release") {
            table.remove(m);
          } else if (op.kind === "decline") {
            const lease = table.remove(m);
            if (lease) table.quarantine(lease.ip, now + MINUTE);
          } else if (op.kind === "advance") {
            now += op.ms;
          } else {
            table.sweep(now);
          }
          const live = new Map<number, Lease>();
          for (let a = p.start; a <= p.end; a++) {
            const holder = table.holder(a);
            if (!holder) continue;
            assert.equal(table.get(holder.mac), holder, "indexes agree");
            assert.ok(holder.ip >= p.start && holder.ip <= p.end);
            if (holder.expiresAt > now) live.set(a, holder);
          }
          const liveMacs = [...live.values()].map((l) => l.mac);
          assert.equal(new Set(liveMacs).size, liveMacs.length, "one address per client");
        }
      }),
      { numRuns: 300 },
    );
  });
});
