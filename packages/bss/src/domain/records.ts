/**
 * What BSS stores (spec bss.md §2.3, §4.2): boot records keyed by a node identifier or a
 * tag, and image-level params keyed by a kernel or initrd URL.
 */

/** The `/boot/v1` key kinds (v0.2's `group` and `pattern` are not served here yet). */
export type TargetKind = "mac" | "xname" | "nid" | "tag";

/** A normalised key: MAC lower-case with colons, xname normalised, NID decimal, tag canonical. */
export interface Target {
  kind: TargetKind;
  key: string;
}

export type ImageKind = "kernel" | "initrd";

export interface ImageTarget {
  kind: ImageKind;
  path: string;
}

/** The BootParams `cloud-init` object, Go-decoded; stored as given and echoed back. */
export interface CloudInit {
  "meta-data"?: Record<string, unknown> | null;
  "user-data"?: Record<string, unknown> | null;
  "phone-home"?: Partial<Record<PhoneHomeField, string>> | null;
}

export const PHONE_HOME_FIELDS = [
  "pub_key_dsa",
  "pub_key_rsa",
  "pub_key_ecdsa",
  "pub_key_ed25519",
  "instance_id",
  "hostname",
  "fqdn",
] as const;
export type PhoneHomeField = (typeof PHONE_HOME_FIELDS)[number];

/** One record: the first that resolves for a node wins whole (§3.2). */
export interface BootRecord {
  kernel: string;
  initrd: string;
  params: string;
  /** null when none was given (the default object is emitted). */
  cloudInit: CloudInit | null;
  /** The referral token of the POST/PUT that wrote it; "" when unknown. */
  token: string;
}

/** A committed write, as the params index applies it and as other replicas learn of it. */
export interface ParamsChange {
  set: [Target, BootRecord][];
  removed: Target[];
  images: [ImageTarget, string][];
  removedImages: ImageTarget[];
}

export function emptyChange(): ParamsChange {
  return { set: [], removed: [], images: [], removedImages: [] };
}

/** `mac/aa:bb:…`, `kernel/http://…`: one string per key, for maps and NOTIFY payloads. */
export function keyString(target: Target | ImageTarget): string {
  return `${target.kind}/${"key" in target ? target.key : target.path}`;
}
