import type {
  BootRecord,
  ImageKind,
  ImageTarget,
  ParamsChange,
  Target,
  TargetKind,
} from "./domain/records.ts";
import type { ParamsView } from "./domain/resolve.ts";
import type { ParamsSnapshot } from "./store/boot-params.ts";

type RecordMaps = Record<TargetKind, Map<string, BootRecord>>;
type ImageMaps = Record<ImageKind, Map<string, string>>;

function recordMaps(): RecordMaps {
  return { mac: new Map(), xname: new Map(), nid: new Map(), tag: new Map() };
}

/**
 * The params index (spec bss.md §4.3): (kind, key) → record and (kernel|initrd, URL) →
 * image params, in memory. Every update is applied synchronously in one go, so a reader
 * (always on the same event loop) never sees half of one.
 */
export class ParamsIndex implements ParamsView {
  #records = recordMaps();
  #images: ImageMaps = { kernel: new Map(), initrd: new Map() };
  #generation = 0;

  record(kind: TargetKind, key: string): BootRecord | undefined {
    return this.#records[kind].get(key);
  }

  imageParams(kind: ImageKind, path: string): string {
    return this.#images[kind].get(path) ?? "";
  }

  /** The image params of a URL, undefined when it has none stored. */
  image(kind: ImageKind, path: string): string | undefined {
    return this.#images[kind].get(path);
  }

  *records(): Iterable<[Target, BootRecord]> {
    for (const kind of Object.keys(this.#records) as TargetKind[]) {
      for (const [key, record] of this.#records[kind]) yield [{ kind, key }, record];
    }
  }

  *images(): Iterable<[ImageTarget, string]> {
    for (const kind of Object.keys(this.#images) as ImageKind[]) {
      for (const [path, params] of this.#images[kind]) yield [{ kind, path }, params];
    }
  }

  /** Counts this process's own writes, so a reload that raced one can tell (see ParamsSync). */
  get generation(): number {
    return this.#generation;
  }

  /** Replaces everything (cold start, resync). */
  replace(snapshot: ParamsSnapshot): void {
    const records = recordMaps();
    for (const [{ kind, key }, record] of snapshot.records) records[kind].set(key, record);
    const images: ImageMaps = { kernel: new Map(), initrd: new Map() };
    for (const [{ kind, path }, params] of snapshot.images) images[kind].set(path, params);
    this.#records = records;
    this.#images = images;
  }

  /** Applies a committed change; `local` marks this process's own write. */
  apply(change: ParamsChange, local: boolean): void {
    for (const [{ kind, key }, record] of change.set) this.#records[kind].set(key, record);
    for (const { kind, key } of change.removed) this.#records[kind].delete(key);
    for (const [{ kind, path }, params] of change.images) this.#images[kind].set(path, params);
    for (const { kind, path } of change.removedImages) this.#images[kind].delete(path);
    if (local) this.#generation++;
  }
}
