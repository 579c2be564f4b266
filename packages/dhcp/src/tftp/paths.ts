import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import { ErrorCode } from "./packet.ts";

/**
 * Path safety (dhcp.md §5.3): requested names are relative to the TFTP root and may not
 * leave it, by syntax or through symlinks.
 */

export interface PathRefusal {
  ok: false;
  code: typeof ErrorCode.FILE_NOT_FOUND | typeof ErrorCode.ACCESS_VIOLATION;
  /** For logs and the ERROR message; never reveals paths outside the root. */
  reason: string;
}

export type NameCheck = { ok: true; name: string } | PathRefusal;

export type PathResolution = { ok: true; path: string; size: number; mtimeMs: number } | PathRefusal;

const DRIVE_PREFIX = /^[A-Za-z]:/;

function refuse(code: PathRefusal["code"], reason: string): PathRefusal {
  return { ok: false, code, reason };
}

/**
 * The checks that need no disk. On success `name` is normalised (`./` and repeated slashes
 * removed), which is also the name generated files are looked up by.
 */
export function checkName(name: string): NameCheck {
  const denied = (reason: string) => refuse(ErrorCode.ACCESS_VIOLATION, reason);
  if (name.includes("\0")) return denied("NUL in file name");
  if (name.startsWith("/") || name.startsWith("\\")) return denied("absolute path");
  if (name.includes("\\")) return denied("backslash in file name");
  if (DRIVE_PREFIX.test(name)) return denied("drive prefix");
  if (name.split("/").includes("..")) return denied("parent directory segment");
  const normalised = path.posix.normalize(name);
  if (normalised === "." || normalised.endsWith("/")) return denied("not a regular file");
  return { ok: true, name: normalised };
}

/** The real path of `name` under `root`, if it is a regular file that stays inside it. */
export async function resolveSafePath(root: string, name: string): Promise<PathResolution> {
  const checked = checkName(name);
  if (!checked.ok) return checked;
  try {
    const realRoot = await realpath(root);
    const real = await realpath(path.join(realRoot, checked.name));
    const relative = path.relative(realRoot, real);
    if (
      relative === "" ||
      relative.startsWith(`..${path.sep}`) ||
      relative === ".." ||
      path.isAbsolute(relative)
    ) {
      return refuse(ErrorCode.ACCESS_VIOLATION, "outside the TFTP root");
    }
    const info = await stat(real);
    if (!info.isFile()) return refuse(ErrorCode.ACCESS_VIOLATION, "not a regular file");
    return { ok: true, path: real, size: info.size, mtimeMs: info.mtimeMs };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return refuse(ErrorCode.FILE_NOT_FOUND, "file not found");
    return refuse(ErrorCode.ACCESS_VIOLATION, `cannot access file (${code ?? "error"})`);
  }
}
