import type { BootloopLeases } from "../bootloop/leases.ts";
import type { HostSource } from "../hosts/types.ts";
import { parseIpv4 } from "../ip.ts";
import { chainScript, DHCP_THEN_CHAIN_SCRIPT, GENERATED_SCRIPTS, REBOOT_SCRIPT } from "./boot-file.ts";

export interface IpxeScriptSources {
  hosts: HostSource;
  bootloop: BootloopLeases | undefined;
  bootScriptUrl(mac: string): string;
}

/**
 * TFTP's generated files (dhcp.md §5.2), chosen by the client's source address: a known,
 * enabled node chains its BSS script; a bootloop client reboots; anyone else runs DHCP and
 * chains the boot file that lease names. `default` is the built-in reboot script.
 */
export function ipxeScripts(
  sources: IpxeScriptSources,
): (name: string, client: { address: string }) => Buffer | undefined {
  return (name, client) => {
    if (name === "default") return Buffer.from(REBOOT_SCRIPT);
    if (!GENERATED_SCRIPTS.has(name)) return undefined;
    const ip = parseIpv4(client.address);
    const host = ip === undefined ? undefined : sources.hosts.current().byIpv4(ip);
    if (host?.component.enabled) return Buffer.from(chainScript(sources.bootScriptUrl(host.mac)));
    if (ip !== undefined && sources.bootloop?.holder(ip)) return Buffer.from(REBOOT_SCRIPT);
    return Buffer.from(DHCP_THEN_CHAIN_SCRIPT);
  };
}
