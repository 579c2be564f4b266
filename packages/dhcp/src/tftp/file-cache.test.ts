import assert from "node:assert/strict";
import { test } from "node:test";
import { FileCache } from "./file-cache.ts";

function countingReader() {
  const reads: string[] = [];
  const read = async (path: string) => {
    reads.push(path);
    await new Promise((resolve) => setImmediate(resolve));
    if (path === "broken") throw new Error("EIO");
    return Buffer.from(`${path}#${reads.length}`);
  };
  return { reads, read };
}

test("100 concurrent requests for one file share a single read", async () => {
  const { reads, read } = countingReader();
  const cache = new FileCache(1 << 20, read);
  const file = { path: "ipxe.efi", size: 10, mtimeMs: 1 };
  const contents = await Promise.all(Array.from({ length: 100 }, () => cache.get(file)));
  assert.deepEqual(reads, ["ipxe.efi"]);
  assert.ok(contents.every((data) => data === contents[0]));
});

test("a new mtime or size reads the file again", async () => {
  const { reads, read } = countingReader();
  const cache = new FileCache(1 << 20, read);
  await cache.get({ path: "f", size: 10, mtimeMs: 1 });
  await cache.get({ path: "f", size: 10, mtimeMs: 2 });
  await cache.get({ path: "f", size: 11, mtimeMs: 2 });
  await cache.get({ path: "f", size: 11, mtimeMs: 2 });
  assert.equal(reads.length, 3);
});

test("least recently used files are evicted beyond the byte budget", async () => {
  const { reads, read } = countingReader();
  const cache = new FileCache(25, read);
  await cache.get({ path: "a", size: 10, mtimeMs: 1 });
  await cache.get({ path: "b", size: 10, mtimeMs: 1 });
  await cache.get({ path: "a", size: 10, mtimeMs: 1 }); // a is now the most recent
  await cache.get({ path: "c", size: 10, mtimeMs: 1 }); // evicts b
  await cache.get({ path: "a", size: 10, mtimeMs: 1 });
  await cache.get({ path: "b", size: 10, mtimeMs: 1 });
  assert.deepEqual(reads, ["a", "b", "c", "b"]);
  await cache.get({ path: "huge", size: 26, mtimeMs: 1 });
  await cache.get({ path: "huge", size: 26, mtimeMs: 1 });
  assert.deepEqual(reads.slice(4), ["huge", "huge"], "files over the budget are not cached");
});

test("a failed read is not cached", async () => {
  const { reads, read } = countingReader();
  const cache = new FileCache(1 << 20, read);
  const file = { path: "broken", size: 1, mtimeMs: 1 };
  await assert.rejects(cache.get(file));
  await assert.rejects(cache.get(file));
  assert.equal(reads.length, 2);
});
