import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { appendFile, chown, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./ports.ts";

const run = promisify(execFile);

const INSTALL_ROOT = "/usr/lib/postgresql";
const DATABASE = "test";

/** The newest `/usr/lib/postgresql/<version>/bin` holding initdb and pg_ctl (Debian's layout). */
export function postgresBinDir(): string | undefined {
  if (!existsSync(INSTALL_ROOT)) return undefined;
  return readdirSync(INSTALL_ROOT)
    .filter((version) => /^\d+(\.\d+)?$/.test(version))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(INSTALL_ROOT, version, "bin"))
    .find((bin) => existsSync(join(bin, "initdb")) && existsSync(join(bin, "pg_ctl")));
}

/** PostgreSQL refuses to run as root; then its files and processes belong to this account. */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .map((line) => line.split(":"))
    .find((fields) => fields[0] === "postgres");
  return entry ? { uid: Number(entry[2]), gid: Number(entry[3]) } : undefined;
}

function skipReason(): string | false {
  if (!postgresBinDir()) {
    return `PostgreSQL binaries not found (no ${INSTALL_ROOT}/<version>/bin with initdb and pg_ctl)`;
  }
  if (process.getuid?.() === 0 && !serverAccount()) {
    return "PostgreSQL cannot run as root and there is no 'postgres' user to run it as";
  }
  return false;
}

/** For node:test: `describe("...", { skip: skipWithoutPostgres }, ...)`. */
export const skipWithoutPostgres: string | false = skipReason();

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:<port>/test`, trust authentication. */
  url: string;
  /** Immediate shutdown and removal of every file; safe to call twice. */
  stop(): Promise<void>;
}

/** Servers not stopped yet, killed on process exit so none outlives a failed test run. */
const running = new Map<string, { pidFile: string }>();

/**
 * Starts a throwaway PostgreSQL on a free port of 127.0.0.1, its socket and data in a
 * fresh temporary directory, durability off for speed. Always pair it with
 * `after(() => server.stop())`; a process-exit hook kills whatever is left.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const reason = skipReason();
  if (reason) throw new Error(reason);
  const bin = postgresBinDir()!;
  const account = serverAccount();
  const dir = await mkdtemp(join(tmpdir(), "openchami-pg-"));
  if (account) await chown(dir, account.uid, account.gid);
  const data = join(dir, "data");
  const log = join(dir, "server.log");
  const asServer = (program: string, args: string[]) =>
    run(join(bin, program), args, { cwd: dir, ...account });

  registerExitHook();
  running.set(dir, { pidFile: join(data, "postmaster.pid") });
  const stop = async () => {
    if (!running.delete(dir)) return;
    await asServer("pg_ctl", ["stop", "--silent", "-m", "immediate", "-D", data]).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const port = await freePort();
    await asServer("initdb", [
      "-D",
      data,
      "-U",
      "postgres",
      "-A",
      "trust",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    await appendFile(
      join(data, "postgresql.conf"),
      [
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        "fsync = off",
        "synchronous_commit = off",
        "full_page_writes = off",
        "",
      ].join("\n"),
    );
    await asServer("pg_ctl", ["start", "--silent", "-w", "-D", data, "-l", log]);
    await asServer("createdb", ["-h", dir, "-p", String(port), "-U", "postgres", DATABASE]);
    return { url: `postgres://postgres@127.0.0.1:${port}/${DATABASE}`, stop };
  } catch (err) {
    const serverLog = await readFile(log, "utf8").catch(() => "(no server log)");
    await stop();
    throw new Error(`could not start PostgreSQL: ${String(err)}\n${serverLog}`, { cause: err });
  }
}

let exitHookRegistered = false;

function registerExitHook(): void {
  if (exitHookRegistered) return;
  exitHookRegistered = true;
  process.on("exit", killRunning);
  // Signals skip "exit" unless handled: clean up, then die of the same signal.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killRunning();
      process.kill(process.pid, signal);
    });
  }
}

/** Synchronous, for the exit hook: SIGQUIT is PostgreSQL's immediate shutdown. */
function killRunning(): void {
  for (const [dir, { pidFile }] of running) {
    try {
      const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
      process.kill(pid, "SIGQUIT");
    } catch {
      // Not started or already gone.
    }
    rmSync(dir, { recursive: true, force: true });
  }
  running.clear();
}
