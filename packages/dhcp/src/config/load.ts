import { readFile } from "node:fs/promises";
import { networkInterfaces } from "node:os";
import { buildConfig } from "./build.ts";
import { collectFile } from "./collect.ts";
import { DhcpConfigError } from "./errors.ts";
import { applyFlags } from "./flags.ts";
import type { Interfaces } from "./listen.ts";
import type { DhcpConfig } from "./types.ts";

export { DhcpConfigError } from "./errors.ts";
export { DHCP_FLAGS } from "./flags.ts";

export interface DhcpConfigOptions {
  /** Command-line flags by name without dashes (see DHCP_FLAGS); they override the file. */
  flags?: Readonly<Record<string, string | boolean>>;
  /** `os.networkInterfaces()` or a stand-in, for `%iface` listeners; read only when needed. */
  interfaces?: Interfaces;
  /** Non-fatal remarks (ignored keys, clamped values); dropped when absent. */
  warn?: (message: string) => void;
}

/**
 * The configuration from YAML text (dhcp.md §2), either form, with flags applied. Empty
 * text gives a configuration from flags alone. Throws DhcpConfigError on any problem.
 */
export function parseDhcpConfig(yamlText: string, options: DhcpConfigOptions = {}): DhcpConfig {
  const warn = options.warn ?? (() => {});
  const raw = collectFile(yamlText, warn);
  applyFlags(raw, options.flags ?? {});
  return buildConfig(raw, { interfaces: () => options.interfaces ?? networkInterfaces(), warn });
}

/** Reads and parses the `--config` file. */
export async function loadDhcpConfig(path: string, options: DhcpConfigOptions = {}): Promise<DhcpConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new DhcpConfigError(`${path}: cannot read the configuration: ${(error as Error).message}`);
  }
  return parseDhcpConfig(text, options);
}
