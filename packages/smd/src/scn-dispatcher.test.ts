import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "@openchami/core";
import type { Subscription } from "./domain/scn.ts";
import { subscription } from "./domain/test-helpers.ts";
import { ScnDispatcher, type ScnDispatcherOptions } from "./scn-dispatcher.ts";
import { SubscriptionStore } from "./store/subscriptions.ts";
import { call, startSmd, type TestSmd } from "./test-support.ts";

/** A webhook receiver on loopback that records what it is sent and answers via `respond`. */
interface Receiver {
  url: string;
  posts: { path: string; body: unknown; contentType: string | undefined }[];
  respond: (request: IncomingMessage, response: ServerResponse) => void;
  close(): Promise<void>;
}

async function receiver(): Promise<Receiver> {
  const state: Receiver = {
    url: "",
    posts: [],
    respond: (_request, response) => response.writeHead(200).end(),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk) => {
      text += chunk;
    });
    request.on("end", () => {
      state.posts.push({
        path: request.url ?? "",
        body: JSON.parse(text),
        contentType: request.headers["content-type"],
      });
      state.respond(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

function dispatcher(
  subscriptions: Subscription[],
  options: Partial<ScnDispatcherOptions> = {},
): ScnDispatcher {
  return new ScnDispatcher({
    logger: silentLogger(),
    load: async () => subscriptions,
    backoffMs: 5,
    ...options,
  });
}

describe("ScnDispatcher", () => {
  let hook: Receiver;
  before(async () => {
    hook = await receiver();
  });
  after(() => hook.close());

  test("POSTs an event as JSON once per distinct subscribed URL whose triggers match", async () => {
    hook.posts = [];
    const scn = dispatcher([
      subscription(1, `${hook.url}/ready`, { states: ["Ready"] }),
      subscription(2, `${hook.url}/ready`, { states: ["Ready", "Off"] }),
      subscription(3, `${hook.url}/off`, { states: ["Off"] }),
      subscription(4, `${hook.url}/roles`, { roles: ["Compute"], subRoles: ["Worker"] }),
      subscription(5, `${hook.url}/sw`, { softwareStatus: ["AdminDown"] }),
      subscription(6, `${hook.url}/enabled`, { enabled: true }),
      subscription(7, `${hook.url}/not-enabled`, { enabled: false, states: ["On"] }),
    ]);
    await scn.refresh();
    scn.publish({ Components: ["x0c0s0b0n0"], State: "Ready", Flag: "OK" });
    scn.publish({ Components: ["x0c0s0b0n1"], Role: "Service", SubRole: "Worker" });
    scn.publish({ Components: ["x0c0s0b0n2"], SoftwareStatus: "admindown" });
    scn.publish({ Components: ["x0c0s0b0n3"], Enabled: false });
    scn.publish({ Components: ["x0c0s0b0n4"], Flag: "Alert" });
    scn.publish({ Components: [], State: "Ready" });
    await scn.idle();
    const byPath = Object.fromEntries(hook.posts.map((post) => [post.path, post.body]));
    assert.equal(hook.posts.length, 4);
    assert.deepEqual(byPath, {
      "/ready": { Components: ["x0c0s0b0n0"], State: "Ready", Flag: "OK" },
      "/roles": { Components: ["x0c0s0b0n1"], Role: "Service", SubRole: "Worker" },
      "/sw": { Components: ["x0c0s0b0n2"], SoftwareStatus: "admindown" },
      "/enabled": { Components: ["x0c0s0b0n3"], Enabled: false },
    });
    assert.ok(hook.posts.every((post) => post.contentType === "application/json"));
    assert.deepEqual(scn.stats, {
      queued: 0,
      backingOff: 0,
      inFlight: 0,
      delivered: 4,
      failed: 0,
      dropped: 0,
    });
    await scn.close();
  });

  test("a failing receiver is retried with backoff, then counted as failed", async () => {
    hook.posts = [];
    let failures = 2;
    hook.respond = (_request, response) => response.writeHead(failures-- > 0 ? 503 : 200).end();
    const scn = dispatcher([subscription(1, `${hook.url}/flaky`, { states: ["On"] })], { attempts: 3 });
    await scn.refresh();
    scn.publish({ Components: ["x1"], State: "On" });
    await scn.idle();
    assert.equal(hook.posts.length, 3, "two failures, then success");
    assert.equal(scn.stats.delivered, 1);

    hook.posts = [];
    hook.respond = (_request, response) => response.writeHead(500).end();
    scn.publish({ Components: ["x1"], State: "On" });
    await scn.idle();
    assert.equal(hook.posts.length, 3, "three tries in all");
    assert.equal(scn.stats.failed, 1);
    hook.respond = (_request, response) => response.writeHead(200).end();
    await scn.close();
  });

  test("unreachable and slow receivers fail by error and by timeout without blocking publish", async () => {
    const closed = await receiver();
    const deadUrl = closed.url;
    await closed.close();
    hook.respond = () => {}; // never answers
    const scn = dispatcher(
      [
        subscription(1, `${deadUrl}/dead`, { states: ["On"] }),
        subscription(2, `${hook.url}/slow`, { states: ["On"] }),
      ],
      { attempts: 1, timeoutMs: 50 },
    );
    await scn.refresh();
    const started = performance.now();
    scn.publish({ Components: ["x1"], State: "On" });
    assert.ok(performance.now() - started < 20, "publish only enqueues");
    await scn.idle();
    assert.equal(scn.stats.failed, 2);
    hook.respond = (_request, response) => response.writeHead(200).end();
    await scn.close();
  });

  test("the queue is bounded: beyond the limit deliveries are dropped and counted", async () => {
    hook.posts = [];
    const held: ServerResponse[] = [];
    hook.respond = (_request, response) => held.push(response);
    const scn = dispatcher([subscription(1, `${hook.url}/held`, { states: ["On"] })], {
      concurrency: 1,
      queueLimit: 5,
    });
    await scn.refresh();
    for (let i = 0; i < 10; i++) scn.publish({ Components: [`x${i}`], State: "On" });
    assert.deepEqual(scn.stats, {
      queued: 5,
      backingOff: 0,
      inFlight: 1,
      delivered: 0,
      failed: 0,
      dropped: 4,
    });
    hook.respond = (_request, response) => response.writeHead(200).end();
    while (held.length > 0) held.pop()?.writeHead(200).end();
    await scn.idle();
    assert.equal(scn.stats.delivered, 6);
    assert.deepEqual(
      hook.posts.map((post) => (post.body as { Components: string[] }).Components[0]),
      ["x0", "x1", "x2", "x3", "x4", "x5"],
    );
    await scn.close();
  });

  test("the byte bound drops deliveries whose payloads would not fit", async () => {
    const held: ServerResponse[] = [];
    hook.respond = (_request, response) => held.push(response);
    const scn = dispatcher([subscription(1, `${hook.url}/bytes`, { states: ["On"] })], {
      concurrency: 1,
      queueBytesLimit: 100,
    });
    await scn.refresh();
    scn.publish({ Components: ["x".repeat(60)], State: "On" });
    scn.publish({ Components: ["x".repeat(60)], State: "On" });
    assert.equal(scn.stats.dropped, 1);
    hook.respond = (_request, response) => response.writeHead(200).end();
    while (held.length > 0) held.pop()?.writeHead(200).end();
    await scn.idle();
    await scn.close();
  });

  test("close discards pending deliveries and aborts those in flight", async () => {
    hook.respond = () => {};
    const scn = dispatcher([subscription(1, `${hook.url}/closing`, { states: ["On"] })], { concurrency: 1 });
    await scn.refresh();
    scn.publish({ Components: ["x1"], State: "On" });
    scn.publish({ Components: ["x2"], State: "On" });
    await scn.close();
    await scn.idle();
    assert.equal(scn.stats.queued, 0);
    scn.publish({ Components: ["x3"], State: "On" });
    assert.equal(scn.stats.queued, 0, "a closed dispatcher accepts nothing");
    hook.respond = (_request, response) => response.writeHead(200).end();
  });
});

/** Publishes until a delivery arrives (or, with `until` false, stops arriving); whether the last one did. */
async function deliveredWithin(scn: ScnDispatcher, hook: Receiver, until = true): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const before = hook.posts.length;
    scn.publish({ Components: ["x1"], State: "Ready" });
    await scn.idle();
    const delivered = hook.posts.length > before;
    if (delivered === until) return delivered;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return !until;
}

describe("ScnDispatcher subscription cache", () => {
  let smd: TestSmd;
  let hook: Receiver;
  before(async () => {
    smd = await startSmd();
    hook = await receiver();
  });
  after(async () => {
    await hook.close();
    await smd.close();
  });

  test("starts even when the first load fails, and reloads periodically", async () => {
    let loads = 0;
    const scn = new ScnDispatcher({
      logger: silentLogger(),
      refreshIntervalMs: 10,
      load: async () => {
        loads++;
        if (loads === 1) throw new Error("database down");
        return [subscription(1, `${hook.url}/periodic`, { states: ["On"] })];
      },
    });
    await scn.start(smd.db);
    while (loads < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    scn.publish({ Components: ["x1"], State: "On" });
    await scn.idle();
    assert.ok(hook.posts.some((post) => post.path === "/periodic"));
    await scn.close();
  });

  test("follows subscription writes through the change feed (any replica's)", async () => {
    const store = new SubscriptionStore(smd.db);
    const scn = new ScnDispatcher({ logger: silentLogger(), load: () => store.list() });
    await scn.start(smd.db);
    const created = await call(smd, "POST", "/Subscriptions/SCN", {
      Subscriber: "test",
      Url: `${hook.url}/feed`,
      States: ["ready"],
    });
    assert.equal(created.status, 200);
    // No explicit refresh: the POST's change event reloads the cache.
    assert.equal(await deliveredWithin(scn, hook), true);
    await call(smd, "DELETE", "/Subscriptions/SCN");
    assert.equal(await deliveredWithin(scn, hook, false), false);
    await scn.close();
  });
});
