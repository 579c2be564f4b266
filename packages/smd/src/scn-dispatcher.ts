import type { Logger } from "@openchami/core";
import type { Db } from "@openchami/db";
import { type ScnEvent, type Subscription, targetUrls } from "./domain/scn.ts";
import { SMD_CHANGES, type SmdChange } from "./store/changes.ts";

export interface ScnDispatcherOptions {
  logger: Logger;
  /** Reads every subscription (the store's list). */
  load: () => Promise<Subscription[]>;
  /** Most deliveries waiting (queued or backing off) before new ones are dropped; default 10,000. */
  queueLimit?: number;
  /** Most bytes of payload waiting, counted per delivery; default 64 MiB. */
  queueBytesLimit?: number;
  /** Deliveries in flight at once; default 8. */
  concurrency?: number;
  /** Tries per delivery; default 3. */
  attempts?: number;
  /** Wait before the first retry, doubled for each later one; default 1 s. */
  backoffMs?: number;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  /** Reload of the subscriptions as a safety net for a missed change event; default 30 s (as upstream). */
  refreshIntervalMs?: number;
}

export interface ScnStats {
  /** Deliveries waiting for a worker. */
  queued: number;
  /** Deliveries waiting to be retried. */
  backingOff: number;
  inFlight: number;
  delivered: number;
  /** Deliveries that failed every try. */
  failed: number;
  /** Deliveries refused because the queue was full. */
  dropped: number;
}

interface Delivery {
  url: string;
  body: string;
  bytes: number;
  /** Tries made so far. */
  tries: number;
}

/**
 * Delivers state change notifications (spec smd.md §5.6) to subscribers' webhooks: after
 * commit, never in the way of an API response. `publish` only enqueues; a small pool of
 * workers POSTs each event once per distinct subscribed URL, retrying with exponential
 * backoff. Memory is bounded: when the queue is full, new deliveries are dropped and
 * counted. Subscriptions are cached in memory and reloaded whenever any replica writes them
 * (the change feed), so matching an event costs no query.
 */
export class ScnDispatcher {
  readonly #logger: Logger;
  readonly #load: () => Promise<Subscription[]>;
  readonly #queueLimit: number;
  readonly #queueBytesLimit: number;
  readonly #concurrency: number;
  readonly #attempts: number;
  readonly #backoffMs: number;
  readonly #timeoutMs: number;
  readonly #refreshIntervalMs: number;
  #refreshTimer: NodeJS.Timeout | undefined;

  #subscriptions: readonly Subscription[] = [];
  readonly #queue: Delivery[] = [];
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  #waitingBytes = 0;
  #inFlight = 0;
  #delivered = 0;
  #failed = 0;
  #dropped = 0;
  #closed = false;
  readonly #abort = new AbortController();
  #idleWaiters: (() => void)[] = [];
  #refreshing: Promise<void> | undefined;
  #refreshAgain = false;
  #unlisten: (() => Promise<void>) | undefined;

  constructor(options: ScnDispatcherOptions) {
    this.#logger = options.logger;
    this.#load = options.load;
    this.#queueLimit = options.queueLimit ?? 10_000;
    this.#queueBytesLimit = options.queueBytesLimit ?? 64 * 1024 * 1024;
    this.#concurrency = options.concurrency ?? 8;
    this.#attempts = options.attempts ?? 3;
    this.#backoffMs = options.backoffMs ?? 1000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#refreshIntervalMs = options.refreshIntervalMs ?? 30_000;
  }

