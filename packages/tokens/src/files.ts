import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { chmod, mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Creates the directory, or tightens an existing one, so only the owner can enter it. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700); // mkdir's mode does nothing for a directory that already exists
}

/**
 * Replaces `path` with `value` as JSON so readers in other processes see the old file or the
 * new one, never a partial write. The temporary file is created 0600, so a secret is never
 * readable by others, not even for a moment.
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    const file = await open(tmp, "wx", 0o600);
    try {
      await file.writeFile(`${JSON.stringify(value, null, 2)}\n`);
      await file.sync(); // the rename must never expose an empty file after a crash
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const dir = await open(dirname(path), "r");
  try {
    await dir.sync(); // make the rename itself durable
  } finally {
    await dir.close();
  }
}

/** Identifies one version of a file: an atomic replace always changes the inode or mtime. */
export type FileStamp = string;

/** The file's stamp, or undefined when it does not exist. */
export function fileStampSync(path: string): FileStamp | undefined {
  const st = statSync(path, { throwIfNoEntry: false });
  return st && `${st.ino}:${st.mtimeMs}:${st.size}`;
}

/** Reads a JSON file together with the stamp of the version read. */
export function readJsonSync(path: string): { value: unknown; stamp: FileStamp } {
  // Stamp first: if the file is replaced in between, the next check sees a new stamp and re-reads.
  const stamp = fileStampSync(path);
  if (stamp === undefined) throw new Error(`${path} does not exist`);
  const text = readFileSync(path, "utf8");
  try {
    return { value: JSON.parse(text), stamp };
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}

const LOCK_WAIT_MS = 5_000;
const LOCK_STALE_MS = 30_000;

/**
 * Runs `fn` while holding `<dir>/.lock`, so read-modify-write updates by a server and a CLI on
 * the same data directory do not lose each other's changes. A lock left by a crashed process
 * is broken once it is older than any update could take.
 */
export async function withDirLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lockPath = `${dir}/.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const lock = await open(lockPath, "wx", 0o600);
      await lock.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const held = await stat(lockPath).catch(() => undefined);
    if (held && Date.now() - held.mtimeMs > LOCK_STALE_MS) {
      await rm(lockPath, { force: true });
    } else if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${lockPath}; remove it if no other openchami process runs`);
    } else {
      await sleep(20);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}
