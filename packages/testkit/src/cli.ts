import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

/** The launcher binary, run as an operator would (tests across packages use it). */
const BIN = new URL("../../openchami/bin/openchami.js", import.meta.url).pathname;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `openchami` binary to completion. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const [code] = await once(child, "exit");
  return { code: code as number | null, stdout, stderr };
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** JSON log lines seen so far. */
  logs: Record<string, unknown>[];
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

/**
 * Starts `openchami serve` on a free port and resolves once it logs that it is ready. `wrap`
 * prefixes the command (e.g. `ip netns exec ns`, which execs, so signals still reach node).
 */
export async function startServeProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  wrap: readonly string[] = [],
): Promise<ServeProcess> {
  const argv = [...wrap, process.execPath, BIN, "serve", "--host", "127.0.0.1", "--port", "0", ...args];
  const child = spawn(argv[0]!, argv.slice(1), {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  const logs: Record<string, unknown>[] = [];
  const ready = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === "openchami is ready") resolve(entry.url as string);
      } catch {
        // not a log line
      }
    });
    child.once("exit", (code) => reject(new Error(`openchami serve exited with ${code}: ${stderr}`)));
  });
  const url = await ready;
  return {
    child,
    url,
    logs,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null) return { code: child.exitCode, ms: 0 };
      const started = performance.now();
      const exited = once(child, "exit");
      child.kill(signal);
      const [code] = await exited;
      return { code: code as number | null, ms: performance.now() - started };
    },
  };
}
