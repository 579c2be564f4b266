import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Knows whether the calling code runs inside one of this database's transaction
 * callbacks, so misuse (nested transactions, queries on `db.kysely` that would wait
 * for PGlite's only connection forever) fails loudly instead of hanging.
 */
export class TransactionScope {
  readonly #storage = new AsyncLocalStorage<{ open: boolean }>();

  get inside(): boolean {
    return this.#storage.getStore()?.open === true;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    // A flag rather than mere presence: callbacks scheduled inside a transaction may run
    // after it ended, and must not be mistaken for being inside it.
    const state = { open: true };
    try {
      return await this.#storage.run(state, fn);
    } finally {
      state.open = false;
    }
  }
}
