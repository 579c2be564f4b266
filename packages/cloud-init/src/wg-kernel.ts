import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Logger } from "@openchami/core";

const run = promisify(execFile);

/**
 * The kernel side of WireGuard (§4 "Kernel"), used only with WIREGUARD_APPLY=true:
 * `ip` and `wg` through execFile (no shell); the private key through a 0600 temporary
 * file, never argv.
 */
export class WgKernel {
  readonly #iface: string;
  readonly #logger: Logger;

  constructor(iface: string, logger: Logger) {
    this.#iface = iface;
    this.#logger = logger;
  }

  async setup(options: {
    privateKey: string;
    serverIp: string;
    prefix: number;
    port: number;
  }): Promise<void> {
    const dev = this.#iface;
    try {
      await run("ip", ["link", "show", "dev", dev]);
    } catch {
      await run("ip", ["link", "add", "dev", dev, "type", "wireguard"]);
    }
    await run("ip", ["addr", "replace", `${options.serverIp}/${options.prefix}`, "dev", dev]);
    const dir = await mkdtemp(join(tmpdir(), "ci-wg-"));
    const file = join(dir, "key");
    try {
      await writeFile(file, `${options.privateKey}\n`, { mode: 0o600 });
      await run("wg", ["set", dev, "listen-port", String(options.port), "private-key", file]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await run("ip", ["link", "set", dev, "up"]);
  }

  async addPeer(publicKey: string, tunnelIp: string): Promise<void> {
    await this.#wg(["set", this.#iface, "peer", publicKey, "allowed-ips", `${tunnelIp}/32`]);
  }

  async removePeer(publicKey: string): Promise<void> {
    await this.#wg(["set", this.#iface, "peer", publicKey, "remove"]);
  }

  async #wg(args: string[]): Promise<void> {
    try {
      await run("wg", args);
    } catch (err) {
      this.#logger.error({ err, command: `wg ${args.slice(0, 3).join(" ")}` }, "wg failed");
    }
  }
}
