import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { sql } from "kysely";
import { migratedPglite } from "./snapshot.ts";

const run = promisify(execFile);

async function cacheFiles(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith("openchami-pglite-"));
}

describe("migratedPglite", () => {
  let dir: string;
  let set: { name: string; dir: string };
  let created: string[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "openchami-snapshot-test-"));
    // A unique file, so the first call below really creates a snapshot.
    await writeFile(join(dir, "0001_things.sql"), `create table things (id int8); -- ${randomUUID()}`);
    set = { name: "snapshot-test", dir };
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
    for (const file of created ?? []) await rm(join(tmpdir(), file), { force: true });
  });

  it("creates a snapshot once, then loads it into independent databases", async (t) => {
    const existing = new Set(await cacheFiles());
    let started = performance.now();
    const first = await migratedPglite([set]);
    t.diagnostic(`fresh PGlite + migrate + dump + load took ${Math.round(performance.now() - started)} ms`);
    created = (await cacheFiles()).filter((name) => !existing.has(name));
    assert.equal(created.length, 1);
    assert.ok(!created[0]?.endsWith(".partial"));

    started = performance.now();
    const second = await migratedPglite([set]);
    t.diagnostic(`snapshot load took ${Math.round(performance.now() - started)} ms`);

    await sql`insert into things values (1)`.execute(first.kysely);
    const count = sql<{ n: number }>`select count(*) as n from things`;
    assert.deepEqual((await count.execute(first.kysely)).rows, [{ n: 1 }]);
    assert.deepEqual((await count.execute(second.kysely)).rows, [{ n: 0 }]);
    await Promise.all([first.close(), second.close()]);
  });

  it("lets a later process reuse the cached snapshot file", async (t) => {
    const file = join(tmpdir(), created[0]!);
    const writtenAt = (await stat(file)).mtimeMs;
    const script = `
      import { migratedPglite } from "@openchami/testkit";
      const started = performance.now();
      const db = await migratedPglite([${JSON.stringify(set)}]);
      console.log(Math.round(performance.now() - started));
      await db.close();`;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script]);
    t.diagnostic(`snapshot load in a new process took ${stdout.trim()} ms`);
    assert.equal((await stat(file)).mtimeMs, writtenAt);
  });
});
