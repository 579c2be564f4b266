import { readFile } from "node:fs/promises";

/** A file as resolved on disk; the cache key is all three fields. */
export interface FileVersion {
  path: string;
  size: number;
  mtimeMs: number;
}

interface Entry {
  size: number;
  mtimeMs: number;
  data: Promise<Buffer>;
}

const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

/**
 * File contents by path, size and mtime, least recently used evicted beyond `maxBytes`.
 * Concurrent requests for one file share a single read (100 PXE clients fetching the same
 * iPXE binary read it once).
 */
export class FileCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxBytes: number;
  readonly #read: (path: string) => Promise<Buffer>;
  #bytes = 0;

  constructor(maxBytes = DEFAULT_CACHE_BYTES, read: (path: string) => Promise<Buffer> = readFile) {
    this.#maxBytes = maxBytes;
    this.#read = read;
  }

  get(file: FileVersion): Promise<Buffer> {
    const hit = this.#entries.get(file.path);
    if (hit && hit.size === file.size && hit.mtimeMs === file.mtimeMs) {
      this.#entries.delete(file.path);
      this.#entries.set(file.path, hit);
      return hit.data;
    }
    if (hit) this.#remove(file.path, hit);
    if (file.size > this.#maxBytes) return this.#read(file.path);
    const entry: Entry = { size: file.size, mtimeMs: file.mtimeMs, data: this.#read(file.path) };
    entry.data.catch(() => {
      if (this.#entries.get(file.path) === entry) this.#remove(file.path, entry);
    });
    this.#entries.set(file.path, entry);
    this.#bytes += entry.size;
    this.#evict();
    return entry.data;
  }

  #remove(path: string, entry: Entry): void {
    this.#entries.delete(path);
    this.#bytes -= entry.size;
  }

  #evict(): void {
    for (const [path, entry] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) return;
      this.#remove(path, entry);
    }
  }
}
