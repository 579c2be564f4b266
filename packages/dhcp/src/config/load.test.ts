import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { NetworkInterfaceInfo } from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import fc from "fast-check";
import { parseIpv4 } from "../ip.ts";
import type { Interfaces } from "./listen.ts";
import {
  DHCP_FLAGS,
  DhcpConfigError,
  type DhcpConfigOptions,
  loadDhcpConfig,
  parseDhcpConfig,
} from "./load.ts";

function v4(address: string, netmask: string): NetworkInterfaceInfo {
  return { address, netmask, family: "IPv4", mac: "52:54:00:00:00:01", internal: false, cidr: null };
}

const INTERFACES: Interfaces = {
  lo: [v4("127.0.0.1", "255.0.0.0")],
  eth1: [
    {
      address: "fe80::1",
      netmask: "ffff:ffff:ffff:ffff::",
      family: "IPv6",
      mac: "",
      internal: false,
      cidr: null,
      scopeid: 2,
    },
    v4("172.16.0.254", "255.255.255.0"),
  ],
  eth2: [v4("10.1.2.3", "255.255.0.0")],
  v6only: [
    {
      address: "fd00::1",
      netmask: "ffff::",
      family: "IPv6",
      mac: "",
      internal: false,
      cidr: null,
      scopeid: 0,
    },
  ],
};

/** The CoreDHCP example of dhcp.md §2.1, verbatim. */
const SPEC_EXAMPLE = `server4:
  listen: ["%eth1"]            # default "0.0.0.0:67"
  plugins:                     # ordered one-key maps
    - server_id: 172.16.0.254
    - dns: 172.16.0.254
    - router: 172.16.0.254
    - netmask: 255.255.255.0
    - coresmd: svc_base_uri=https://demo.openchami.cluster:8443 ipxe_base_uri=http://172.16.0.254:8081 ca_cert=/root_ca/root_ca.crt cache_valid=30s lease_time=1h single_port=false rule=type:Node,hostname:nid{04d}
    - bootloop: lease_file=/var/lib/coredhcp/leases.db script_path=default lease_time=5m ipv4_start=172.16.0.200 ipv4_end=172.16.0.250
`;

/** The same configuration in the structured form. */
const STRUCTURED_EXAMPLE = `server4:
  listen: ["%eth1"]
  server_id: 172.16.0.254
  dns: [172.16.0.254]
  router: 172.16.0.254
  netmask: 255.255.255.0
  coresmd:
    svc_base_uri: https://demo.openchami.cluster:8443
    ipxe_base_uri: http://172.16.0.254:8081
    ca_cert: /root_ca/root_ca.crt
    cache_valid: 30s
    lease_time: 1h
    single_port: false
    rule: ["type:Node,hostname:nid{04d}"]
  bootloop:
    lease_file: /var/lib/coredhcp/leases.db
    script_path: default
    lease_time: 5m
    ipv4_start: 172.16.0.200
    ipv4_end: 172.16.0.250
`;

/** A minimal valid file, in the CoreDHCP form, with extra plugin lines appended. */
function coredhcp(
  extra: { coresmd?: string; bootloop?: string; plugins?: string; server4?: string } = {},
): string {
  const bootloop = extra.bootloop === undefined ? "" : `    - bootloop: ${extra.bootloop}\n`;
  return `server4:\n${extra.server4 ?? ""}  plugins:\n    - server_id: 10.0.0.1\n${extra.plugins ?? ""}    - coresmd: ipxe_base_uri=http://10.0.0.1:8081 ${extra.coresmd ?? ""}\n${bootloop}`;
}

function parse(text: string, options: DhcpConfigOptions = {}) {
  return parseDhcpConfig(text, { interfaces: INTERFACES, ...options });
}

function rejects(text: string, message: string | RegExp, options: DhcpConfigOptions = {}): void {
  assert.throws(
    () => parse(text, options),
    (error: unknown) => {
      assert.ok(error instanceof DhcpConfigError, `not a DhcpConfigError: ${String(error)}`);
      if (typeof message === "string") assert.equal(error.message, message);
      else assert.match(error.message, message);
      return true;
    },
  );
}