  /**
   * Loads the subscriptions and follows the change feed for later writes from any replica,
   * reloading periodically too. A failed load is logged, not thrown: the service starts
   * without notifications rather than not at all, and the next reload catches up.
   */
  async start(db: Db): Promise<void> {
    this.#unlisten = await db.listen(SMD_CHANGES, (change: SmdChange) => {
      if (change.resource === "Subscriptions") this.refresh().catch(() => {});
    });
    this.#refreshTimer = setInterval(() => this.refresh().catch(() => {}), this.#refreshIntervalMs);
    this.#refreshTimer.unref();
    await this.refresh().catch(() => {});
  }

  /**
   * Reloads the subscription cache. Calls during a reload share one more reload after it,
   * so the cache always ends up at least as new as the last write before the call.
   */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      try {
        do {
          this.#refreshAgain = false;
          this.#subscriptions = await this.#load();
        } while (this.#refreshAgain);
      } catch (err) {
        this.#logger.error({ err }, "SCN: could not load subscriptions");
        throw err;
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  /** Queues an event for every subscribed URL whose triggers it matches; never blocks or throws. */
  publish(event: ScnEvent): void {
    if (this.#closed || event.Components.length === 0) return;
    const urls = targetUrls(this.#subscriptions, event);
    if (urls.length === 0) return;
    const body = JSON.stringify(event);
    const bytes = Buffer.byteLength(body);
    for (const url of urls) {
      if (this.#waiting() >= this.#queueLimit || this.#waitingBytes + bytes > this.#queueBytesLimit) {
        this.#drop();
        continue;
      }
      this.#waitingBytes += bytes;
      this.#queue.push({ url, body, bytes, tries: 0 });
    }
    this.#pump();
  }

  get stats(): ScnStats {
    return {
      queued: this.#queue.length,
      backingOff: this.#retryTimers.size,
      inFlight: this.#inFlight,
      delivered: this.#delivered,
      failed: this.#failed,
      dropped: this.#dropped,
    };
  }

  /** Resolves once nothing is queued, backing off or in flight. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops: pending deliveries are discarded and requests in flight aborted. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#refreshTimer);
    await this.#unlisten?.();
    await this.#refreshing?.catch(() => {});
    this.#abort.abort();
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#retryTimers.clear();
    this.#queue.length = 0;
    this.#waitingBytes = 0;
    this.#settle();
  }

  #waiting(): number {
    return this.#queue.length + this.#retryTimers.size;
  }

  #isIdle(): boolean {
    return this.#waiting() === 0 && this.#inFlight === 0;
  }

  #drop(): void {
    this.#dropped++;
    // One line per burst and then every thousandth, so a flood cannot flood the log too.
    if (this.#dropped % 1000 === 1)
      this.#logger.warn({ dropped: this.#dropped }, "SCN: delivery queue full, dropping notifications");
  }

  #pump(): void {
    while (!this.#closed && this.#inFlight < this.#concurrency && this.#queue.length > 0) {
      const delivery = this.#queue.shift() as Delivery;
      this.#inFlight++;
      this.#attempt(delivery).finally(() => {
        this.#inFlight--;
        this.#pump();
        this.#settle();
      });
    }
  }

  async #attempt(delivery: Delivery): Promise<void> {
    delivery.tries++;
    const error = await this.#post(delivery);
    if (error === undefined) {
      this.#delivered++;
      this.#release(delivery);
      return;
    }
    if (this.#closed) return;
    if (delivery.tries >= this.#attempts) {
      this.#failed++;
      this.#release(delivery);
      this.#logger.warn({ url: delivery.url, tries: delivery.tries, error }, "SCN: delivery failed");
      return;
    }
    // Backing off holds no worker, so one dead subscriber cannot stall the others.
    const timer = setTimeout(
      () => {
        this.#retryTimers.delete(timer);
        this.#queue.unshift(delivery);
        this.#pump();
      },
      this.#backoffMs * 2 ** (delivery.tries - 1),
    );
    timer.unref();
    this.#retryTimers.add(timer);
  }

  /** One POST; undefined on a 2xx, else why it failed. */
  async #post({ url, body }: Delivery): Promise<string | undefined> {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "smd" },
        body,
        signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#timeoutMs)]),
      });
      await response.body?.cancel();
      return response.ok ? undefined : `HTTP ${response.status}`;
    } catch (err) {
      return (err as Error).message;
    }
  }

  #release(delivery: Delivery): void {
    this.#waitingBytes -= delivery.bytes;
  }

  #settle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
