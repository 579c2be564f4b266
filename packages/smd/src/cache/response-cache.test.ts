import assert from "node:assert/strict";
import { test } from "node:test";
import { etagOf, matchesIfNoneMatch, ResponseCache } from "./response-cache.ts";

test("builds once per key until invalidated", async () => {
  const cache = new ResponseCache(8);
  let builds = 0;
  const build = async () => `body ${++builds}`;
  assert.equal((await cache.get("a", build)).body, "body 1");
  assert.equal((await cache.get("a", build)).body, "body 1");
  cache.invalidate();
  assert.equal((await cache.get("a", build)).body, "body 2");
});

test("invalidating keys drops only those", async () => {
  const cache = new ResponseCache(8);
  await cache.get("a", async () => "a1");
  await cache.get("b", async () => "b1");
  cache.invalidate(["a"]);
  assert.equal((await cache.get("a", async () => "a2")).body, "a2");
  assert.equal((await cache.get("b", async () => "b2")).body, "b1");
});

test("a build that raced an invalidation is served but not kept", async () => {
  const cache = new ResponseCache(8);
  let release!: () => void;
  const slow = cache.get("a", () => new Promise((resolve) => (release = () => resolve("stale"))));
  cache.invalidate();
  release();
  assert.equal((await slow).body, "stale");
  assert.equal((await cache.get("a", async () => "fresh")).body, "fresh");
});

test("ETags are strong, equal for equal bodies, and If-None-Match matches lists and *", () => {
  const tag = etagOf("[]");
  assert.equal(tag, etagOf("[]"));
  assert.notEqual(tag, etagOf("[ ]"));
  assert.match(tag, /^"[A-Za-z0-9_-]+"$/);
  assert.ok(matchesIfNoneMatch(tag, tag));
  assert.ok(matchesIfNoneMatch(`"x", W/${tag}`, tag));
  assert.ok(matchesIfNoneMatch("*", tag));
  assert.ok(!matchesIfNoneMatch('"other"', tag));
  assert.ok(!matchesIfNoneMatch(undefined, tag));
});
