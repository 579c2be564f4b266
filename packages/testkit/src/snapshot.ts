import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "@openchami/core";
import { type Db, type DbOptions, type MigrationSet, openDb, pgliteVersion } from "@openchami/db";

/** Snapshots this process already has in hand (or is making), by cache key. */
const snapshots = new Map<string, Promise<Blob>>();

/**
 * An in-memory PGlite with `sets` migrated, in about half a second: it loads a dumped
 * data directory instead of initialising one (about 3 s). The dump is made once per
 * distinct migrations and PGlite version and cached in the OS temp directory, so later
 * test processes reuse it too. Every call returns an independent database.
 */
export async function migratedPglite(sets: MigrationSet[], options: DbOptions = {}): Promise<Db> {
  const key = await cacheKey(sets);
  let snapshot = snapshots.get(key);
  if (!snapshot) {
    snapshot = readOrCreateSnapshot(join(tmpdir(), `openchami-pglite-${key}.tar.gz`), sets);
    snapshots.set(key, snapshot);
    snapshot.catch(() => snapshots.delete(key));
  }
  return openDb({ memory: true, loadDataDir: await snapshot }, { logger: silentLogger(), ...options });
}

/** Covers every file in the migration directories, not just the `.sql` ones the runner reads. */
async function cacheKey(sets: readonly MigrationSet[]): Promise<string> {
  const hash = createHash("sha256").update(`pglite ${pgliteVersion()}\0`);
  for (const set of sets) {
    hash.update(`set ${set.name}\0`);
    for (const file of (await readdir(set.dir)).sort()) {
      hash
        .update(`file ${file}\0`)
        .update(await readFile(join(set.dir, file)))
        .update("\0");
    }
  }
  return hash.digest("hex").slice(0, 16);
}

async function readOrCreateSnapshot(path: string, sets: MigrationSet[]): Promise<Blob> {
  const cached = await readFile(path).catch(() => undefined);
  if (cached) return new Blob([cached]);
  const db = await openDb({ memory: true }, { logger: silentLogger() });
  try {
    await db.migrate(sets);
    const snapshot = await db.dumpDataDir!();
    // Written aside and renamed: a concurrent test process never reads half a file.
    const partial = `${path}.${randomUUID()}.partial`;
    await writeFile(partial, new Uint8Array(await snapshot.arrayBuffer()));
    await rename(partial, path);
    return snapshot;
  } finally {
    await db.close();
  }
}
