import type { Logger } from "@openchami/core";

/** The contract: a stop signal ends the process within 5 s, whatever happens. */
const HARD_DEADLINE_MS = 4500;

/**
 * First SIGTERM/SIGINT: stop accepting, let in-flight requests finish, close the database,
 * exit 0. A second signal, or a close that overruns the deadline, exits 1 at once.
 */
export function exitOnSignals(close: () => Promise<void>, logger: Logger): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    logger.info({ signal }, "shutting down");
    setTimeout(() => {
      logger.error("shutdown overran its deadline; exiting");
      process.exit(1);
    }, HARD_DEADLINE_MS).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "error while shutting down");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
