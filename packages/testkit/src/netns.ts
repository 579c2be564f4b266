import { execFileSync, spawnSync } from "node:child_process";

/**
 * Two network namespaces joined by a veth pair, for tests with real DHCP/TFTP/DNS clients
 * (dhcp.md §8.2). The server side gets an address and a limited-broadcast route; neither
 * side has a default route, so nothing can leave the machine. Needs root and iproute2.
 */
export interface NetnsPair {
  /** Namespace names. */
  server: string;
  client: string;
  /** Interface names inside them. */
  serverIf: string;
  clientIf: string;
  serverAddress: string;
  /** Runs a command inside a namespace (argv, no shell). */
  exec(ns: string, argv: string[], options?: { timeoutMs?: number; input?: string }): NetnsResult;
  /** argv prefix that runs a command in a namespace, for spawn. */
  prefix(ns: string): string[];
  /** Removes both namespaces (and with them the veth pair). Safe to call twice. */
  remove(): void;
}

export interface NetnsResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Why namespace tests cannot run here, or undefined when they can. */
export function netnsUnavailable(...tools: string[]): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (network namespaces)";
  for (const tool of ["ip", ...tools]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `needs ${tool} (not installed)`;
  }
  return undefined;
}

function ip(args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * Creates `<tag>s` and `<tag>c` namespaces with `10.<n>.0.1/24` on the server side. `tag`
 * keeps parallel test files apart; leftovers of a crashed run with the same tag are removed.
 */
export function createNetnsPair(options: { tag: string; subnet?: string; clientMac?: string }): NetnsPair {
  const server = `${options.tag}s`;
  const client = `${options.tag}c`;
  const subnet = options.subnet ?? "10.99.0";
  const serverAddress = `${subnet}.1`;
  const remove = () => {
    for (const ns of [server, client]) spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
  };
  remove();
  try {
    ip(["netns", "add", server]);
    ip(["netns", "add", client]);
    ip(["link", "add", "vsrv", "netns", server, "type", "veth", "peer", "name", "vcli", "netns", client]);
    ip(["-n", server, "addr", "add", `${serverAddress}/24`, "dev", "vsrv"]);
    if (options.clientMac) ip(["-n", client, "link", "set", "vcli", "address", options.clientMac]);
    for (const ns of [server, client]) ip(["-n", ns, "link", "set", "lo", "up"]);
    ip(["-n", server, "link", "set", "vsrv", "up"]);
    ip(["-n", client, "link", "set", "vcli", "up"]);
    ip(["-n", server, "route", "add", "broadcast", "255.255.255.255", "dev", "vsrv"]);
  } catch (error) {
    remove();
    throw error;
  }
  const prefix = (ns: string) => ["ip", "netns", "exec", ns];
  return {
    server,
    client,
    serverIf: "vsrv",
    clientIf: "vcli",
    serverAddress,
    prefix,
    exec(ns, argv, execOptions = {}) {
      const [command, ...args] = [...prefix(ns), ...argv];
      const result = spawnSync(command!, args, {
        encoding: "utf8",
        timeout: execOptions.timeoutMs ?? 30_000,
        input: execOptions.input,
      });
      return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
    },
    remove,
  };
}
