/**
 * The network and the processes of the benchmark: two namespaces joined by a veth pair
 * (packages/testkit createNetnsPair), the server side at 10.100.255.1/24, the client side at
 * 10.100.255.2/24. perfdhcp's DHCPv4 traffic is relay-style: it binds `<-l address>:67`, sets
 * giaddr to that address (checked with a dgram listener: source 10.100.255.2:67, giaddr
 * 10.100.255.2, flags 0), and servers answer to giaddr:67, which is on the link.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, openSync, readFileSync } from "node:fs";
import { createNetnsPair, type NetnsPair, netnsUnavailable } from "@openchami/testkit";
import { onCleanup } from "./cleanup.ts";

export const SERVER_ADDRESS = "10.100.255.1";
export const CLIENT_ADDRESS = "10.100.255.2";
export const ROUTER_ADDRESS = "10.100.255.254";
export const SERVER_IF = "vsrv";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Lab {
  net: NetnsPair;
  /** Runs a command in the client namespace to completion. */
  client(argv: string[], timeoutMs?: number): Promise<RunResult>;
}

export function labUnavailable(): string | undefined {
  return netnsUnavailable("perfdhcp", "curl");
}

export function createLab(): Lab {
  const net = createNetnsPair({ tag: `ocb${process.pid % 10000}`, subnet: "10.100.255" });
  onCleanup(() => net.remove());
  const result = net.exec(net.client, ["ip", "addr", "add", `${CLIENT_ADDRESS}/24`, "dev", net.clientIf]);
  if (result.status !== 0) throw new Error(`client address: ${result.stderr}`);
  return {
    net,
    client: (argv, timeoutMs = 600_000) => run([...net.prefix(net.client), ...argv], timeoutMs),
  };
}

/** Spawns, collects output, and kills the command if it outlives `timeoutMs`. */
async function run(argv: string[], timeoutMs: number): Promise<RunResult> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  onCleanup(() => child.exitCode === null && child.kill("SIGKILL"));
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const [code] = (await once(child, "close")) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

export interface Daemon {
  pid: number;
  logFile: string;
  exited(): boolean;
  /** The end of its log, for error messages. */
  tail(): string;
  stop(): Promise<void>;
}

/**
 * Starts a long-running server in the server namespace with stdout and stderr going to
 * `logFile`, so writing logs costs what it costs on a host, not a terminal or a pipe we read.
 */
export function startDaemon(lab: Lab, argv: string[], logFile: string, env: NodeJS.ProcessEnv = {}): Daemon {
  const fd = openSync(logFile, "w");
  const full = [...lab.net.prefix(lab.net.server), ...argv];
  const child: ChildProcess = spawn(full[0]!, full.slice(1), {
    stdio: ["ignore", fd, fd],
    env: { ...process.env, ...env },
  });
  closeSync(fd);
  onCleanup(() => child.exitCode === null && child.kill("SIGKILL"));
  const tail = () => readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n");
  return {
    pid: child.pid!,
    logFile,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    tail,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
