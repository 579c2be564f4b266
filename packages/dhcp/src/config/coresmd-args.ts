import { DhcpConfigError } from "./errors.ts";

/**
 * The argument strings of CoreDHCP plugins (dhcp.md §2.1): split on whitespace, `/* … *\/`
 * comment tokens removed, then either `key=value` pairs or, for coresmd and bootloop, the
 * legacy positional form from before coresmd v0.5.0.
 */

export interface PluginArg {
  key: string;
  value: string;
}

export interface PluginKeys {
  /** Every key the plugin knows, repeatable ones included. */
  readonly known: readonly string[];
  /** Keys that may appear more than once; their values keep their order. */
  readonly repeatable: readonly string[];
  /** The keys of the legacy positional form, in order. */
  readonly positional: readonly string[];
}

export const PLUGIN_KEYS = {
  coresmd: {
    known: [
      "svc_base_uri",
      "ipxe_base_uri",
      "ca_cert",
      "cache_valid",
      "lease_time",
      "single_port",
      "tftp_dir",
      "tftp_port",
      "domain",
      "rule_log",
      "rule",
      "node_pattern",
      "bmc_pattern",
      "svc_token_file",
      "tftp_max_transfers",
      "tftp_max_blksize",
      "tftp_max_windowsize",
      "tftp_timeout",
      "tftp_retries",
    ],
    // The legacy patterns become rules, in place among the `rule=` entries.
    repeatable: ["rule", "node_pattern", "bmc_pattern"],
    positional: ["svc_base_uri", "ipxe_base_uri", "ca_cert", "cache_valid", "lease_time", "single_port"],
  },
  bootloop: {
    known: ["lease_file", "script_path", "lease_time", "subnet_pool", "ipv4_start", "ipv4_end"],
    repeatable: ["subnet_pool"],
    positional: ["lease_file", "script_path", "lease_time", "ipv4_start", "ipv4_end"],
  },
} as const satisfies Record<string, PluginKeys>;

export type ArgsPlugin = keyof typeof PLUGIN_KEYS;

/**
 * Whitespace-separated tokens without comments. A token starting `/*` opens a comment and
 * one ending `*\/` closes it (both at once for `/*x*\/`). A `/*` inside an open comment means
 * the first was never closed: upstream's own example loses `lease_time=5m` that way.
 */
export function tokenizePluginArgs(plugin: string, text: string): string[] {
  const tokens: string[] = [];
  let comment: string[] | undefined;
  for (const token of text.split(/\s+/)) {
    if (token === "") continue;
    const opens = token.startsWith("/*");
    // In `/*/` the `*` cannot both open and close.
    const closes = token.endsWith("*/") && (!opens || token.length >= 4);
    if (opens) {
      if (comment !== undefined) throw unterminated(plugin, comment, 'runs into the next "/*"');
      comment = [];
    } else if (closes && comment === undefined) {
      throw new DhcpConfigError(`${plugin}: "${token}" closes a comment that was never opened with "/*"`);
    }
    if (comment !== undefined) {
      comment.push(token);
      if (closes) comment = undefined;
      continue;
    }
    tokens.push(token);
  }
  if (comment !== undefined) throw unterminated(plugin, comment, 'is never closed with "*/"');
  return tokens;
}

function unterminated(plugin: string, comment: readonly string[], why: string): DhcpConfigError {
  return new DhcpConfigError(`${plugin}: unterminated comment: "${comment.join(" ")}" ${why}`);
}

/** The arguments of `coresmd` or `bootloop` as ordered key/value pairs, checked against its keys. */
export function parsePluginArgs(plugin: ArgsPlugin, text: string): PluginArg[] {
  const keys: PluginKeys = PLUGIN_KEYS[plugin];
  const tokens = tokenizePluginArgs(plugin, text);
  if (tokens.length > 0 && tokens.every((token) => !token.includes("=")))
    return positional(plugin, keys, tokens);
  const args: PluginArg[] = [];
  for (const token of tokens) {
    const equals = token.indexOf("=");
    if (equals < 0) throw new DhcpConfigError(`${plugin}: stray token "${token}" (expected key=value)`);
    const arg = { key: token.slice(0, equals), value: token.slice(equals + 1) };
    checkKey(plugin, keys, arg.key, args);
    args.push(arg);
  }
  return args;
}

/** Throws unless `key` is known and, when not repeatable, not among `seen` yet. */
export function checkKey(plugin: string, keys: PluginKeys, key: string, seen: readonly PluginArg[]): void {
  if (!keys.known.includes(key)) {
    throw new DhcpConfigError(`${plugin}: unknown key "${key}" (known: ${keys.known.join(", ")})`);
  }
  if (!keys.repeatable.includes(key) && seen.some((arg) => arg.key === key)) {
    throw new DhcpConfigError(`${plugin}: ${key}: given more than once`);
  }
}

function positional(plugin: string, keys: PluginKeys, tokens: readonly string[]): PluginArg[] {
  if (tokens.length !== keys.positional.length) {
    throw new DhcpConfigError(
      `${plugin}: expected key=value pairs or the legacy positional form ` +
        `(${keys.positional.length} values: ${keys.positional.join(" ")}), got ${tokens.length}: "${tokens.join(" ")}"`,
    );
  }
  return tokens.map((value, i) => ({ key: keys.positional[i]!, value }));
}
