import type { Logger } from "@openchami/core";
import { createLocalJWKSet, type JSONWebKeySet } from "jose";

export type KeyResolver = ReturnType<typeof createLocalJWKSet>;

/** Where verification keys come from. */
export interface KeySource {
  /** The current keys, or undefined while none are loaded. */
  keys(): Promise<KeyResolver | undefined>;
  /** Fetches the keys again for an unknown `kid`; true when fresh keys arrived. */
  refetch(): Promise<boolean>;
  ready(): boolean;
  close(): void;
}

/** Keys held in this process (the built-in issuer's), read on every verification. */
export function localKeySource(
  load: () => JSONWebKeySet | Promise<JSONWebKeySet>,
  logger: Logger,
): KeySource {
  // The issuer hands out a new object per call; import keys again only when they change.
  let cached: { json: string; keys: KeyResolver } | undefined;
  return {
    async keys() {
      try {
        const jwks = await load();
        const json = JSON.stringify(jwks);
        if (cached?.json !== json) cached = { json, keys: createLocalJWKSet(jwks) };
        return cached.keys;
      } catch (error) {
        logger.error({ err: error }, "local JWKS unavailable");
        return undefined;
      }
    },
    refetch: async () => false, // keys() already reads the latest
    ready: () => true,
    close() {},
  };
}

export interface RemoteJwksOptions {
  url: string;
  /** Periodic refresh once loaded; default 5 min. */
  refreshIntervalMs?: number;
  /** Least time between fetches triggered by an unknown `kid`; default 10 s. */
  refetchCooldownMs?: number;
}

const FETCH_TIMEOUT_MS = 10_000;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/**
 * A JWKS fetched by URL: loaded in the background with exponential backoff, refreshed
 * periodically, refetched (rate-limited) on an unknown `kid`. Failures are logged and
 * retried, never thrown: until the first load succeeds, keys() is undefined (503).
 */
export function remoteKeySource(options: RemoteJwksOptions, logger: Logger): KeySource {
  const { url, refreshIntervalMs = 5 * 60_000, refetchCooldownMs = 10_000 } = options;
  const stop = new AbortController();
  let current: KeyResolver | undefined;
  let lastFetchAt = Number.NEGATIVE_INFINITY;
  let failures = 0;
  let inFlight: Promise<boolean> | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function load(): Promise<boolean> {
    lastFetchAt = Date.now();
    try {
      const response = await fetch(url, {
        headers: { accept: "application/json" },
        signal: AbortSignal.any([stop.signal, AbortSignal.timeout(FETCH_TIMEOUT_MS)]),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const jwks = (await response.json()) as JSONWebKeySet;
      const keys = createLocalJWKSet(jwks);
      if (!current || failures > 0) logger.info({ url, keys: jwks.keys.length }, "JWKS loaded");
      current = keys;
      failures = 0;
      return true;
    } catch (error) {
      if (stop.signal.aborted) return false;
      failures += 1;
      const message = current
        ? "JWKS refresh failed; keeping the keys already loaded"
        : "JWKS not reachable; protected routes answer 503 until it is";
      logger.warn({ url, reason: describe(error), failures }, message);
      return false;
    }
  }

  function fetchOnce(): Promise<boolean> {
    inFlight ??= load().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  async function cycle(): Promise<void> {
    const ok = await fetchOnce();
    if (stop.signal.aborted) return;
    const delay = ok ? refreshIntervalMs : Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), MAX_RETRY_MS);
    timer = setTimeout(cycle, delay).unref();
  }

  void cycle();
  return {
    keys: async () => current,
    async refetch() {
      if (Date.now() - lastFetchAt < refetchCooldownMs) return false;
      return fetchOnce();
    },
    ready: () => current !== undefined,
    close() {
      stop.abort();
      clearTimeout(timer);
    },
  };
}

/** fetch() reports "fetch failed" and hides the reason (ECONNREFUSED, ...) in `cause`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause ? `${error.message}: ${cause}` : error.message;
}
