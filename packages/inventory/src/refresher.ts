import type { Logger } from "@openchami/core";

export interface RefreshPolicy {
  /** Least time between the starts of two refreshes; later requests wait for it (0: none). */
  minIntervalMs: number;
  /** Refresh again this long after each success (polling); undefined: only when asked. */
  pollIntervalMs?: number;
  /**
   * After a run that took d ms, the next waits at least `restFactor` × d after it ended, so
   * refreshes take at most 1 / (1 + restFactor) of the database's time however fast the
   * changes come (PGlite has one connection, which writes need too). Default 0.
   */
  restFactor?: number;
  /** Wait before retrying a failed refresh, doubled per consecutive failure up to `maxRetryMs`. */
  retryMs: number;
  maxRetryMs: number;
}

interface Waiters {
  promise: Promise<void>;
  resolve: () => void;
}

function waiters(): Waiters {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Runs `refresh` single-flight: at most one run in flight and one queued. Requests made while
 * a run is in flight join the queued run, which starts when that one ends, so it sees every
 * change they were made for. Runs start no closer together than `minIntervalMs`, and after a
 * failure not before the back-off; a failure is logged and retried, never propagated.
 */
export class Refresher {
  readonly #refresh: () => Promise<void>;
  readonly #policy: RefreshPolicy;
  readonly #logger: Logger;
  #inFlight: Promise<void> | undefined;
  #queued: Waiters | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** No run starts before this (rate limit, back-off). */
  #notBefore = 0;
  #failures = 0;
  #closed = false;

  constructor(refresh: () => Promise<void>, policy: RefreshPolicy, logger: Logger) {
    this.#refresh = refresh;
    this.#policy = policy;
    this.#logger = logger;
  }

  /** Asks for a run. Synchronous, so a `settled()` called right after waits for it. */
  request(): void {
    if (this.#closed) return;
    this.#queued ??= waiters();
    this.#startWhenAllowed();
  }

  /** A run is queued or in flight. */
  get busy(): boolean {
    return this.#queued !== undefined || this.#inFlight !== undefined;
  }

  /** Resolves when every run requested so far has ended (successfully or not). */
  settled(): Promise<void> {
    return this.#queued?.promise ?? this.#inFlight ?? Promise.resolve();
  }

  /** Stops timers and releases waiters; a run in flight finishes on its own. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#queued?.resolve();
    this.#queued = undefined;
  }

  #startWhenAllowed(): void {
    // A run in flight starts the queued one when it ends.
    if (this.#inFlight || !this.#queued) return;
    const wait = this.#notBefore - Date.now();
    if (wait > 0) this.#wakeIn(wait);
    else this.#start(this.#queued);
  }

  #start(run: Waiters): void {
    clearTimeout(this.#timer);
    this.#queued = undefined;
    const started = Date.now();
    this.#notBefore = started + this.#policy.minIntervalMs;
    this.#inFlight = this.#runOnce().finally(() => {
      const ended = Date.now();
      this.#notBefore = Math.max(this.#notBefore, ended + (this.#policy.restFactor ?? 0) * (ended - started));
      this.#inFlight = undefined;
      run.resolve();
      this.#startWhenAllowed();
    });
  }

  async #runOnce(): Promise<void> {
    try {
      await this.#refresh();
      this.#failures = 0;
      if (this.#policy.pollIntervalMs !== undefined) this.#wakeIn(this.#policy.pollIntervalMs);
    } catch (err) {
      this.#failures++;
      const { retryMs, maxRetryMs } = this.#policy;
      const backoff = Math.min(retryMs * 2 ** (this.#failures - 1), maxRetryMs);
      this.#notBefore = Math.max(this.#notBefore, Date.now() + backoff);
      this.#logger.warn(
        { err, failures: this.#failures, retryInMs: backoff },
        "inventory refresh failed; serving the last view",
      );
      this.#wakeIn(backoff);
    }
  }

  /**
   * One timer serves polling, retries and rate-limited requests: each wants a run at its time.
   * It keeps the process alive only while someone waits for that run; polling alone does not.
   */
  #wakeIn(ms: number): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.request(), ms);
    if (!this.#queued) this.#timer.unref();
  }
}