describe("both file forms (§2.1)", () => {
  test("the CoreDHCP example of the spec loads", () => {
    const warnings: string[] = [];
    const config = parse(SPEC_EXAMPLE, { warn: (m) => warnings.push(m) });
    assert.deepEqual(config.listen, [{ host: "0.0.0.0", port: 67, iface: "eth1" }]);
    assert.equal(config.serverId, "172.16.0.254");
    assert.deepEqual(config.dns, ["172.16.0.254"]);
    assert.deepEqual(config.routers, ["172.16.0.254"]);
    assert.equal(config.netmask, "255.255.255.0");
    assert.equal(config.subnet?.text, "172.16.0.0/24");
    assert.equal(config.coresmd.svcBaseUri, "https://demo.openchami.cluster:8443");
    assert.equal(config.coresmd.ipxeBaseUri, "http://172.16.0.254:8081");
    assert.equal(config.coresmd.caCert, "/root_ca/root_ca.crt");
    assert.equal(config.coresmd.cacheValidMs, 30_000);
    assert.equal(config.coresmd.leaseTimeS, 3600);
    assert.equal(config.coresmd.singlePort, false);
    assert.equal(config.coresmd.rules.length, 1);
    assert.deepEqual(config.coresmd.rules[0]!.types, new Set(["Node"]));
    assert.equal(config.coresmd.rules[0]!.hostname, "nid{04d}");
    const pool = config.bootloop!.pools[0]!;
    assert.deepEqual(
      [pool.cidr.text, pool.start, pool.end],
      ["172.16.0.0/24", parseIpv4("172.16.0.200"), parseIpv4("172.16.0.250")],
    );
    assert.equal(config.bootloop!.leaseTimeS, 300);
    assert.equal(config.bootloop!.leaseFile, "/var/lib/coredhcp/leases.db");
    assert.deepEqual(warnings, [
      'bootloop: lease_file "/var/lib/coredhcp/leases.db" is ignored: leases live in the database',
    ]);
  });

  test("the structured form gives the same configuration", () => {
    assert.deepEqual(parse(STRUCTURED_EXAMPLE), parse(SPEC_EXAMPLE));
  });

  test("plugins may come in any order", () => {
    const reordered = `server4:
  plugins:
    - coresmd: ipxe_base_uri=http://10.0.0.1:8081
    - netmask: 255.255.0.0
    - server_id: 10.0.0.1
`;
    const config = parse(reordered);
    assert.equal(config.serverId, "10.0.0.1");
    assert.equal(config.netmask, "255.255.0.0");
  });

  test("the tutorial's legacy positional form", () => {
    const config = parse(`server4:
  plugins:
    - server_id: 172.16.0.254
    - netmask: 255.255.255.0
    - coresmd: https://smd.example:8443 http://172.16.0.254:8081 /root_ca/root_ca.crt 30s 1h false
    - bootloop: /tmp/coredhcp.db default 5m 172.16.0.156 172.16.0.200
`);
    assert.equal(config.coresmd.svcBaseUri, "https://smd.example:8443");
    assert.equal(config.coresmd.ipxeBaseUri, "http://172.16.0.254:8081");
    assert.equal(config.coresmd.caCert, "/root_ca/root_ca.crt");
    assert.deepEqual(
      [config.coresmd.cacheValidMs, config.coresmd.leaseTimeS, config.coresmd.singlePort],
      [30_000, 3600, false],
    );
    assert.equal(config.bootloop!.scriptPath, "default");
    assert.equal(config.bootloop!.leaseTimeS, 300);
    // No subnet key or %iface: the netmask plugin gives the pool its subnet.
    assert.equal(config.bootloop!.pools[0]!.cidr.text, "172.16.0.0/24");
    assert.equal(config.bootloop!.pools[0]!.start, parseIpv4("172.16.0.156"));
  });

  test('legacy positional ca_cert "" means none', () => {
    const config = parse(
      coredhcp().replace(/coresmd: .*/, 'coresmd: http://smd:27779 http://10.0.0.1:8081 "" 1m 2h true'),
    );
    assert.equal(config.coresmd.caCert, undefined);
    assert.equal(config.coresmd.singlePort, true);
  });

  test("multi-line plugin blocks with comments (upstream's style)", () => {
    const config = parse(`server4:
  plugins:
    - server_id: 10.0.0.1
    - coresmd: |
        /* SMD base URI */
        svc_base_uri=https://foobar.openchami.cluster
        /* BSS base URI for obtaining boot scripts */
        ipxe_base_uri=http://172.16.0.253:8081
        domain=openchami.cluster
        rule=type:Node,hostname:nid{04d}
        /* rule=type:RouterBMC,ignore:true,log:info */
        rule=hostname:unknown-{04d}
`);
    assert.deepEqual(
      config.coresmd.rules.map((r) => r.text),
      ["type:Node,hostname:nid{04d}", "hostname:unknown-{04d}"],
    );
    assert.equal(config.coresmd.domain, "openchami.cluster");
  });

  test("server6 is ignored with a warning", () => {
    const warnings: string[] = [];
    parse(`${coredhcp()}server6:\n  listen: ["[::]"]\n`, { warn: (m) => warnings.push(m) });
    assert.deepEqual(warnings, ["server6: DHCPv6 is not served here; the section is ignored"]);
  });
});

