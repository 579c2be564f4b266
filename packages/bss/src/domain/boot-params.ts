import { type EnumRegistry, errors } from "@openchami/core";
import { canonicalizeKeys } from "@openchami/http";
import { type Static, type TSchema, Type } from "typebox";
import { Value } from "typebox/value";
import {
  type BootRecord,
  type CloudInit,
  type ImageTarget,
  keyString,
  PHONE_HOME_FIELDS,
  type Target,
} from "./records.ts";
import { hostTarget, macTarget, nidTarget } from "./targets.ts";

/** Go clients marshal nil slices and pointers as `null`, which means "not given". */
function Opt<T extends TSchema>(schema: T) {
  return Type.Optional(Type.Union([schema, Type.Null()]));
}

const JsonObject = Type.Record(Type.String(), Type.Unknown());

const CloudInitBody = Type.Object({
  "meta-data": Opt(JsonObject),
  "user-data": Opt(JsonObject),
  "phone-home": Opt(Type.Object(Object.fromEntries(PHONE_HOME_FIELDS.map((f) => [f, Opt(Type.String())])))),
});

/** The BootParams body (§2.3); unknown keys are dropped and known ones match in any case, as in Go. */
export const BootParamsBody = Type.Object({
  hosts: Opt(Type.Array(Type.String())),
  macs: Opt(Type.Array(Type.String())),
  nids: Opt(Type.Array(Type.Integer())),
  params: Opt(Type.String()),
  kernel: Opt(Type.String()),
  initrd: Opt(Type.String()),
  "cloud-init": Opt(CloudInitBody),
});

/** A decoded body: absent and `null` fields are empty. */
export interface BootParamsInput {
  hosts: string[];
  macs: string[];
  nids: number[];
  params: string;
  kernel: string;
  initrd: string;
  cloudInit: CloudInit | null;
}

/** A body that names nothing. */
export const NO_BOOT_PARAMS: Readonly<BootParamsInput> = {
  hosts: [],
  macs: [],
  nids: [],
  params: "",
  kernel: "",
  initrd: "",
  cloudInit: null,
};

/**
 * Reads a parsed JSON body the way upstream's Go decoder does (`null` is an empty body);
 * returns why when it does not fit.
 */
export function readBootParams(body: unknown): BootParamsInput | string {
  const value = canonicalizeKeys(BootParamsBody, body ?? {});
  if (!Value.Check(BootParamsBody, value)) {
    const [first] = Value.Errors(BootParamsBody, value);
    return `${first?.instancePath || "body"} ${first?.message ?? "is invalid"}`;
  }
  const input = value as Static<typeof BootParamsBody>;
  return {
    hosts: input.hosts ?? [],
    macs: input.macs ?? [],
    nids: input.nids ?? [],
    params: input.params ?? "",
    kernel: input.kernel ?? "",
    initrd: input.initrd ?? "",
    cloudInit: (input["cloud-init"] as CloudInit | null | undefined) ?? null,
  };
}

/** A write's body, or a 400 `Bad Request: <why>` (`Bad Request: EOF` when there is none). */
export function decodeBootParams(body: unknown): BootParamsInput {
  if (body === undefined) throw errors.badRequest("Bad Request: EOF");
  const input = readBootParams(body);
  if (typeof input === "string") throw errors.badRequest(`Bad Request: ${input}`);
  return input;
}

/** Every key the body names (hosts, then MACs, then NIDs), normalised, duplicates dropped. */
export function targetsOf(input: BootParamsInput, enums: EnumRegistry, validateMacs = true): Target[] {
  const all = [
    ...input.hosts.map((host) => hostTarget(host, enums)),
    ...input.macs.map((mac) => macTarget(mac, validateMacs)),
    ...input.nids.map(nidTarget),
  ];
  const unique = new Map(all.map((target) => [keyString(target), target]));
  return [...unique.values()];
}

/** The image URLs a target-less body addresses. */
export function imagesOf(input: BootParamsInput): ImageTarget[] {
  const images: ImageTarget[] = [];
  if (input.kernel !== "") images.push({ kind: "kernel", path: input.kernel });
  if (input.initrd !== "") images.push({ kind: "initrd", path: input.initrd });
  return images;
}

/** What a POST or PUT writes: records for its targets, else image-level params. */
export type StorePlan =
  | { kind: "records"; targets: Target[]; record: BootRecord }
  | { kind: "images"; images: ImageTarget[]; params: string };

export function planStore(input: BootParamsInput, enums: EnumRegistry, token: string): StorePlan {
  const targets = targetsOf(input, enums);
  if (targets.length === 0) {
    const images = imagesOf(input);
    if (images.length === 0) throw errors.badRequest("Nothing to Store");
    return { kind: "images", images, params: input.params };
  }
  // Global holds cluster-wide settings other services read, not something a node boots.
  const onlyGlobal = targets.length === 1 && targets[0]!.kind === "tag" && targets[0]!.key === "Global";
  if (input.kernel === "" && !onlyGlobal) throw errors.badRequest("Bad Request: kernel URI cannot be blank");
  const { kernel, initrd, params, cloudInit } = input;
  return { kind: "records", targets, record: { kernel, initrd, params, cloudInit, token } };
}

/**
 * A PATCH applied to a stored record (§2.4): non-empty params, kernel and initrd replace;
 * cloud-init meta-data and user-data merge per RFC 7386, non-empty phone-home fields
 * replace; the referral token stays.
 */
export function patchRecord(record: BootRecord, input: BootParamsInput): BootRecord {
  return {
    kernel: input.kernel || record.kernel,
    initrd: input.initrd || record.initrd,
    params: input.params || record.params,
    cloudInit: input.cloudInit ? patchCloudInit(record.cloudInit, input.cloudInit) : record.cloudInit,
    token: record.token,
  };
}

function patchCloudInit(stored: CloudInit | null, patch: CloudInit): CloudInit {
  const result: CloudInit = { ...stored };
  for (const field of ["meta-data", "user-data"] as const) {
    const change = patch[field];
    if (change) result[field] = mergePatch(stored?.[field] ?? {}, change) as Record<string, unknown>;
  }
  const phoneHome = Object.entries(patch["phone-home"] ?? {}).filter(([, value]) => value);
  if (phoneHome.length > 0)
    result["phone-home"] = { ...stored?.["phone-home"], ...Object.fromEntries(phoneHome) };
  return result;
}

/** RFC 7386 JSON merge patch: objects merge recursively, `null` deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  // A Map, then fromEntries: a `__proto__` key stays an ordinary property.
  const result = new Map(isObject(target) ? Object.entries(target) : []);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) result.delete(key);
    else result.set(key, mergePatch(result.get(key), value));
  }
  return Object.fromEntries(result);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
