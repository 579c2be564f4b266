import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { silentLogger } from "@openchami/core";
import { Refresher, type RefreshPolicy } from "./refresher.ts";

const NO_LIMITS: RefreshPolicy = { minIntervalMs: 0, retryMs: 10_000, maxRetryMs: 10_000 };

/** A refresh that records when it starts and ends only when released. */
function gatedRefresh() {
  const starts: number[] = [];
  let release: () => void = () => {};
  const refresh = () => {
    starts.push(Date.now());
    return new Promise<void>((resolve) => {
      release = resolve;
    });
  };
  return { refresh, starts, release: () => release() };
}

describe("Refresher", () => {
  const refreshers: Refresher[] = [];
  const make = (refresh: () => Promise<void>, policy: Partial<RefreshPolicy> = {}) => {
    const refresher = new Refresher(refresh, { ...NO_LIMITS, ...policy }, silentLogger());
    refreshers.push(refresher);
    return refresher;
  };
  afterEach(() => {
    for (const refresher of refreshers.splice(0)) refresher.close();
  });

  it("starts a requested run at once, and settled() resolves right away when idle", async () => {
    let runs = 0;
    const refresher = make(async () => {
      runs++;
    });
    await refresher.settled();
    refresher.request();
    assert.equal(runs, 1, "started synchronously");
    await refresher.settled();
    assert.equal(runs, 1);
  });

  it("coalesces requests made during a run into one more run, which settled() waits for", async () => {
    const gate = gatedRefresh();
    const refresher = make(gate.refresh);
    for (let i = 0; i < 100; i++) refresher.request();
    assert.equal(gate.starts.length, 1);
    for (let i = 0; i < 100; i++) refresher.request();
    let settled = false;
    const waiting = refresher.settled().then(() => {
      settled = true;
    });
    gate.release();
    await sleep(5);
    assert.equal(gate.starts.length, 2, "the queued run started when the first ended");
    assert.equal(settled, false, "settled() waits for the queued run too");
    gate.release();
    await waiting;
    assert.equal(gate.starts.length, 2);
  });

  it("starts runs no closer together than minIntervalMs", async () => {
    const starts: number[] = [];
    const refresher = make(async () => void starts.push(Date.now()), { minIntervalMs: 100 });
    for (let round = 0; round < 3; round++) {
      refresher.request();
      await refresher.settled();
    }
    assert.equal(starts.length, 3);
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i]! - starts[i - 1]! >= 95);
  });

  it("retries failures with doubling back-off, never rejecting settled(), until one succeeds", async () => {
    const starts: number[] = [];
    const refresher = make(
      async () => {
        starts.push(Date.now());
        if (starts.length <= 3) throw new Error("unreachable");
      },
      { retryMs: 20, maxRetryMs: 1_000 },
    );
    refresher.request();
    await refresher.settled();
    const deadline = Date.now() + 2_000;
    while (starts.length < 4 && Date.now() < deadline) await sleep(10);
    await sleep(200);
    assert.equal(starts.length, 4, "three failures, one success, then quiet");
    const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
    assert.ok(gaps[0]! >= 15 && gaps[1]! >= 35 && gaps[2]! >= 75, `gaps ${gaps}`);
  });

  it("polls after each success when a poll interval is set", async () => {
    let runs = 0;
    const refresher = make(
      async () => {
        runs++;
      },
      { pollIntervalMs: 20 },
    );
    refresher.request();
    await sleep(150);
    assert.ok(runs >= 3, `${runs} runs`);
  });

  it("on close, releases waiters and starts nothing more", async () => {
    let runs = 0;
    const refresher = make(
      async () => {
        runs++;
      },
      { minIntervalMs: 60_000 },
    );
    refresher.request();
    await refresher.settled();
    refresher.request();
    const waiting = refresher.settled();
    refresher.close();
    await waiting;
    refresher.request();
    await refresher.settled();
    assert.equal(runs, 1);
  });
  it("rests restFactor times a run's duration before the next, so writes get the database", async () => {
    const starts: number[] = [];
    const refresher = make(
      async () => {
        starts.push(Date.now());
        await sleep(40);
      },
      { restFactor: 2 },
    );
    refresher.request();
    refresher.request(); // queued behind the first
    await refresher.settled();
    assert.equal(starts.length, 2);
    // The second waited ≥ 2 × 40 ms after the first ended (some slack for timer granularity).
    assert.ok(starts[1]! - starts[0]! >= 40 + 80 - 5, `gap ${starts[1]! - starts[0]!} ms`);
  });
});
