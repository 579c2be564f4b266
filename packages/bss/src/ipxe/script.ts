import type { BssConfig } from "../config.ts";

type RetryConfig = Pick<BssConfig, "retryDelay" | "maxRetries" | "retryBackoff" | "retryMaxDelay">;

/** FNV-1a: a stable hash, so a node's jitter is the same on every replica and every run. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * Seconds a failed boot sleeps (§3.7). Exponential backoff doubles BSS_RETRY_DELAY per
 * retry up to BSS_RETRY_MAX_DELAY, less up to 20% jitter derived from (xname, retry) so
 * a rack that failed together does not retry in lockstep.
 */
export function retrySleep(config: RetryConfig, retry: number, xname: string): number {
  if (config.retryBackoff === "none") return config.retryDelay;
  const sleep = Math.min(config.retryDelay * 2 ** retry, config.retryMaxDelay);
  const jitter = (fnv1a(`${xname}/${retry}`) / 2 ** 32) * 0.2;
  return Math.round(sleep * (1 - jitter));
}

/** The two lines after `:boot_retry`: sleep and chain, or give up after BSS_MAX_RETRIES. */
export function knownRetryLines(config: RetryConfig, retry: number, xname: string, chain: string): string {
  if (config.maxRetries > 0 && retry >= config.maxRetries) {
    return `echo Boot failed after ${retry} retries, giving up\nexit\n`;
  }
  return `sleep ${retrySleep(config, retry, xname)}\n${chain}\n`;
}

/**
 * The boot script (§3.5), byte-exact: only leading and trailing spaces of the params are
 * trimmed, the initrd line only with an initrd, and the body ends with a blank line.
 */
export function bootScript(kernel: string, initrd: string, params: string, retryLines: string): string {
  const initrdLine = initrd === "" ? "" : `initrd --name initrd ${initrd} || goto boot_retry\n`;
  return (
    `#!ipxe\nkernel --name kernel ${kernel} ${trimSpaces(params)} || goto boot_retry\n` +
    `${initrdLine}boot || goto boot_retry\n:boot_retry\n${retryLines}\n`
  );
}

/** The reply while a node cannot be served yet: sleep, then ask again. */
export function delayScript(seconds: number, chain: string): string {
  return `#!ipxe\nsleep ${seconds}\n${chain}\n\n`;
}

function trimSpaces(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) === 32) start++;
  while (end > start && text.charCodeAt(end - 1) === 32) end--;
  return text.slice(start, end);
}
