import type { BssConfig } from "../config.ts";

/** Where a bootscript request arrived: the facts a chain URL derives from (§3.6). */
export interface Arrival {
  /** The first `X-Forwarded-Host`, else `Host` (with port), else the local address:port. */
  host: string;
  /** The first `X-Forwarded-Proto`, else the connection's scheme. */
  proto: string;
  /** The mount before `/boot/v1`: "" or `/apis/bss`. */
  mountPrefix: string;
}

type ChainConfig = Pick<BssConfig, "ipxeServer" | "chainProto" | "gatewayUri">;

/**
 * `<proto>://<server><prefix>/boot/v1/bootscript`: from BSS_IPXE_SERVER when set, else
 * from the request, so a chain never has an empty host (upstream's `https:///…`).
 */
export function chainBase(config: ChainConfig, arrival: Arrival): string {
  if (config.ipxeServer !== "") {
    return `${config.chainProto ?? "https"}://${config.ipxeServer}${config.gatewayUri ?? "/apis/bss"}/boot/v1/bootscript`;
  }
  const proto = config.chainProto ?? arrival.proto;
  return `${proto}://${arrival.host}${config.gatewayUri ?? arrival.mountPrefix}/boot/v1/bootscript`;
}

/**
 * A request value echoed into a chain URL. Values are as given (`:` included), but
 * anything that could end the URL or the script line is percent-encoded.
 */
function urlValue(value: string): string {
  return value.replace(/[^A-Za-z0-9._~:-]/gu, (c) => encodeURIComponent(c));
}

/** How a chain names the node: `mac=…`, `name=…` or `nid=…`. */
export type ChainId = readonly [name: "mac" | "name" | "nid", value: string];

/** A known node's retry: `chain <base>?mac=<m>&retry=<n>` (or `?name=<xname>` without MACs). */
export function knownChain(base: string, [name, value]: ChainId, retry: number): string {
  return `chain ${base}?${name}=${urlValue(value)}&retry=${retry}`;
}

/** The unknown path's chain: iPXE fills in its architecture; no retry counter. */
export function unknownChain(base: string, [name, value]: ChainId, ts: number): string {
  return `chain ${base}?${name}=${urlValue(value)}&arch=\${buildarch}&ts=${ts}`;
}
