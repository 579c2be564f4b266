import { type RawConfig, type SectionName, section } from "./collect.ts";
import { DhcpConfigError } from "./errors.ts";

/**
 * Command-line flags (dhcp.md §2.3): every scalar key has one, `_` → `-`, and a flag
 * replaces whatever the file says for its key. List flags take comma- or space-separated
 * values; `subnet-pool` takes space-separated `CIDR,start,end` triples.
 */

interface FlagOptions {
  /** When not the key with `_` → `-`. */
  name?: string;
  /** How a flag value splits into several values. */
  split?: RegExp;
  /** Keys of the file this flag's key excludes, dropped when the flag is given. */
  replaces?: readonly string[];
  /** A bare `--flag` means true. */
  boolean?: true;
}

interface FlagSpec extends FlagOptions {
  name: string;
  description: string;
  section: SectionName;
  key: string;
}

function flag(section: SectionName, key: string, description: string, options: FlagOptions = {}): FlagSpec {
  return { ...options, name: options.name ?? key.replaceAll("_", "-"), section, key, description };
}

const LIST = /[\s,]+/;
const WORDS = /\s+/;

const FLAG_SPECS: readonly FlagSpec[] = [
  flag("server4", "listen", "DHCP listeners: host:port, :port, host or %iface (default 0.0.0.0:67)", {
    split: LIST,
  }),
  flag("server4", "server_id", "This server's IPv4: option 54 and siaddr (required)"),
  flag("server4", "dns", "DNS servers for option 6", { split: LIST }),
  flag("server4", "router", "Routers for option 3", { split: LIST }),
  flag("server4", "netmask", "Netmask for option 1"),
  flag("server4", "subnet", "The attached subnet (CIDR) for clients without a relay; default from %iface"),
  flag("server4", "broadcast_address", "Where broadcast replies go: 255.255.255.255 (default) or subnet"),
  flag("server4", "client_port", "Test only: the port DHCP clients listen on (default 68)"),
  flag("server4", "relay_port", "Test only: the port DHCP relays listen on (default 67)"),
  flag("coresmd", "svc_base_uri", "SMD base URL, polled for the inventory"),
  flag("coresmd", "ipxe_base_uri", "BSS base URL for iPXE: <base>/boot/v1/bootscript?mac=… (required)"),
  flag("coresmd", "ca_cert", "CA certificate file for SMD's TLS"),
  flag("coresmd", "cache_valid", "Inventory refresh interval (default 30s)"),
  flag("coresmd", "lease_time", "Lease time for known hosts (default 1h)"),
  flag("coresmd", "single_port", "Send every TFTP reply from the TFTP port (default false)", {
    boolean: true,
  }),
  flag("coresmd", "tftp_dir", "TFTP root directory (default /tftpboot)"),
  flag("coresmd", "tftp_port", "TFTP port (default 69)"),
  flag("coresmd", "domain", "Domain appended to hostnames"),
  flag("coresmd", "rule_log", "Rule logging: info (default), debug or none"),
  flag("coresmd", "svc_token_file", "File with a bearer token for SMD, re-read at each refresh"),
  flag("coresmd", "tftp_max_transfers", "Most concurrent TFTP transfers (default 256)"),
  flag("coresmd", "tftp_max_blksize", "Largest TFTP block size granted (default 1468)"),
  flag("coresmd", "tftp_max_windowsize", "Largest TFTP window size granted (default 64)"),
  flag("coresmd", "tftp_timeout", "TFTP retransmission timeout (default 1s)"),
  flag("coresmd", "tftp_retries", "TFTP retransmissions before a transfer is abandoned (default 5)"),
  flag("bootloop", "lease_file", "Accepted for compatibility; unused (leases live in the database)"),
  flag("bootloop", "script_path", "Boot file for unknown iPXE clients (default: the built-in reboot script)"),
  flag("bootloop", "lease_time", "Lease time for unknown hosts (default 5m)", {
    name: "bootloop-lease-time",
  }),
  flag("bootloop", "subnet_pool", "Pools for unknown hosts: CIDR,start,end (space-separated)", {
    split: WORDS,
    replaces: ["ipv4_start", "ipv4_end"],
  }),
  flag("bootloop", "ipv4_start", "First address of the single pool for unknown hosts (deprecated)", {
    replaces: ["subnet_pool"],
  }),
  flag("bootloop", "ipv4_end", "Last address of the single pool for unknown hosts (deprecated)", {
    replaces: ["subnet_pool"],
  }),
  flag("dns_server", "listen", "DNS listeners host:port; enables DNS (default 0.0.0.0:53)", {
    name: "dns-listen",
    split: LIST,
  }),
  flag("dns_server", "zone", "DNS zones as name or name=pattern (default cluster.local=nid{04d})", {
    name: "dns-zone",
    split: LIST,
  }),
  flag("dns_server", "ttl", "TTL of DNS answers in seconds (default 60)", { name: "dns-ttl" }),
  flag("dns_server", "forward", "Resolvers host[:port] for names outside the zones", {
    name: "dns-forward",
    split: LIST,
  }),
];

/** The flags, for the command line to declare. */
export const DHCP_FLAGS: readonly { name: string; description: string }[] = FLAG_SPECS.map(
  ({ name, description }) => ({ name, description }),
);

/** Overlays flags on the file's raw values; a flag for a section creates it. */
export function applyFlags(raw: RawConfig, flags: Readonly<Record<string, string | boolean>>): void {
  const given = Object.entries(flags).map(([name, value]) => {
    const spec = FLAG_SPECS.find((flag) => flag.name === name);
    if (!spec) throw new DhcpConfigError(`unknown flag --${name}`);
    if (value === true && !spec.boolean) throw new DhcpConfigError(`--${name}: needs a value`);
    return { spec, value: String(value) };
  });
  // Drop the file's excluded keys first, so that two flags never erase each other.
  for (const { spec } of given) for (const key of spec.replaces ?? []) raw.get(spec.section)?.delete(key);
  for (const { spec, value } of given) {
    const where = `--${spec.name}`;
    const values = spec.split ? value.split(spec.split).filter((item) => item !== "") : [value];
    section(raw, spec.section).set(
      spec.key,
      values.map((item) => ({ value: item, where })),
    );
  }
}
