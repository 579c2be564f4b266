import type { Logger } from "@openchami/core";
import type { LockStore } from "./store/locks.ts";

/** Upstream sweeps every 30 s; reads never depend on it, as they ignore expired rows anyway. */
const REAP_INTERVAL_MS = 30_000;

/**
 * Deletes expired service reservations on an interval (spec smd.md §5.6). Returns the stop
 * function, which also waits for a sweep in progress so the database can close after it.
 */
export function startReservationReaper(
  locks: LockStore,
  logger: Logger,
  intervalMs = REAP_INTERVAL_MS,
): () => Promise<void> {
  let sweep: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    sweep = locks
      .reapExpired()
      .then((ids) => {
        if (ids.length > 0) logger.info({ count: ids.length }, "released expired component reservations");
      })
      .catch((err) => logger.error({ err }, "could not release expired component reservations"));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await sweep;
  };
}
