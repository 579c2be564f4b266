import type { TftpOptions } from "./packet.ts";

/** Option negotiation (RFC 2347/2348/2349/7440): what the server accepts and answers in OACK. */

export const BLKSIZE_RANGE = { min: 8, max: 65464 } as const;
export const WINDOWSIZE_RANGE = { min: 1, max: 65535 } as const;
const TIMEOUT_RANGE = { min: 1, max: 255 } as const;
const DEFAULT_BLKSIZE = 512;

export interface NegotiationLimits {
  maxBlksize: number;
  maxWindowsize: number;
  /** Used when the client sends no (valid) `timeout`. */
  timeoutMs: number;
}

export interface Negotiated {
  blksize: number;
  windowsize: number;
  timeoutMs: number;
  /** Accepted options with the values in force; undefined when none was accepted (no OACK). */
  oack: Map<string, string> | undefined;
}

/**
 * Values outside an option's valid range are ignored (the option is not acknowledged);
 * valid `blksize`/`windowsize` are lowered to the configured maxima. `tsize` answers with
 * `size`, the number of bytes that will be sent. Unknown options are ignored.
 */
export function negotiate(requested: TftpOptions, size: number, limits: NegotiationLimits): Negotiated {
  const result: Negotiated = {
    blksize: DEFAULT_BLKSIZE,
    windowsize: 1,
    timeoutMs: limits.timeoutMs,
    oack: undefined,
  };
  const oack = new Map<string, string>();
  for (const [name, text] of requested) {
    const value = parseDecimal(text);
    if (value === undefined) continue;
    switch (name) {
      case "blksize":
        if (!inRange(value, BLKSIZE_RANGE)) continue;
        result.blksize = Math.min(value, limits.maxBlksize);
        oack.set(name, String(result.blksize));
        break;
      case "windowsize":
        if (!inRange(value, WINDOWSIZE_RANGE)) continue;
        result.windowsize = Math.min(value, limits.maxWindowsize);
        oack.set(name, String(result.windowsize));
        break;
      case "timeout":
        if (!inRange(value, TIMEOUT_RANGE)) continue;
        result.timeoutMs = value * 1000;
        oack.set(name, String(value));
        break;
      case "tsize":
        oack.set(name, String(size));
        break;
    }
  }
  if (oack.size > 0) result.oack = oack;
  return result;
}

function parseDecimal(text: string): number | undefined {
  return /^[0-9]{1,10}$/.test(text) ? Number(text) : undefined;
}

function inRange(value: number, range: { min: number; max: number }): boolean {
  return value >= range.min && value <= range.max;
}