describe("defaults (§2.2)", () => {
  test("a minimal file", () => {
    const config = parse(coredhcp());
    assert.deepEqual(config, {
      listen: [{ host: "0.0.0.0", port: 67, iface: undefined }],
      serverId: "10.0.0.1",
      dns: [],
      routers: [],
      netmask: undefined,
      leaseTimeS: undefined,
      subnet: undefined,
      broadcastAddress: "255.255.255.255",
      coresmd: {
        svcBaseUri: undefined,
        ipxeBaseUri: "http://10.0.0.1:8081",
        caCert: undefined,
        cacheValidMs: 30_000,
        leaseTimeS: 3600,
        singlePort: false,
        tftpDir: "/tftpboot",
        tftpPort: 69,
        domain: undefined,
        ruleLog: "info",
        rules: [],
        svcTokenFile: undefined,
        tftpMaxTransfers: 256,
        tftpMaxBlksize: 1468,
        tftpMaxWindowsize: 64,
        tftpTimeoutMs: 1000,
        tftpRetries: 5,
      },
      bootloop: undefined,
      dnsServer: undefined,
      clientPort: 68,
      relayPort: 67,
    });
  });

  test("bootloop defaults", () => {
    const bootloop = parse(coredhcp({ bootloop: "subnet_pool=10.0.0.0/24,10.0.0.100,10.0.0.200" })).bootloop;
    assert.deepEqual(bootloop, {
      leaseFile: undefined,
      scriptPath: "default",
      leaseTimeS: 300,
      pools: [
        { cidr: bootloop!.pools[0]!.cidr, start: parseIpv4("10.0.0.100"), end: parseIpv4("10.0.0.200") },
      ],
    });
    assert.equal(bootloop!.pools[0]!.cidr.text, "10.0.0.0/24");
  });

  test("dns_server defaults", () => {
    assert.deepEqual(parse(`${coredhcp()}dns_server:\n`).dnsServer, {
      listen: [{ host: "0.0.0.0", port: 53 }],
      zones: [{ name: "cluster.local", nodes: "nid{04d}" }],
      ttl: 60,
      forward: [],
    });
  });

  test("every coresmd key", () => {
    const c = parse(
      coredhcp({
        coresmd:
          "svc_base_uri=http://smd:27779/ ca_cert='/ca.crt' cache_valid=1m30s lease_time=2h single_port=True " +
          'tftp_dir="/srv/tftp" tftp_port=6969 domain=..cluster.local rule_log=debug svc_token_file=/run/token ' +
          "tftp_max_transfers=10 tftp_max_blksize=512 tftp_max_windowsize=4 tftp_timeout=500ms tftp_retries=0",
      }),
    ).coresmd;
    assert.deepEqual(
      [
        c.svcBaseUri,
        c.caCert,
        c.cacheValidMs,
        c.leaseTimeS,
        c.singlePort,
        c.tftpDir,
        c.tftpPort,
        c.domain,
        c.ruleLog,
      ],
      ["http://smd:27779", "/ca.crt", 90_000, 7200, true, "/srv/tftp", 6969, "cluster.local", "debug"],
    );
    assert.deepEqual(
      [
        c.svcTokenFile,
        c.tftpMaxTransfers,
        c.tftpMaxBlksize,
        c.tftpMaxWindowsize,
        c.tftpTimeoutMs,
        c.tftpRetries,
      ],
      ["/run/token", 10, 512, 4, 500, 0],
    );
  });

  test("tftp_port 0 or out of range falls back to 69", () => {
    const warnings: string[] = [];
    assert.equal(parse(coredhcp({ coresmd: "tftp_port=0" })).coresmd.tftpPort, 69);
    const config = parse(coredhcp({ coresmd: "tftp_port=70000" }), { warn: (m) => warnings.push(m) });
    assert.equal(config.coresmd.tftpPort, 69);
    assert.deepEqual(warnings, ["coresmd: tftp_port: 70000 is out of range; using 69"]);
    rejects(coredhcp({ coresmd: "tftp_port=tftp" }), /^coresmd: tftp_port: "tftp" is not a whole number/);
  });

  test("the standard lease_time plugin", () => {
    assert.equal(parse(coredhcp({ plugins: "    - lease_time: 10m\n" })).leaseTimeS, 600);
  });
});

