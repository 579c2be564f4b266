import { randomUUID } from "node:crypto";
import type { Logger } from "@openchami/core";
import type { Db, Tx } from "@openchami/db";
import type { ParamsChange } from "./domain/records.ts";
import { ParamsIndex } from "./params-index.ts";
import type { BootParamsStore } from "./store/boot-params.ts";
import { BSS_CHANGED, type BssChanged, parseKeys, recordChange } from "./store/changes.ts";

/** How long a failed reload waits before it tries again. */
const RETRY_MS = 1000;

/**
 * Keeps the params index equal to the database (spec bss.md §4.3): loaded at start; this
 * process's writes applied right after they commit, so its next request sees them; other
 * replicas' writes reloaded by key when their `bss_changed` NOTIFY arrives, and everything
 * reloaded when notifications may have been lost (db.onResync).
 */
export class ParamsSync {
  readonly index = new ParamsIndex();
  readonly #origin = randomUUID();
  readonly #db: Db;
  readonly #store: BootParamsStore;
  readonly #logger: Logger;
  /** Keys to reload, or everything. */
  #pending: Set<string> | "all" | undefined;
  #draining: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #loaded = false;
  #closed = false;
  #stop: (() => Promise<void>) | undefined;

  constructor(db: Db, store: BootParamsStore, logger: Logger) {
    this.#db = db;
    this.#store = store;
    this.#logger = logger;
  }

  /** Listens first, then loads: a change committed meanwhile is reloaded after the load. */
  async start(): Promise<void> {
    const unlisten = await this.#db.listen(BSS_CHANGED, (payload: BssChanged) => this.#changed(payload));
    const unresync = this.#db.onResync(() => this.#schedule("all"));
    this.#stop = async () => {
      unresync();
      await unlisten();
    };
    this.index.replace(await this.#store.loadAll());
    this.#loaded = true;
    this.#kick();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    await this.#stop?.();
    await this.#draining;
  }

  /**
   * Runs a write in one transaction, tells the other replicas at commit, and applies it
   * to this process's index before returning.
   */
  async write(work: (tx: Tx) => Promise<ParamsChange>): Promise<void> {
    const change = await this.#db.transaction(async (tx) => {
      const result = await work(tx);
      recordChange(tx, this.#origin, result);
      return result;
    });
    this.index.apply(change, true);
  }

  #changed(payload: BssChanged): void {
    if (payload.origin !== this.#origin) this.#schedule(payload.keys === "*" ? "all" : payload.keys);
  }

  #schedule(keys: readonly string[] | "all"): void {
    if (keys === "all" || this.#pending === "all") this.#pending = "all";
    else this.#pending = new Set([...(this.#pending ?? []), ...keys]);
    this.#kick();
  }

  #kick(): void {
    if (!this.#loaded || this.#closed || this.#draining || this.#retry || !this.#pending) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      this.#kick();
    });
  }

  async #drain(): Promise<void> {
    while (this.#pending && !this.#closed) {
      const pending = this.#pending;
      this.#pending = undefined;
      try {
        if (!(await this.#reload(pending))) this.#requeue(pending);
      } catch (err) {
        if (this.#closed) return;
        this.#logger.error({ err }, "reloading boot parameters failed; retrying");
        this.#requeue(pending);
        this.#retry = setTimeout(() => {
          this.#retry = undefined;
          this.#kick();
        }, RETRY_MS);
        this.#retry.unref();
        return;
      }
    }
  }

  /**
   * Reads the pending keys and applies them, unless a local write committed meanwhile:
   * it may be newer than what was read, so the caller reads again.
   */
  async #reload(pending: Set<string> | "all"): Promise<boolean> {
    const generation = this.index.generation;
    if (pending === "all") {
      const snapshot = await this.#store.loadAll();
      if (this.index.generation !== generation) return false;
      this.index.replace(snapshot);
      return true;
    }
    const { targets, images } = parseKeys(pending);
    const change = await this.#store.load(targets, images);
    if (this.index.generation !== generation) return false;
    this.index.apply(change, false);
    return true;
  }

  #requeue(pending: Set<string> | "all"): void {
    this.#schedule(pending === "all" ? "all" : [...pending]);
  }
}
