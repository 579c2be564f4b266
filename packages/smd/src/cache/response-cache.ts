import { createHash } from "node:crypto";

export interface CachedBody {
  body: string;
  /** Strong ETag: a hash of the body, so every replica tags the same body the same way. */
  etag: string;
}

/** Enough for the unfiltered collection plus the few filters pollers use (`?type=Node`). */
const MAX_ENTRIES = 64;

/**
 * Serialised answers to hot collection GETs (coresmd polls them in full every ~30 s per
 * instance, BSS and cloud-init on every refresh), dropped whenever the change feed reports
 * a write to what they depend on. A generation counter keeps a build that raced a write
 * from being cached with the old data.
 */
export class ResponseCache {
  #entries = new Map<string, CachedBody>();
  #generation = 0;

  invalidate(): void {
    this.#generation++;
    this.#entries.clear();
  }

  async get(key: string, build: () => Promise<string>): Promise<CachedBody> {
    const hit = this.#entries.get(key);
    if (hit) return hit;
    const generation = this.#generation;
    const body = await build();
    const entry = { body, etag: etagOf(body) };
    if (generation === this.#generation) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
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
