import type { BootRecord } from "../domain/records.ts";

/** A kernel parameter BSS adds when the params do not already set it: [name, value]. */
export type Injection = readonly [name: string, value: string];

/** Image-level params for the record's kernel and initrd URLs; "" when none. */
export interface ImageParams {
  kernel: string;
  initrd: string;
}

/** Whether a space-separated token of `params` starts with `name=`. */
function hasParam(params: string, name: string): boolean {
  const prefix = `${name}=`;
  return params.split(" ").some((token) => token.startsWith(prefix));
}

/** Deletes the characters of the first `initrd=` token; the spaces around it stay. */
function withoutInitrdParam(params: string): string {
  let start = 0;
  for (const token of params.split(" ")) {
    if (token.startsWith("initrd=")) return params.slice(0, start) + params.slice(start + token.length);
    start += token.length + 1;
  }
  return params;
}

/**
 * The kernel command line (spec bss.md §3.4; order is byte-significant): the record's
 * params, then the kernel's and the initrd's image params, then each injection not
 * already present, then, with an initrd, `initrd=initrd` in front of the rest.
 * `${SPIRE_JOIN_TOKEN}` passes through untouched.
 */
export function buildParams(
  record: BootRecord,
  images: ImageParams,
  injections: readonly Injection[],
): string {
  let params = record.params;
  if (images.kernel !== "") params += ` ${images.kernel}`;
  if (images.initrd !== "") params += ` ${images.initrd}`;
  for (const [name, value] of injections) {
    if (value !== "" && !hasParam(params, name)) params += ` ${name}=${value}`;
  }
  return record.initrd === "" ? params : `initrd=initrd ${withoutInitrdParam(params)}`;
}

/**
 * What a known node gets, in order: xname, nid, referral token, BOOTIF (MAC requests
 * only, the MAC as requested with `-` for `:`), then `ds=`.
 */
export function nodeInjections(
  node: { xname: string; nid: number | undefined },
  token: string,
  requestedMac: string | undefined,
  advertiseAddress: string,
): Injection[] {
  return [
    ["xname", node.xname],
    ["nid", node.nid === undefined ? "" : String(node.nid)],
    ["bss_referral_token", token],
    ["BOOTIF", requestedMac === undefined ? "" : `01-${requestedMac.replaceAll(":", "-")}`],
    dsInjection(advertiseAddress),
  ];
}

/**
 * cloud-init's NoCloud data source, only when an address is advertised. (Upstream injects
 * `ds=nocloud-net;s=/` without one, which points nowhere.)
 */
export function dsInjection(advertiseAddress: string): Injection {
  return ["ds", advertiseAddress === "" ? "" : `nocloud-net;s=${advertiseAddress}/`];
}
