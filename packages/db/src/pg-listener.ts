import type { Logger } from "@openchami/core";
import pg from "pg";

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 10_000;

/**
 * One dedicated connection that LISTENs on the channels someone subscribed to, opened on
 * the first subscription. When it drops, it reconnects with exponential backoff and
 * LISTENs again; problems are logged, never thrown from the background. Notifications
 * sent while it is down are lost: PostgreSQL does not queue them for absent listeners.
 */
export class PgListener {
  readonly #url: string;
  readonly #logger: Logger;
  readonly #onNotification: (channel: string, text: string) => void;
  readonly #onRestored: () => void;
  readonly #channels = new Set<string>();
  /** The connection being opened or open, with every channel in #channels LISTENed. */
  #connection: Promise<pg.Client> | undefined;
  /** The open connection, once #connection resolved; a drop of any other is stale news. */
  #current: pg.Client | undefined;
  #retry: NodeJS.Timeout | undefined;
  #retryMs = FIRST_RETRY_MS;
  #closed = false;

  constructor(
    url: string,
    logger: Logger,
    onNotification: (channel: string, text: string) => void,
    onRestored: () => void,
  ) {
    this.#url = url;
    this.#logger = logger;
    this.#onNotification = onNotification;
    this.#onRestored = onRestored;
  }

  /** Resolves once LISTEN is in effect (or, during an outage, once the reconnect will do it). */
  async listen(channel: string): Promise<void> {
    if (this.#closed) throw new Error("database is closed");
    this.#channels.add(channel);
    if (this.#retry) return;
    try {
      const client = await this.#connected();
      await client.query(`LISTEN ${quoteIdent(channel)}`);
    } catch (err) {
      this.#channels.delete(channel);
      throw err;
    }
  }

  async unlisten(channel: string): Promise<void> {
    this.#channels.delete(channel);
    // A failure here means the connection dropped, which the reconnect handles (without this channel).
    await this.#current?.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => {});
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const connection = this.#connection;
    this.#connection = undefined;
    this.#current = undefined;
    await connection?.then((client) => client.end()).catch(() => {});
  }

  #connected(): Promise<pg.Client> {
    this.#connection ??= this.#open();
    return this.#connection;
  }

  async #open(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.#url,
      application_name: "openchami-listener",
      keepAlive: true,
    });
    client.on("notification", ({ channel, payload }) => this.#onNotification(channel, payload ?? ""));
    client.on("error", (err) => this.#lost(client, err));
    client.on("end", () => this.#lost(client, undefined));
    try {
      await client.connect();
      for (const channel of this.#channels) await client.query(`LISTEN ${quoteIdent(channel)}`);
    } catch (err) {
      this.#connection = undefined;
      client.end().catch(() => {});
      throw err;
    }
    this.#current = client;
    this.#retryMs = FIRST_RETRY_MS;
    return client;
  }

  #lost(client: pg.Client, err: Error | undefined): void {
    if (client !== this.#current || this.#closed) return;
    this.#logger.warn({ err }, "LISTEN connection lost; reconnecting");
    this.#current = undefined;
    this.#connection = undefined;
    client.end().catch(() => {});
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    this.#retry = setTimeout(() => this.#reconnect(), this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
  }

  async #reconnect(): Promise<void> {
    this.#retry = undefined;
    // With no subscribers left, the next listen() connects on demand.
    if (this.#closed || this.#channels.size === 0) return;
    try {
      await this.#connected();
      this.#logger.info({ channels: [...this.#channels] }, "LISTEN connection restored");
      try {
        this.#onRestored();
      } catch (err) {
        this.#logger.error({ err }, "resync handler failed");
      }
    } catch (err) {
      this.#logger.warn({ err, retryInMs: this.#retryMs }, "LISTEN reconnect failed");
      this.#scheduleReconnect();
    }
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