describe("strictness (§2.3)", () => {
  const cases: [string, string, string | RegExp][] = [
    [
      "bad duration",
      coredhcp({ coresmd: "cache_valid=3x" }),
      'coresmd: cache_valid: "3x" is not a duration (e.g. 30s, 1h30m)',
    ],
    [
      "bad boolean",
      coredhcp({ coresmd: "single_port=yes" }),
      'coresmd: single_port: "yes" is not a boolean (true or false)',
    ],
    ["unknown key", coredhcp({ coresmd: "subnet=10.0.0.0/24" }), /^coresmd: unknown key "subnet" \(known: /],
    [
      "stray token",
      coredhcp({ coresmd: "lease_time=1h oops" }),
      'coresmd: stray token "oops" (expected key=value)',
    ],
    [
      "malformed rule",
      coredhcp({ coresmd: "rule=type:Node,hostnme:nid{04d}" }),
      /^coresmd: rule: "type:Node,hostnme:nid\{04d\}": unknown key "hostnme"/,
    ],
    [
      "unterminated comment",
      coredhcp({ coresmd: "/* note lease_time=1h" }),
      /^coresmd: unterminated comment: /,
    ],
    [
      "bad rule_log",
      coredhcp({ coresmd: "rule_log=all" }),
      'coresmd: rule_log: "all" is not one of "info", "debug", "none"',
    ],
    [
      "bad blksize",
      coredhcp({ coresmd: "tftp_max_blksize=4" }),
      'coresmd: tftp_max_blksize: "4" is not a whole number from 8 to 65464',
    ],
    [
      "long tftp timeout",
      coredhcp({ coresmd: "tftp_timeout=5m" }),
      'coresmd: tftp_timeout: "5m" is longer than the 255s TFTP allows',
    ],
    [
      "svc_base_uri scheme",
      coredhcp({ coresmd: "svc_base_uri=ftp://smd" }),
      'coresmd: svc_base_uri: "ftp://smd" is not an http(s) URL',
    ],
    [
      "unknown plugin",
      coredhcp({ plugins: "    - frobnicate: 1\n" }),
      /^server4: unknown plugin "frobnicate" \(known: /,
    ],
    [
      "unsupported plugin",
      coredhcp({ plugins: "    - file: /etc/coredhcp/hostsfile\n" }),
      'server4: plugin "file" is not supported here',
    ],
    [
      "plugin twice",
      coredhcp({ plugins: "    - server_id: 10.0.0.2\n" }),
      'server4: plugin "server_id" is listed more than once',
    ],
    [
      "two server ids",
      coredhcp().replace("server_id: 10.0.0.1", "server_id: 10.0.0.1 10.0.0.2"),
      'server_id: expected one value, got "10.0.0.1 10.0.0.2"',
    ],
    [
      "bad server id",
      coredhcp().replace("server_id: 10.0.0.1", "server_id: 10.0.0.300"),
      'server_id: "10.0.0.300" is not an IPv4 address',
    ],
    [
      "bad netmask",
      coredhcp({ plugins: "    - netmask: 255.0.255.0\n" }),
      'netmask: "255.0.255.0" is not a netmask (e.g. 255.255.255.0)',
    ],
    [
      "bad dns",
      coredhcp({ plugins: "    - dns: 1.1.1.1 dns.google\n" }),
      'dns: "dns.google" is not an IPv4 address',
    ],
    ["unknown top-level key", `${coredhcp()}server5: {}\n`, /^configuration file: unknown key "server5"/],
    [
      "unknown server4 key",
      coredhcp({ server4: "  giaddr: 1.2.3.4\n" }),
      /^server4: unknown key "giaddr" \(known: listen, subnet, broadcast_address, plugins\)/,
    ],
    [
      "structured key in CoreDHCP form",
      coredhcp({ server4: "  server_id: 10.0.0.1\n" }),
      /^server4: unknown key "server_id"/,
    ],
    [
      "plugin entry not a one-key map",
      "server4:\n  plugins:\n    - server_id: 1.2.3.4\n      dns: 1.1.1.1\n",
      /^server4: plugins: expected a one-key mapping/,
    ],
    ["YAML syntax", "server4: [\n", /^invalid YAML: /],
    [
      "missing server_id",
      "server4:\n  plugins:\n    - coresmd: ipxe_base_uri=http://x\n",
      "server_id is required (server_id plugin or --server-id)",
    ],
    [
      "missing ipxe_base_uri",
      "server4:\n  plugins:\n    - server_id: 10.0.0.1\n",
      "ipxe_base_uri is required (coresmd plugin or --ipxe-base-uri)",
    ],
    [
      "bootloop without a pool",
      coredhcp({ bootloop: "lease_time=5m" }),
      "bootloop: needs a pool: subnet_pool=CIDR,start,end (or ipv4_start and ipv4_end)",
    ],
    [
      "bootloop script_path empty",
      coredhcp({ bootloop: "script_path='' subnet_pool=10.0.0.0/24,10.0.0.9,10.0.0.9" }),
      `bootloop: script_path: "''" is empty (use default)`,
    ],
    [
      "structured list for a scalar",
      "server4:\n  server_id: 10.0.0.1\n  coresmd:\n    cache_valid: [1s, 2s]\n",
      /^coresmd: cache_valid: expected a single value/,
    ],
    [
      "structured unknown key",
      "server4:\n  server_id: 10.0.0.1\n  coresmd:\n    cache: 1s\n",
      /^coresmd: unknown key "cache"/,
    ],
    [
      "broadcast subnet without subnet",
      coredhcp({ server4: "  broadcast_address: subnet\n" }),
      'broadcast_address: "subnet" needs a subnet (the subnet key or a %iface listener)',
    ],
    [
      "bad broadcast address",
      coredhcp({ server4: "  broadcast_address: 10.0.0.255\n" }),
      'broadcast_address: "10.0.0.255" is not one of "255.255.255.255", "subnet"',
    ],
  ];
  for (const [name, text, message] of cases) test(name, () => rejects(text, message));

  test("node_pattern, bmc_pattern and rule keep their order; quotes are trimmed from patterns", () => {
    const rules = parse(
      coredhcp({
        coresmd: `node_pattern="nid{03d}" rule=type:HSNSwitch,hostname:{id} bmc_pattern='bmc{04d}'`,
      }),
    ).coresmd.rules;
    assert.deepEqual(
      rules.map((r) => [[...(r.types ?? [])].join("|"), r.hostname]),
      [
        ["Node", "nid{03d}"],
        ["HSNSwitch", "{id}"],
        ["NodeBMC", "bmc{04d}"],
      ],
    );
  });
});

describe("listen (§2.1, §7)", () => {
  const listen = (value: string, options: DhcpConfigOptions = {}) =>
    parse(coredhcp({ server4: `  listen: ${JSON.stringify(value)}\n` }), options);

  test("host:port, :port, host and a list", () => {
    assert.deepEqual(listen("127.0.0.1:6767").listen, [{ host: "127.0.0.1", port: 6767, iface: undefined }]);
    assert.deepEqual(listen(":6767").listen, [{ host: "0.0.0.0", port: 6767, iface: undefined }]);
    assert.deepEqual(listen("10.0.0.1").listen, [{ host: "10.0.0.1", port: 67, iface: undefined }]);
    const two = parse(coredhcp({ server4: '  listen: ["127.0.0.1:67", "127.0.0.2:67"]\n' }));
    assert.deepEqual(
      two.listen.map((l) => l.host),
      ["127.0.0.1", "127.0.0.2"],
    );
  });

  test("%iface binds 0.0.0.0:67 and lends its subnet; the subnet key wins", () => {
    const config = listen("%eth2");
    assert.deepEqual(config.listen, [{ host: "0.0.0.0", port: 67, iface: "eth2" }]);
    assert.equal(config.subnet?.text, "10.1.0.0/16");
    assert.equal(listen("%eth2:1067").listen[0]!.port, 1067);
    const explicit = parse(coredhcp({ server4: '  listen: "%eth2"\n  subnet: 10.1.2.0/24\n' }));
    assert.equal(explicit.subnet?.text, "10.1.2.0/24");
  });

  test("interface problems and IPv6 are errors", () => {
    const where = (value: string) => parse(coredhcp({ server4: `  listen: ${JSON.stringify(value)}\n` }));
    assert.throws(() => where("%eth9"), {
      message: 'listen: "%eth9" names interface "eth9", which does not exist',
    });
    assert.throws(() => where("%v6only"), {
      message: 'listen: "%v6only" names interface "v6only", which has no IPv4 address',
    });
    assert.throws(() => where("[::]:547"), {
      message: 'listen: "[::]:547" is an IPv6 address: only IPv4 is served (no DHCPv6)',
    });
    assert.throws(() => where("::"), /is an IPv6 address/);
    assert.throws(() => where("10.0.0.1%eth1"), /gives both an address and an interface/);
    assert.throws(() => where("localhost:67"), /does not start with an IPv4 address/);
    assert.throws(() => where("10.0.0.1:99999"), /has a bad port/);
  });

  test("two listeners on one address:port are refused", () => {
    rejects(
      coredhcp({ server4: '  listen: ["%eth1", "%eth2"]\n' }),
      /^listen: "%eth2" binds 0.0.0.0:67, as does "%eth1": node:dgram cannot pin a socket/,
    );
  });

  test("broadcast_address subnet with a %iface", () => {
    const config = parse(coredhcp({ server4: '  listen: "%eth1"\n  broadcast_address: subnet\n' }));
    assert.equal(config.broadcastAddress, "subnet");
  });
});

describe("bootloop pools (§2.2)", () => {
  const pools = (args: string) => parse(coredhcp({ bootloop: args })).bootloop!.pools;

  test("several subnet_pool entries", () => {
    const [a, b] = pools(
      "subnet_pool=10.0.0.0/24,10.0.0.10,10.0.0.20 subnet_pool=10.0.1.0/24,10.0.1.5,10.0.1.5",
    );
    assert.deepEqual(
      [a!.cidr.text, a!.start, a!.end],
      ["10.0.0.0/24", parseIpv4("10.0.0.10"), parseIpv4("10.0.0.20")],
    );
    assert.deepEqual(
      [b!.cidr.text, b!.start, b!.end],
      ["10.0.1.0/24", parseIpv4("10.0.1.5"), parseIpv4("10.0.1.5")],
    );
  });

  const bad: [string, string | RegExp][] = [
    [
      "subnet_pool=10.0.0.0/24,10.0.0.10",
      'bootloop: subnet_pool: "10.0.0.0/24,10.0.0.10" is not CIDR,start,end (e.g. 172.16.0.0/24,172.16.0.200,172.16.0.250)',
    ],
    [
      "subnet_pool=10.0.0.0/33,10.0.0.1,10.0.0.2",
      'bootloop: subnet_pool: "10.0.0.0/33,10.0.0.1,10.0.0.2" has "10.0.0.0/33", not an IPv4 CIDR',
    ],
    [
      "subnet_pool=10.0.0.0/24,10.0.1.1,10.0.0.2",
      'bootloop: subnet_pool: "10.0.0.0/24,10.0.1.1,10.0.0.2" has 10.0.1.1 outside 10.0.0.0/24',
    ],
    [
      "subnet_pool=10.0.0.0/24,10.0.0.9,10.0.0.2",
      'bootloop: subnet_pool: "10.0.0.0/24,10.0.0.9,10.0.0.2" starts at 10.0.0.9, after its end 10.0.0.2',
    ],
    [
      "subnet_pool=10.0.0.0/24,10.0.0.0,10.0.0.2",
      /includes 10.0.0.0, the network or broadcast address of 10.0.0.0\/24$/,
    ],
    ["subnet_pool=10.0.0.0/24,10.0.0.2,10.0.0.255", /includes 10.0.0.255, the network or broadcast address/],
    [
      "subnet_pool=10.0.0.0/16,10.0.0.2,10.0.0.9 subnet_pool=10.0.5.0/24,10.0.5.2,10.0.5.9",
      'bootloop: subnet_pool: "10.0.5.0/24,10.0.5.2,10.0.5.9" overlaps the pool of 10.0.0.0/16 (pools are chosen by subnet)',
    ],
    [
      "subnet_pool=10.0.0.0/24,10.0.0.2,10.0.0.9 ipv4_start=10.0.0.2 ipv4_end=10.0.0.9",
      "bootloop: subnet_pool excludes the deprecated ipv4_start/ipv4_end: use one form",
    ],
    ["ipv4_start=10.0.0.2", "bootloop: ipv4_start and ipv4_end go together"],
    ["ipv4_start=10.0.0.2 ipv4_end=10.0.0.x", 'bootloop: ipv4_end: "10.0.0.x" is not an IPv4 address'],
  ];
  for (const [args, message] of bad)
    test(`refused: ${args}`, () => rejects(coredhcp({ bootloop: args }), message));

  test("the deprecated single pool needs a subnet to live in", () => {
    rejects(
      coredhcp({ bootloop: "ipv4_start=10.0.0.2 ipv4_end=10.0.0.9" }),
      "bootloop: ipv4_start/ipv4_end: no subnet holds the range (set server4 subnet or the netmask plugin, or use subnet_pool)",
    );
    const viaSubnet = parse(
      coredhcp({ server4: "  subnet: 10.0.0.0/28\n", bootloop: "ipv4_start=10.0.0.2 ipv4_end=10.0.0.9" }),
    );
    assert.equal(viaSubnet.bootloop!.pools[0]!.cidr.text, "10.0.0.0/28");
    // A netmask whose subnet does not hold the whole range is no help.
    rejects(
      coredhcp({
        plugins: "    - netmask: 255.255.255.0\n",
        bootloop: "ipv4_start=10.0.0.200 ipv4_end=10.0.1.9",
      }),
      /no subnet holds the range/,
    );
  });
});

describe("ipxe_base_uri (§2.2)", () => {
  const suffix = "/boot/v1/bootscript?mac=aa:bb:cc:dd:ee:ff";
  const base = (length: number) => `http://b${"x".repeat(length - "http://b".length)}`;

  test("the stage-2 URL may take 255 bytes, not 256", () => {
    const longest = base(255 - suffix.length);
    assert.equal(Buffer.byteLength(longest + suffix), 255);
    assert.equal(parse(coredhcp().replace("http://10.0.0.1:8081", longest)).coresmd.ipxeBaseUri, longest);
    rejects(
      coredhcp().replace("http://10.0.0.1:8081", `${longest}y`),
      /is too long: "<base>\/boot\/v1\/bootscript\?mac=aa:bb:cc:dd:ee:ff" takes 256 bytes, more than 255$/,
    );
  });

  test("must be http(s)", () => {
    rejects(
      coredhcp().replace("http://10.0.0.1:8081", "tftp://10.0.0.1"),
      'coresmd: ipxe_base_uri: "tftp://10.0.0.1" is not an http(s) URL',
    );
  });
});

describe("dns_server (§2.2)", () => {
  test("every key", () => {
    const dns = parse(`${coredhcp()}dns_server:
  listen: ["127.0.0.1:5353", "%eth1"]
  zone:
    - name: Cluster.Local.
    - name: mgmt.example
      nodes: "n{id}"
  ttl: 5
  forward: ["1.1.1.1", "9.9.9.9:5353"]
`).dnsServer;
    assert.deepEqual(dns, {
      listen: [
        { host: "127.0.0.1", port: 5353 },
        { host: "172.16.0.254", port: 53 },
      ],
      zones: [
        { name: "cluster.local", nodes: "nid{04d}" },
        { name: "mgmt.example", nodes: "n{id}" },
      ],
      ttl: 5,
      forward: [
        { host: "1.1.1.1", port: 53 },
        { host: "9.9.9.9", port: 5353 },
      ],
    });
  });

  test("bad zones, listeners and forwarders", () => {
    rejects(
      `${coredhcp()}dns_server:\n  zone: [{name: "bad zone!"}]\n`,
      'dns_server: zone[0]: "bad zone!" does not name a DNS zone (e.g. cluster.local)',
    );
    rejects(
      `${coredhcp()}dns_server:\n  zone: [{name: a.b}, {name: A.B}]\n`,
      'dns_server: zone[1]: "A.B" repeats zone a.b',
    );
    rejects(
      `${coredhcp()}dns_server:\n  zone: [{name: a.b, pattern: x}]\n`,
      /^dns_server: zone\[0\]: unknown key "pattern"/,
    );
    rejects(
      `${coredhcp()}dns_server:\n  forward: ["%eth1"]\n`,
      'dns_server: forward: "%eth1" is not a resolver address (host[:port])',
    );
    rejects(
      `${coredhcp()}dns_server:\n  ttl: -1\n`,
      'dns_server: ttl: "-1" is not a whole number from 0 to 2147483647',
    );
    rejects(`${coredhcp()}dns_server:\n  recursion: true\n`, /^dns_server: unknown key "recursion"/);
  });
});

describe("flags (§2.3)", () => {
  const required = { "server-id": "10.99.0.1", "ipxe-base-uri": "http://10.99.0.1:8081" };

  test("a configuration from flags alone", () => {
    const config = parseDhcpConfig("", {
      flags: {
        ...required,
        listen: "127.0.0.1:6767",
        "client-port": "6868",
        "relay-port": "6767",
        "single-port": true,
      },
    });
    assert.equal(config.serverId, "10.99.0.1");
    assert.equal(config.coresmd.ipxeBaseUri, "http://10.99.0.1:8081");
    assert.deepEqual(config.listen, [{ host: "127.0.0.1", port: 6767, iface: undefined }]);
    assert.deepEqual([config.clientPort, config.relayPort, config.coresmd.singlePort], [6868, 6767, true]);
    assert.equal(config.bootloop, undefined);
    assert.equal(config.dnsServer, undefined);
  });

  test("flags alone still need server_id and ipxe_base_uri", () => {
    assert.throws(() => parseDhcpConfig("", { flags: { "ipxe-base-uri": "http://x" } }), {
      name: "DhcpConfigError",
      message: "server_id is required (server_id plugin or --server-id)",
    });
    assert.throws(() => parseDhcpConfig("", { flags: { "server-id": "10.0.0.1" } }), {
      message: "ipxe_base_uri is required (coresmd plugin or --ipxe-base-uri)",
    });
  });

  test("flags override the file and name themselves in errors", () => {
    const file = coredhcp({ coresmd: "cache_valid=30s single_port=true", plugins: "    - dns: 1.1.1.1\n" });
    const config = parse(file, {
      flags: {
        "cache-valid": "2m",
        "single-port": "false",
        dns: "8.8.8.8, 9.9.9.9",
        "server-id": "10.0.0.2",
        listen: "%eth1",
      },
    });
    assert.equal(config.coresmd.cacheValidMs, 120_000);
    assert.equal(config.coresmd.singlePort, false);
    assert.deepEqual(config.dns, ["8.8.8.8", "9.9.9.9"]);
    assert.equal(config.serverId, "10.0.0.2");
    assert.equal(config.subnet?.text, "172.16.0.0/24");
    rejects(file, '--cache-valid: "3x" is not a duration (e.g. 30s, 1h30m)', {
      flags: { "cache-valid": "3x" },
    });
    rejects(file, "unknown flag --cache", { flags: { cache: "1s" } });
    rejects(file, "--cache-valid: needs a value", { flags: { "cache-valid": true } });
  });

  test("pool flags replace the file's other pool form", () => {
    const file = coredhcp({
      bootloop: "subnet_pool=10.0.0.0/24,10.0.0.10,10.0.0.20",
      plugins: "    - netmask: 255.255.255.0\n",
    });
    const legacy = parse(file, { flags: { "ipv4-start": "10.0.0.50", "ipv4-end": "10.0.0.60" } }).bootloop!
      .pools;
    assert.deepEqual([legacy.length, legacy[0]!.start], [1, parseIpv4("10.0.0.50")]);
    const pools = parse(file, {
      flags: {
        "subnet-pool": "10.0.0.0/24,10.0.0.30,10.0.0.40 10.0.1.0/24,10.0.1.30,10.0.1.40",
        "bootloop-lease-time": "1m",
      },
    }).bootloop!;
    assert.deepEqual(
      pools.pools.map((p) => p.cidr.text),
      ["10.0.0.0/24", "10.0.1.0/24"],
    );
    assert.equal(pools.leaseTimeS, 60);
    rejects(file, /^bootloop: subnet_pool excludes/, {
      flags: { "subnet-pool": "10.0.0.0/24,10.0.0.30,10.0.0.40", "ipv4-start": "10.0.0.1" },
    });
  });

  test("dns flags enable the DNS server", () => {
    const dns = parse(coredhcp(), {
      flags: {
        "dns-listen": "127.0.0.1:5353",
        "dns-zone": "a.example=n{04d},b.example",
        "dns-ttl": "30",
        "dns-forward": "1.1.1.1",
      },
    }).dnsServer;
    assert.deepEqual(dns, {
      listen: [{ host: "127.0.0.1", port: 5353 }],
      zones: [
        { name: "a.example", nodes: "n{04d}" },
        { name: "b.example", nodes: "nid{04d}" },
      ],
      ttl: 30,
      forward: [{ host: "1.1.1.1", port: 53 }],
    });
  });

  test("every flag is declared once with a description, and is accepted", () => {
    const names = DHCP_FLAGS.map((f) => f.name);
    assert.equal(new Set(names).size, names.length);
    for (const { name, description } of DHCP_FLAGS) {
      assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(description.length > 10, name);
    }
    for (const name of [
      "svc-base-uri",
      "ipxe-base-uri",
      "tftp-dir",
      "server-id",
      "listen",
      "dns-listen",
      "lease-time",
      "cache-valid",
      "single-port",
      "domain",
      "client-port",
      "relay-port",
      "broadcast-address",
      "subnet",
    ]) {
      assert.ok(names.includes(name), name);
    }
  });
});

describe("robustness", () => {
  test("any text, or the example with a slice replaced, gives a config or a DhcpConfigError", () => {
    const mutated = fc
      .tuple(fc.nat(SPEC_EXAMPLE.length), fc.nat(12), fc.string({ maxLength: 12 }))
      .map(([at, length, insert]) => SPEC_EXAMPLE.slice(0, at) + insert + SPEC_EXAMPLE.slice(at + length));
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string()), (text) => {
        try {
          parse(text);
        } catch (error) {
          assert.ok(error instanceof DhcpConfigError, String(error));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("loadDhcpConfig", () => {
  test("reads the file; a missing file is a DhcpConfigError", async () => {
    const dir = await mkdtemp(join(tmpdir(), "dhcp-config-"));
    try {
      const path = join(dir, "config.yaml");
      await writeFile(path, SPEC_EXAMPLE);
      const config = await loadDhcpConfig(path, { interfaces: INTERFACES });
      assert.equal(config.serverId, "172.16.0.254");
      await assert.rejects(loadDhcpConfig(join(dir, "missing.yaml")), (error: unknown) => {
        assert.ok(error instanceof DhcpConfigError);
        assert.match(error.message, /missing\.yaml: cannot read the configuration: ENOENT/);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
