import { parseDocument } from "yaml";
import { legacyPatternRule } from "../rules/parse.ts";
import {
  type ArgsPlugin,
  checkKey,
  PLUGIN_KEYS,
  type PluginArg,
  parsePluginArgs,
  tokenizePluginArgs,
} from "./coresmd-args.ts";
import { DhcpConfigError } from "./errors.ts";
import { type Raw, trimQuotes } from "./values.ts";

/**
 * The configuration file (dhcp.md §2.1), in CoreDHCP or structured form, reduced to raw
 * strings per section and key, so that both forms and the flags share one validation.
 */

export type SectionName = "server4" | "coresmd" | "bootloop" | "dns_server";
/** Key → its values in order (one for scalar keys). */
export type RawSection = Map<string, Raw[]>;
export type RawConfig = Map<SectionName, RawSection>;

/** The standard CoreDHCP plugins kept here, and how many arguments each takes. */
const STANDARD_PLUGINS: Readonly<Record<string, "one" | "list">> = {
  server_id: "one",
  dns: "list",
  router: "list",
  netmask: "one",
  lease_time: "one",
};
/** CoreDHCP plugins that exist upstream but are not offered here. */
const UNSUPPORTED_PLUGINS = [
  "file",
  "mtu",
  "searchdomains",
  "staticroute",
  "autoconfigure",
  "ipv6only",
  "nbp",
  "prefix",
  "range",
  "sleep",
];
const SERVER4_EXTRA_KEYS = ["listen", "subnet", "broadcast_address"];
const DNS_SERVER_KEYS = ["listen", "zone", "ttl", "forward"];

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** A mapping, or {} for an empty (null) value. */
function mapping(value: unknown, where: string): Mapping {
  if (value === null || value === undefined) return {};
  if (!isMapping(value)) throw new DhcpConfigError(`${where}: expected a mapping of keys`);
  return value;
}

function scalar(value: unknown, where: string): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new DhcpConfigError(`${where}: expected a single value, got ${JSON.stringify(value)}`);
}

/** A YAML list, or a whitespace-separated string as CoreDHCP writes lists. */
function list(value: unknown, where: string): Raw[] {
  const items = Array.isArray(value)
    ? value.map((item) => scalar(item, where))
    : scalar(value, where).split(/\s+/);
  return items.filter((item) => item !== "").map((item) => ({ value: item, where }));
}

function rejectUnknown(object: Mapping, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      throw new DhcpConfigError(`${where}: unknown key "${key}" (known: ${allowed.join(", ")})`);
    }
  }
}

/** The named section, created empty when missing. */
export function section(raw: RawConfig, name: SectionName): RawSection {
  const found = raw.get(name) ?? new Map<string, Raw[]>();
  raw.set(name, found);
  return found;
}

function push(target: RawSection, key: string, values: Raw[]): void {
  target.set(key, [...(target.get(key) ?? []), ...values]);
}

/** Plugin args into a section; the legacy patterns join `rule` in their place. */
function addPluginArgs(raw: RawConfig, plugin: ArgsPlugin, args: readonly PluginArg[]): void {
  const target = section(raw, plugin);
  for (const { key, value } of args) {
    const where = `${plugin}: ${key}`;
    if (key === "node_pattern" || key === "bmc_pattern") {
      const type = key === "node_pattern" ? "Node" : "NodeBMC";
      push(target, "rule", [{ value: legacyPatternRule(type, trimQuotes(value)), where }]);
    } else {
      push(target, key, [{ value, where }]);
    }
  }
}

/** The structured form of coresmd/bootloop: the same keys, repeatable ones as lists. */
function structuredPluginArgs(plugin: ArgsPlugin, value: unknown): PluginArg[] {
  const keys = PLUGIN_KEYS[plugin];
  const args: PluginArg[] = [];
  for (const [key, item] of Object.entries(mapping(value, plugin))) {
    checkKey(plugin, keys, key, args);
    const repeatable = (keys.repeatable as readonly string[]).includes(key);
    const values = repeatable && Array.isArray(item) ? item : [item];
    for (const one of values) args.push({ key, value: scalar(one, `${plugin}: ${key}`) });
  }
  return args;
}

