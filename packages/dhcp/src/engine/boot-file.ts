/**
 * Which file a client is told to boot (dhcp.md §5.1) and the iPXE scripts generated per
 * TFTP client (§5.2).
 */

/** Option 93 architecture → the iPXE binary it runs. 9 is x86-64 in RFC 4578's original table. */
export const ARCH_BINARIES: ReadonlyMap<number, string> = new Map([
  [0, "undionly.kpxe"],
  [6, "ipxe-i386.efi"],
  [7, "ipxe-x86_64.efi"],
  [9, "ipxe-x86_64.efi"],
  [10, "ipxe-arm32.efi"],
  [11, "ipxe-arm64.efi"],
]);

/** The first-stage binary for a firmware's option 93, or undefined (the lease is still given). */
export function archBinary(arch: number | undefined): string | undefined {
  return arch === undefined ? undefined : ARCH_BINARIES.get(arch);
}

/** `script_path default`: unknown iPXE clients fetch this and reboot until inventoried. */
export const REBOOT_SCRIPT = "#!ipxe\nreboot\n";

/** A known node's `config.ipxe`: straight to its BSS boot script. */
export function chainScript(url: string): string {
  return `#!ipxe\necho Booting from ${url}\nchain ${url}\n`;
}

/**
 * For a client we cannot place: iPXE may fetch `autoexec.ipxe` before its own DHCP, so it
 * asks for a lease first and then chains whatever boot file that lease names.
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: `${filename}` is iPXE's variable, not ours.
export const DHCP_THEN_CHAIN_SCRIPT = "#!ipxe\ndhcp\necho Booting from ${filename}\nchain ${filename}\n";

/** Names served from memory ahead of the TFTP root. */
export const GENERATED_SCRIPTS: ReadonlySet<string> = new Set(["config.ipxe", "autoexec.ipxe"]);
