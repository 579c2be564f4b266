/** A bearer token, or a function giving the current one (tokens expire; it is asked per request). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

export interface EtagClientOptions {
  token?: TokenSource;
  timeoutMs: number;
  /** Aborts every request in flight (on close). */
  signal: AbortSignal;
  /** Connection settings, e.g. an undici `Agent` trusting a private CA; default: fetch's own. */
  dispatcher?: RequestInit["dispatcher"];
}

/**
 * GETs JSON, sending the last ETag of each URL in `If-None-Match` and reusing the body
 * already parsed on a 304 (SMD's ETag extension, smd.md §7d): an unchanged collection costs
 * neither the transfer nor the parse. Servers without ETags simply always answer 200.
 */
export class EtagClient {
  readonly #options: EtagClientOptions;
  readonly #tagged = new Map<string, { etag: string; body: unknown }>();

  constructor(options: EtagClientOptions) {
    this.#options = options;
  }

  async get(url: string): Promise<unknown> {
    const { token, timeoutMs, signal, dispatcher } = this.#options;
    const headers: Record<string, string> = { accept: "application/json" };
    const bearer = typeof token === "function" ? await token() : token;
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    const previous = this.#tagged.get(url);
    if (previous) headers["if-none-match"] = previous.etag;
    const response = await fetch(url, {
      headers,
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), signal]),
      dispatcher,
    });
    if (response.status === 304 && previous) return previous.body;
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`GET ${url}: HTTP ${response.status}`);
    }
    const body: unknown = await response.json();
    const etag = response.headers.get("etag");
    if (etag) this.#tagged.set(url, { etag, body });
    else this.#tagged.delete(url);
    return body;
  }
}
