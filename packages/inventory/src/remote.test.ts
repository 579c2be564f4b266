import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createLogger } from "@openchami/core";
import { runInventoryConformance } from "./conformance.ts";
import { RemoteInventory, type RemoteInventoryOptions } from "./remote.ts";
import { startTestSmd, type TestSmd } from "./test-smd.ts";

runInventoryConformance("RemoteInventory (HTTP)", async () => {
  const smd = await startTestSmd();
  return {
    smdUrl: smd.url,
    db: smd.db,
    source: new RemoteInventory({ url: smd.url, minRefreshIntervalMs: 0 }),
    close: () => smd.close(),
  };
});

async function post(smd: TestSmd, path: string, body: unknown, token?: string): Promise<void> {
  const response = await fetch(`${smd.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  assert.ok(response.ok, `POST ${path}: ${response.status}`);
}

/** Log lines at warn level and above, parsed. */
function capturedLogger() {
  const lines: { msg: string; path?: string }[] = [];
  const logger = createLogger({
    level: "warn",
    destination: { write: (line: string) => lines.push(JSON.parse(line)) },
  });
  return { logger, lines };
}

const componentGets = (smd: TestSmd) =>
  smd.requests.filter((r) => r.method === "GET" && r.path.startsWith("/State/Components"));

describe("RemoteInventory", () => {
  let smd: TestSmd;
  const sources: RemoteInventory[] = [];
  const remote = (options: Partial<RemoteInventoryOptions> = {}) => {
    const source = new RemoteInventory({ url: smd.url, ...options });
    sources.push(source);
    return source;
  };

  before(async () => {
    smd = await startTestSmd();
    await post(smd, "/State/Components", { Components: [{ ID: "x1c0s0b0n0", State: "Ready", NID: 1 }] });
    await post(smd, "/Inventory/EthernetInterfaces", {
      MACAddress: "52:54:00:00:00:01",
      ComponentID: "x1c0s0b0n0",
    });
  });

  // Closed after each test, so no earlier source's polling shows in a later test's request counts.
  afterEach(async () => {
    for (const source of sources.splice(0)) await source.close();
  });

  after(() => smd.close());

  it("keeps the last index when a refresh fails, and recovers on its own with back-off", async () => {
    const { logger, lines } = capturedLogger();
    const source = remote({ minRefreshIntervalMs: 0, retryMs: 50, logger });
    await source.start();
    const loaded = source.current();
    assert.equal(loaded.byMac("52:54:00:00:00:01")?.xname, "x1c0s0b0n0");

    smd.failWhen = () => true;
    try {
      source.requestRefresh();
      await source.settled();
      assert.equal(source.current(), loaded, "the same index still serves");
      assert.equal(source.loaded, true);
      assert.ok(lines.some((l) => l.msg.includes("refresh failed")));
    } finally {
      smd.failWhen = undefined;
    }
    const recovered = new Promise<void>((resolve) => source.onChange(() => resolve()));
    await recovered;
    assert.ok(source.current().version > loaded.version);
    assert.equal(source.current().byNid(1)?.xname, "x1c0s0b0n0");
  });

  it("is not loaded, and serves an empty index, while SMD has never answered", async () => {
    smd.failWhen = () => true;
    try {
      const source = remote({ retryMs: 60_000 });
      await source.start();
      assert.equal(source.loaded, false);
      assert.equal(source.current().size, 0);
    } finally {
      smd.failWhen = undefined;
    }
  });

  it("fails the refresh, keeping the last index, when an optional collection read before fails", async () => {
    await post(smd, "/groups", { label: "compute", members: { ids: ["x1c0s0b0n0"] } });
    const source = remote({ minRefreshIntervalMs: 0, retryMs: 60_000 });
    await source.start();
    const loaded = source.current();
    assert.deepEqual(loaded.byXname("x1c0s0b0n0")?.groups, ["compute"]);
    smd.failWhen = (path) => path.startsWith("/memberships");
    try {
      source.requestRefresh();
      await source.settled();
      assert.equal(source.current(), loaded);
    } finally {
      smd.failWhen = undefined;
    }
  });

  it("turns a storm of requestRefresh() into at most one fetch per min interval", async () => {
    const interval = 300;
    const source = remote({ minRefreshIntervalMs: interval });
    await source.start();
    const first = componentGets(smd).length;
    const started = Date.now();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 1000; i++) source.requestRefresh();
      await source.settled();
    }
    const fetches = componentGets(smd).slice(first - 1);
    assert.equal(fetches.length, 4, "the first load, then one per storm");
    for (let i = 1; i < fetches.length; i++) {
      const gap = fetches[i]!.at - fetches[i - 1]!.at;
      // Measured on arrival at SMD, a few ms after each start: allow that jitter.
      assert.ok(gap >= interval - 20, `fetches ${gap} ms apart`);
    }
    assert.ok(Date.now() - started >= 3 * interval - 15);
  });

  it("revalidates with If-None-Match and reuses the body on 304", async () => {
    const source = remote({ minRefreshIntervalMs: 0 });
    await source.start();
    const mark = smd.requests.length;
    source.requestRefresh();
    await source.settled();
    const revalidated = smd.requests.slice(mark).filter((r) => r.ifNoneMatch !== undefined);
    assert.deepEqual(revalidated.map((r) => [r.path.split("?")[0], r.status]).sort(), [
      ["/Inventory/EthernetInterfaces", 304],
      ["/State/Components", 304],
    ]);
    assert.equal(source.current().byMac("52:54:00:00:00:01")?.xname, "x1c0s0b0n0");
  });

  it("polls on its own", async () => {
    const source = remote({ pollIntervalMs: 50, minRefreshIntervalMs: 0 });
    await source.start();
    await post(smd, "/State/Components", { Components: [{ ID: "x1c0s1b0n0", State: "Ready", NID: 2 }] });
    const deadline = Date.now() + 5_000;
    while (!source.current().byNid(2) && Date.now() < deadline) await sleep(20);
    assert.equal(source.current().byNid(2)?.xname, "x1c0s1b0n0");
  });
});

describe("RemoteInventory against SMD with auth on", () => {
  let smd: TestSmd;
  let token: string;
  const sources: RemoteInventory[] = [];

  before(async () => {
    smd = await startTestSmd({ auth: true });
    token = await smd.token(["admin"]);
    await post(smd, "/State/Components", { Components: [{ ID: "x1c0s0b0n0", State: "Ready" }] }, token);
    await post(smd, "/groups", { label: "compute", members: { ids: ["x1c0s0b0n0"] } }, token);
  });

  after(async () => {
    for (const source of sources) await source.close();
    await smd.close();
  });

  it("sends the token (from a function) with every GET", async () => {
    const readToken = await smd.token(["read"]);
    const source = new RemoteInventory({ url: smd.url, token: async () => readToken });
    sources.push(source);
    const mark = smd.requests.length;
    await source.start();
    const gets = smd.requests.slice(mark);
    assert.equal(gets.length, 4);
    for (const get of gets) {
      assert.equal(get.authorization, `Bearer ${readToken}`);
      assert.equal(get.status, 200, get.path);
    }
    assert.deepEqual(source.current().byXname("x1c0s0b0n0")?.groups, ["compute"]);
  });

  it("continues without the protected collections when it has no token, warning once", async () => {
    const { logger, lines } = capturedLogger();
    const source = new RemoteInventory({ url: smd.url, minRefreshIntervalMs: 0, logger });
    sources.push(source);
    await source.start();
    source.requestRefresh();
    await source.settled();
    assert.equal(source.loaded, true);
    const node = source.current().byXname("x1c0s0b0n0");
    assert.deepEqual(node?.groups, []);
    assert.equal(node?.endpoint, "absent");
    const warned = lines.filter((l) => l.msg.includes("unreadable")).map((l) => l.path);
    assert.deepEqual(warned.sort(), ["/Inventory/ComponentEndpoints", "/memberships"]);
  });
});
