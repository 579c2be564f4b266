import {
  type BootRecord,
  type CloudInit,
  type ImageTarget,
  PHONE_HOME_FIELDS,
  type Target,
  type TargetKind,
} from "./records.ts";

/** BootParams as upstream marshals them (§2.3), keys in its order; empty fields omitted. */
export interface BootParamsWire {
  hosts?: string[];
  macs?: string[];
  nids?: number[];
  params?: string;
  kernel?: string;
  initrd?: string;
  "cloud-init": CloudInitWire;
}

export interface CloudInitWire {
  "meta-data": Record<string, unknown> | null;
  "user-data": Record<string, unknown> | null;
  "phone-home": Partial<Record<(typeof PHONE_HOME_FIELDS)[number], string>>;
}

/** Go's struct with defaults: every phone-home field but `pub_key_ed25519`, which only when set. */
export function cloudInitWire(cloudInit: CloudInit | null): CloudInitWire {
  const phoneHome = cloudInit?.["phone-home"] ?? {};
  return {
    "meta-data": cloudInit?.["meta-data"] ?? null,
    "user-data": cloudInit?.["user-data"] ?? null,
    "phone-home": Object.fromEntries(
      PHONE_HOME_FIELDS.map((field) => [field, phoneHome[field] ?? ""]).filter(
        ([field, value]) => field !== "pub_key_ed25519" || value !== "",
      ),
    ),
  };
}

/** The keys of one BootParams object, as `hosts` (xnames and tags), `macs` and `nids`. */
interface Keys {
  hosts: string[];
  macs: string[];
  nids: number[];
}

function recordWire(record: BootRecord, keys: Keys): BootParamsWire {
  // Assigned in upstream's key order, each only when non-empty.
  const wire: Partial<BootParamsWire> = {};
  if (keys.hosts.length > 0) wire.hosts = keys.hosts;
  if (keys.macs.length > 0) wire.macs = keys.macs;
  if (keys.nids.length > 0) wire.nids = keys.nids;
  if (record.params !== "") wire.params = record.params;
  if (record.kernel !== "") wire.kernel = record.kernel;
  if (record.initrd !== "") wire.initrd = record.initrd;
  wire["cloud-init"] = cloudInitWire(record.cloudInit);
  return wire as BootParamsWire;
}

function keysOf(targets: readonly Target[]): Keys {
  const keys: Keys = { hosts: [], macs: [], nids: [] };
  for (const { kind, key } of targets) {
    if (kind === "mac") keys.macs.push(key);
    else if (kind === "nid") keys.nids.push(Number(key));
    else keys.hosts.push(key);
  }
  return keys;
}

/** One record under one key: a filtered GET lists each match on its own (as upstream). */
export function singleWire(target: Target, record: BootRecord): BootParamsWire {
  return recordWire(record, keysOf([target]));
}

export function imageWire(image: ImageTarget, params: string): BootParamsWire {
  return recordWire(
    { kernel: "", initrd: "", params, cloudInit: null, token: "", [image.kind]: image.path },
    {
      hosts: [],
      macs: [],
      nids: [],
    },
  );
}

/** Listing order: hosts (xnames, then tags), MACs, NIDs; keys ascending within a kind. */
const KIND_ORDER: Readonly<Record<TargetKind, number>> = { xname: 0, tag: 1, mac: 2, nid: 3 };

function compareTargets(a: Target, b: Target): number {
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  if (a.kind === "nid") return Number(a.key) - Number(b.key);
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * GET all (§2.4): records with identical kernel, initrd, params and cloud-init form one
 * object listing all their keys, in order of each group's first key; image-level entries
 * follow, kernels then initrds, by URL. `null` when there is nothing, as upstream.
 */
export function groupedWire(
  records: Iterable<[Target, BootRecord]>,
  images: Iterable<[ImageTarget, string]>,
): BootParamsWire[] | null {
  const groups = new Map<string, { record: BootRecord; targets: Target[] }>();
  for (const [target, record] of [...records].sort(([a], [b]) => compareTargets(a, b))) {
    const signature = JSON.stringify([
      record.kernel,
      record.initrd,
      record.params,
      cloudInitWire(record.cloudInit),
    ]);
    const group = groups.get(signature);
    if (group) group.targets.push(target);
    else groups.set(signature, { record, targets: [target] });
  }
  const sortedImages = [...images].sort(([a], [b]) =>
    a.kind !== b.kind ? (a.kind === "kernel" ? -1 : 1) : a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
  const all = [
    ...[...groups.values()].map(({ record, targets }) => recordWire(record, keysOf(targets))),
    ...sortedImages.map(([image, params]) => imageWire(image, params)),
  ];
  return all.length === 0 ? null : all;
}
