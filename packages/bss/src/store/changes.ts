import { MAX_NOTIFICATION_BYTES, type Tx } from "@openchami/db";
import {
  type ImageKind,
  type ImageTarget,
  keyString,
  type ParamsChange,
  type Target,
  type TargetKind,
} from "../domain/records.ts";

/** The channel replicas sharing a database learn of each other's writes on (spec bss.md §4.3). */
export const BSS_CHANGED = "bss_changed";

/** The keys a commit changed (`kind/key`, `kernel/<url>`), or `*` when they would not fit. */
export interface BssChanged {
  /** The writing process's ParamsSync: it applied the change itself and skips its echo. */
  origin: string;
  keys: string[] | "*";
}

/** Room for the db package's envelope around the payload. */
const MAX_KEYS_BYTES = MAX_NOTIFICATION_BYTES - 200;

function changedKeys(change: ParamsChange): string[] {
  return [
    ...change.set.map(([target]) => target),
    ...change.removed,
    ...change.images.map(([image]) => image),
    ...change.removedImages,
  ].map(keyString);
}

/** Queues the notification for commit; nothing when nothing changed. */
export function recordChange(tx: Tx, origin: string, change: ParamsChange): void {
  const keys = changedKeys(change);
  if (keys.length === 0) return;
  const fits = Buffer.byteLength(JSON.stringify(keys)) <= MAX_KEYS_BYTES;
  tx.notify(BSS_CHANGED, { origin, keys: fits ? keys : "*" } satisfies BssChanged);
}

const TARGET_KINDS = new Set<string>(["mac", "xname", "nid", "tag"]);
const IMAGE_KINDS = new Set<string>(["kernel", "initrd"]);

/** Key strings back into targets and image URLs; anything unrecognised is dropped. */
export function parseKeys(keys: Iterable<string>): { targets: Target[]; images: ImageTarget[] } {
  const targets: Target[] = [];
  const images: ImageTarget[] = [];
  for (const text of keys) {
    const slash = text.indexOf("/");
    const kind = text.slice(0, slash);
    const rest = text.slice(slash + 1);
    if (TARGET_KINDS.has(kind)) targets.push({ kind: kind as TargetKind, key: rest });
    else if (IMAGE_KINDS.has(kind)) images.push({ kind: kind as ImageKind, path: rest });
  }
  return { targets, images };
}
