import { createHash } from "node:crypto";

export interface CachedBody {
  body: string;
  /** Strong ETag: a hash of the body, so every replica tags the same body the same way. */
  etag: string;
}

/**
 * Serialised answers to hot GETs, dropped whenever the change feed reports a write to what
 * they depend on. A generation counter keeps a build that raced a write from being cached
 * with the old data.
 */
export class ResponseCache {
  #entries = new Map<string, CachedBody>();
  #generation = 0;

  /** @param maxEntries beyond this many bodies the cache starts over (bounded memory). */
  constructor(private readonly maxEntries: number) {}

  /** Drops the given keys, or everything. */
  invalidate(keys?: readonly string[]): void {
    this.#generation++;
    if (keys === undefined) this.#entries.clear();
    else for (const key of keys) this.#entries.delete(key);
  }

  async get(key: string, build: () => Promise<string>): Promise<CachedBody> {
    const hit = this.#entries.get(key);
    if (hit) return hit;
    const generation = this.#generation;
    const body = await build();
    const entry = { body, etag: etagOf(body) };
    if (generation === this.#generation) {
      if (this.#entries.size >= this.maxEntries) this.#entries.clear();
      this.#entries.set(key, entry);
    }
    return entry;
  }
}

export function etagOf(body: string): string {
  return `"${createHash("sha256").update(body).digest("base64url")}"`;
}

/** RFC 9110 If-None-Match: `*` or a list of tags (weak ones compared weakly). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}
