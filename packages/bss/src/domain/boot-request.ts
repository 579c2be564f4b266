import type { ChainId } from "../ipxe/chain.ts";

/** A bootscript request (§3.1), read leniently as upstream does. */
export interface BootRequest {
  /** The identifier that counts: mac > name > nid. */
  id: ChainId;
  retry: number;
  /** iPXE's `${buildarch}`, "" when not sent. */
  arch: string;
  /** Unix seconds. */
  ts: number;
  json: boolean;
}

const DIGITS = /^\d+$/;

/** The first value of a query parameter (upstream concatenates repeats; the first is saner). */
function first(value: unknown): string {
  const item = Array.isArray(value) ? value[0] : value;
  return typeof item === "string" ? item : "";
}

function wholeNumber(raw: string): number | undefined {
  return DIGITS.test(raw) ? Number(raw) : undefined;
}

/**
 * The request, or undefined when it names no node. Invalid or negative `nid` counts as
 * absent; invalid `retry` is 0 and invalid `ts` is `now`; `json` is on when non-zero.
 */
export function parseBootRequest(
  query: Readonly<Record<string, unknown>>,
  now: number,
): BootRequest | undefined {
  const mac = first(query.mac);
  const name = first(query.name);
  const nid = first(query.nid);
  const id: ChainId | undefined =
    mac !== ""
      ? ["mac", mac]
      : name !== ""
        ? ["name", name]
        : DIGITS.test(nid)
          ? ["nid", String(Number(nid))]
          : undefined;
  if (id === undefined) return undefined;
  const json = first(query.json);
  return {
    id,
    retry: wholeNumber(first(query.retry)) ?? 0,
    arch: first(query.arch),
    ts: wholeNumber(first(query.ts)) ?? now,
    json: /^-?\d+$/.test(json) && Number(json) !== 0,
  };
}
