/**
 * The three servers' configurations for the same job: the 10,000 benchmark MACs get their
 * fixed address, a hostname, router, DNS, next-server and the iPXE binary, for requests
 * relayed from 10.100.255.2 (inside 10.100.0.0/16, so each server picks the subnet by giaddr).
 */
import type { BenchNode } from "./inventory.ts";
import { ROUTER_ADDRESS, SERVER_ADDRESS, SERVER_IF } from "./lab.ts";
import { TFTP_FILE } from "./tftp.ts";

const LEASE_S = 3600;

/**
 * coredhcp.yaml form, as upstream coresmd deployments write it (no bootloop: all MACs known).
 * `cacheValid` (default 30s) is only for diagnosis: the inventory's periodic full reload.
 */
export function openchamiConfig(tftpDir: string, cacheValid: string | undefined): string {
  const coresmd = [
    `ipxe_base_uri=http://${SERVER_ADDRESS}:8081`,
    `tftp_dir=${tftpDir}`,
    "lease_time=1h",
    ...(cacheValid ? [`cache_valid=${cacheValid}`] : []),
    "rule=type:Node,hostname:nid{04d}",
  ].join(" ");
  return `server4:
  listen: ["0.0.0.0:67"]
  plugins:
    - server_id: ${SERVER_ADDRESS}
    - dns: ${SERVER_ADDRESS}
    - router: ${ROUTER_ADDRESS}
    - netmask: 255.255.0.0
    - coresmd: ${coresmd}
`;
}

/**
 * Kea 2.2 as shipped (single-threaded unless told otherwise), memfile leases persisted to
 * `dir`, one reservation per MAC, INFO logging (one line per OFFER and per ACK) to a file.
 */
export function keaConfig(nodes: readonly BenchNode[], dir: string): string {
  return JSON.stringify(
    {
      Dhcp4: {
        "interfaces-config": { interfaces: [SERVER_IF], "dhcp-socket-type": "udp" },
        "lease-database": { type: "memfile", persist: true, name: `${dir}/kea-leases4.csv` },
        "host-reservation-identifiers": ["hw-address"],
        "valid-lifetime": LEASE_S,
        "next-server": SERVER_ADDRESS,
        "boot-file-name": TFTP_FILE,
        "option-data": [
          { name: "routers", data: ROUTER_ADDRESS },
          { name: "domain-name-servers", data: SERVER_ADDRESS },
        ],
        subnet4: [
          {
            id: 1,
            subnet: "10.100.0.0/16",
            reservations: nodes.map((n) => ({
              "hw-address": n.mac,
              "ip-address": n.ip,
              hostname: n.hostname,
            })),
          },
        ],
        loggers: [
          { name: "kea-dhcp4", output_options: [{ output: `${dir}/kea-dhcp4.log` }], severity: "INFO" },
        ],
      },
    },
    null,
    1,
  );
}

/** `--dhcp-hostsfile` lines: `mac,ip,hostname`. */
export function dnsmasqHosts(nodes: readonly BenchNode[]): string {
  return nodes.map((n) => `${n.mac},${n.ip},${n.hostname}\n`).join("");
}

/**
 * dnsmasq with DNS off (`--port=0`), a static /16 range (reservations only), the lease
 * limit above the MAC count, default DHCP logging to a file, and TFTP with `--tftp-max`
 * raised above the 100 concurrent transfers. `--user=root`: the temp dirs are 0700.
 */
export function dnsmasqArgs(dir: string, hostsFile: string, tftpDir: string, leaseMax: number): string[] {
  return [
    "dnsmasq",
    "--no-daemon",
    "--conf-file=/dev/null",
    "--user=root",
    "--port=0",
    `--dhcp-range=10.100.0.0,static,255.255.0.0,${LEASE_S}`,
    `--dhcp-hostsfile=${hostsFile}`,
    `--dhcp-lease-max=${leaseMax}`,
    `--dhcp-leasefile=${dir}/dnsmasq.leases`,
    `--dhcp-option=option:router,${ROUTER_ADDRESS}`,
    `--dhcp-option=option:dns-server,${SERVER_ADDRESS}`,
    `--dhcp-boot=${TFTP_FILE},,${SERVER_ADDRESS}`,
    `--log-facility=${dir}/dnsmasq.log`,
    `--pid-file=${dir}/dnsmasq.pid`,
    "--enable-tftp",
    `--tftp-root=${tftpDir}`,
    "--tftp-max=200",
  ];
}