function addPlugin(raw: RawConfig, name: string, value: unknown, seen: Set<string>): void {
  if (seen.has(name)) throw new DhcpConfigError(`server4: plugin "${name}" is listed more than once`);
  seen.add(name);
  const text = scalar(value, name);
  if (name === "coresmd" || name === "bootloop") {
    addPluginArgs(raw, name, parsePluginArgs(name, text));
    return;
  }
  const arity = STANDARD_PLUGINS[name];
  if (arity === undefined) {
    throw new DhcpConfigError(
      UNSUPPORTED_PLUGINS.includes(name)
        ? `server4: plugin "${name}" is not supported here`
        : `server4: unknown plugin "${name}" (known: ${[...Object.keys(STANDARD_PLUGINS), "coresmd", "bootloop"].join(", ")})`,
    );
  }
  const values = tokenizePluginArgs(name, text).map((token) => ({ value: token, where: name }));
  if (values.length === 0 || (arity === "one" && values.length > 1)) {
    throw new DhcpConfigError(
      `${name}: expected ${arity === "one" ? "one value" : "one or more values"}, got "${text}"`,
    );
  }
  section(raw, "server4").set(name, values);
}

/** `server4.plugins`: one-key mappings in any order. */
function addPlugins(raw: RawConfig, plugins: unknown): void {
  if (!Array.isArray(plugins))
    throw new DhcpConfigError("server4: plugins: expected a list of one-key mappings");
  const seen = new Set<string>();
  for (const entry of plugins) {
    const keys = isMapping(entry) ? Object.keys(entry) : [];
    if (keys.length !== 1) {
      throw new DhcpConfigError(`server4: plugins: expected a one-key mapping, got ${JSON.stringify(entry)}`);
    }
    addPlugin(raw, keys[0]!, (entry as Mapping)[keys[0]!], seen);
  }
}

function addServer4(raw: RawConfig, value: unknown): void {
  const server4 = mapping(value, "server4");
  const target = section(raw, "server4");
  const coredhcpForm = "plugins" in server4;
  const scalarKeys = coredhcpForm ? [] : ["server_id", "netmask", "lease_time"];
  const listKeys = coredhcpForm ? [] : ["dns", "router"];
  const pluginKeys = coredhcpForm ? ["plugins"] : ["coresmd", "bootloop"];
  rejectUnknown(server4, [...SERVER4_EXTRA_KEYS, ...scalarKeys, ...listKeys, ...pluginKeys], "server4");
  for (const [key, item] of Object.entries(server4)) {
    if (key === "plugins") addPlugins(raw, item);
    else if (key === "coresmd" || key === "bootloop")
      addPluginArgs(raw, key, structuredPluginArgs(key, item));
    else if (key === "listen" || listKeys.includes(key)) target.set(key, list(item, key));
    else target.set(key, [{ value: scalar(item, key), where: key }]);
  }
}

function addDnsServer(raw: RawConfig, value: unknown): void {
  const dns = mapping(value, "dns_server");
  rejectUnknown(dns, DNS_SERVER_KEYS, "dns_server");
  const target = section(raw, "dns_server");
  for (const [key, item] of Object.entries(dns)) {
    const where = `dns_server: ${key}`;
    if (key === "ttl") target.set(key, [{ value: scalar(item, where), where }]);
    else if (key === "zone") target.set(key, zones(item));
    else target.set(key, list(item, where));
  }
}

/** `zone: [{name, nodes}]` as `name=nodes` strings, the form the `--dns-zone` flag takes. */
function zones(value: unknown): Raw[] {
  if (!Array.isArray(value)) throw new DhcpConfigError("dns_server: zone: expected a list of {name, nodes}");
  return value.map((item, i) => {
    const where = `dns_server: zone[${i}]`;
    const zone = mapping(item, where);
    rejectUnknown(zone, ["name", "nodes"], where);
    const name = scalar(zone.name, `${where}: name`);
    const nodes = zone.nodes === undefined ? "" : `=${scalar(zone.nodes, `${where}: nodes`)}`;
    return { value: `${name}${nodes}`, where };
  });
}

/** Parses the YAML text; empty text gives an empty configuration (flags only). */
export function collectFile(yamlText: string, warn: (message: string) => void): RawConfig {
  const parsed = parseDocument(yamlText);
  const error = parsed.errors[0];
  if (error) throw new DhcpConfigError(`invalid YAML: ${error.message}`);
  for (const warning of parsed.warnings) warn(`YAML: ${warning.message}`);
  let document: unknown;
  try {
    document = parsed.toJS();
  } catch (failure) {
    throw new DhcpConfigError(`invalid YAML: ${(failure as Error).message}`);
  }
  const top = mapping(document, "configuration file");
  rejectUnknown(top, ["server4", "server6", "dns_server"], "configuration file");
  const raw: RawConfig = new Map();
  if ("server4" in top) addServer4(raw, top.server4);
  if ("server6" in top) warn("server6: DHCPv6 is not served here; the section is ignored");
  if ("dns_server" in top) addDnsServer(raw, top.dns_server);
  return raw;
}
