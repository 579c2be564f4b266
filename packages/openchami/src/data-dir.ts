import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** `$XDG_DATA_HOME/openchami`, else `~/.local/share/openchami` (the XDG default). */
export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_DATA_HOME || join(env.HOME || homedir(), ".local", "share");
  return join(base, "openchami");
}

/** Creates the data dir (owner-only: it holds signing keys and the database). */
export function ensureDataDir(dir: string): string {
  const path = resolve(dir);
  mkdirSync(path, { recursive: true, mode: 0o700 });
  return path;
}
