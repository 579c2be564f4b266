import { randomUUID } from "node:crypto";
import { type EnumRegistry, errors } from "@openchami/core";
import type { Db, Tx } from "@openchami/db";
import { type Kysely, type RawBuilder, sql } from "kysely";
import {
  type BootParamsInput,
  imagesOf,
  patchRecord,
  type StorePlan,
  targetsOf,
} from "../domain/boot-params.ts";
import {
  type BootRecord,
  type CloudInit,
  emptyChange,
  type ImageKind,
  type ImageTarget,
  keyString,
  type ParamsChange,
  type Target,
  type TargetKind,
} from "../domain/records.ts";
import type { BssTables } from "./schema.ts";

/** Every record and image param: what the index loads at start and on resync. */
export interface ParamsSnapshot {
  records: [Target, BootRecord][];
  images: [ImageTarget, string][];
}

/**
 * Writes take this transaction-scoped advisory lock, so their check-then-write steps
 * (exists? then insert) never race another writer on any replica. Writes are admin
 * operations: serialising them costs nothing that matters.
 */
const WRITE_LOCK = 0x6273735f7061; // "bss_pa"

const RECORD_COLUMNS = [
  "t.kind",
  "t.key",
  "c.kernel",
  "c.initrd",
  "c.params",
  "c.cloud_init",
  "c.referral_token",
] as const;

interface RecordRow {
  kind: string;
  key: string;
  kernel: string;
  initrd: string;
  params: string;
  cloud_init: unknown;
  referral_token: string | null;
}

function kyselyOf(db: Db | Tx): Kysely<BssTables> {
  return db.kysely as unknown as Kysely<BssTables>;
}

function recordEntry(row: RecordRow): [Target, BootRecord] {
  return [
    { kind: row.kind as TargetKind, key: row.key },
    {
      kernel: row.kernel,
      initrd: row.initrd,
      params: row.params,
      cloudInit: (row.cloud_init as CloudInit | null) ?? null,
      token: row.referral_token ?? "",
    },
  ];
}

/** `(kind, key) IN` these pairs, as one array parameter per column (no parameter-count limit). */
function pairsIn(
  pairs: readonly (Target | ImageTarget)[],
  kindColumn: string,
  keyColumn: string,
): RawBuilder<boolean> {
  const kinds = pairs.map((pair) => pair.kind);
  const keys = pairs.map((pair) => ("key" in pair ? pair.key : pair.path));
  return sql<boolean>`(${sql.ref(kindColumn)}, ${sql.ref(keyColumn)}) IN (SELECT * FROM unnest(${kinds}::text[], ${keys}::text[]))`;
}

const noRecord = (key: string) => `no boot parameters for ${key}`;
const noImage = (path: string) => `no image parameters for ${path}`;

/** Boot records and image params (spec bss.md §2.4, §4.2): SQL only, one transaction per request. */
export class BootParamsStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async loadAll(): Promise<ParamsSnapshot> {
    const kysely = kyselyOf(this.#db);
    const [rows, images] = await Promise.all([
      kysely
        .selectFrom("bss_boot_targets as t")
        .innerJoin("bss_boot_configs as c", "c.id", "t.config_id")
        .select(RECORD_COLUMNS)
        .where("t.legacy", "=", true)
        .where("t.kind", "in", ["mac", "xname", "nid", "tag"])
        .execute(),
      kysely.selectFrom("bss_image_params").select(["kind", "path", "params"]).execute(),
    ]);
    return {
      records: rows.map(recordEntry),
      images: images.map((row) => [{ kind: row.kind as ImageKind, path: row.path }, row.params]),
    };
  }

  /** The current state of these keys: set where present, removed where not. */
  async load(targets: readonly Target[], images: readonly ImageTarget[]): Promise<ParamsChange> {
    const kysely = kyselyOf(this.#db);
    const change = emptyChange();
    if (targets.length > 0) {
      const found = await this.#records(kysely, targets);
      for (const target of targets) {
        const record = found.get(keyString(target));
        if (record) change.set.push([target, record]);
        else change.removed.push(target);
      }
    }
    if (images.length > 0) {
      const found = await this.#images(kysely, images);
      for (const image of images) {
        const params = found.get(keyString(image));
        if (params === undefined) change.removedImages.push(image);
        else change.images.push([image, params]);
      }
    }
    return change;
  }

  /** POST: all or nothing; any existing key is a 400 naming it. */
  async create(tx: Tx, plan: StorePlan): Promise<ParamsChange> {
    const kysely = await this.#locked(tx);
    const change = emptyChange();
    if (plan.kind === "images") {
      const existing = await this.#images(kysely, plan.images);
      const taken = plan.images.find((image) => existing.has(keyString(image)));
      if (taken) throw errors.badRequest(`Bad Request: Already exists: ${taken.path}`);
      await this.#upsertImages(kysely, plan.images, plan.params);
      change.images = plan.images.map((image) => [image, plan.params]);
      return change;
    }
    const existing = await this.#records(kysely, plan.targets);
    const taken = plan.targets.find((target) => existing.has(keyString(target)));
    if (taken) throw errors.badRequest(`Bad Request: Already exists: ${taken.key}`);
    change.set = plan.targets.map((target) => [target, plan.record]);
    await this.#insertRecords(kysely, change.set);
    return change;
  }

  /** PUT: each key's record is replaced whole (or created). */
  async replace(tx: Tx, plan: StorePlan): Promise<ParamsChange> {
    const kysely = await this.#locked(tx);
    const change = emptyChange();
    if (plan.kind === "images") {
      await this.#upsertImages(kysely, plan.images, plan.params);
      change.images = plan.images.map((image) => [image, plan.params]);
      return change;
    }
    change.set = plan.targets.map((target) => [target, plan.record]);
    await this.#removeTargets(kysely, plan.targets);
    await this.#insertRecords(kysely, change.set);
    return change;
  }

  /** PATCH: every key must exist (404 otherwise); only what changes is written. */
  async patch(tx: Tx, input: BootParamsInput, enums: EnumRegistry): Promise<ParamsChange> {
    const targets = targetsOf(input, enums);
    const images = targets.length === 0 ? imagesOf(input) : [];
    if (targets.length === 0 && images.length === 0) throw errors.badRequest("Nothing to Store");
    const kysely = await this.#locked(tx);
    const change = emptyChange();
    if (targets.length === 0) {
      const existing = await this.#images(kysely, images);
      const missing = images.find((image) => !existing.has(keyString(image)));
      if (missing) throw errors.notFound(`Not Found: ${noImage(missing.path)}`);
      if (input.params === "") return change;
      await this.#upsertImages(kysely, images, input.params);
      change.images = images.map((image) => [image, input.params]);
      return change;
    }
    const existing = await this.#records(kysely, targets);
    const missing = targets.find((target) => !existing.has(keyString(target)));
    if (missing) throw errors.notFound(`Not Found: ${noRecord(missing.key)}`);
    for (const target of targets) {
      const stored = existing.get(keyString(target))!;
      const patched = patchRecord(stored, input);
      if (JSON.stringify(patched) !== JSON.stringify(stored)) change.set.push([target, patched]);
    }
    // Copy on write: the key gets a config of its own, whoever else shared the old one.
    await this.#removeTargets(
      kysely,
      change.set.map(([target]) => target),
    );
    await this.#insertRecords(kysely, change.set);
    return change;
  }

  /**
   * DELETE: every named key must exist (400 otherwise), and all go together. A kernel or
   * initrd URL removes its image params: required to exist only when it is all the body
   * names. Records keep their URLs.
   */
  async remove(tx: Tx, input: BootParamsInput, enums: EnumRegistry): Promise<ParamsChange> {
    const targets = targetsOf(input, enums, false);
    const images = imagesOf(input);
    if (targets.length === 0 && images.length === 0) throw errors.badRequest("Nothing to Delete");
    const kysely = await this.#locked(tx);
    const change = emptyChange();
    const existing = await this.#records(kysely, targets);
    const missing = targets.find((target) => !existing.has(keyString(target)));
    if (missing) throw errors.badRequest(noRecord(missing.key));
    const existingImages = await this.#images(kysely, images);
    const missingImage = images.find((image) => !existingImages.has(keyString(image)));
    if (missingImage && targets.length === 0) throw errors.badRequest(noImage(missingImage.path));
    change.removed = targets;
    change.removedImages = images.filter((image) => existingImages.has(keyString(image)));
    await this.#removeTargets(kysely, change.removed);
    if (change.removedImages.length > 0) {
      await kysely
        .deleteFrom("bss_image_params")
        .where(pairsIn(change.removedImages, "kind", "path"))
        .execute();
    }
    return change;
  }

  async #locked(tx: Tx): Promise<Kysely<BssTables>> {
    const kysely = kyselyOf(tx);
    await sql`SELECT pg_advisory_xact_lock(${WRITE_LOCK}::bigint)`.execute(kysely);
    return kysely;
  }

  /** The stored records of these keys, by keyString. */
  async #records(kysely: Kysely<BssTables>, targets: readonly Target[]): Promise<Map<string, BootRecord>> {
    if (targets.length === 0) return new Map();
    const rows = await kysely
      .selectFrom("bss_boot_targets as t")
      .innerJoin("bss_boot_configs as c", "c.id", "t.config_id")
      .select(RECORD_COLUMNS)
      .where("t.legacy", "=", true)
      .where(pairsIn(targets, "t.kind", "t.key"))
      .execute();
    return new Map(
      rows.map((row) => {
        const [target, record] = recordEntry(row);
        return [keyString(target), record];
      }),
    );
  }

  async #images(kysely: Kysely<BssTables>, images: readonly ImageTarget[]): Promise<Map<string, string>> {
    if (images.length === 0) return new Map();
    const rows = await kysely
      .selectFrom("bss_image_params")
      .select(["kind", "path", "params"])
      .where(pairsIn(images, "kind", "path"))
      .execute();
    return new Map(
      rows.map((row) => [keyString({ kind: row.kind as ImageKind, path: row.path }), row.params]),
    );
  }

  /** One config per key, each with its one legacy target, in two statements. */
  async #insertRecords(kysely: Kysely<BssTables>, entries: readonly [Target, BootRecord][]): Promise<void> {
    if (entries.length === 0) return;
    const ids = entries.map(() => randomUUID());
    const column = <T>(pick: (record: BootRecord) => T) => entries.map(([, record]) => pick(record));
    await sql`INSERT INTO bss_boot_configs (id, kernel, initrd, params, cloud_init, referral_token)
      SELECT id, kernel, initrd, params, cloud_init::jsonb, referral_token
      FROM unnest(${ids}::uuid[], ${column((r) => r.kernel)}::text[], ${column((r) => r.initrd)}::text[],
        ${column((r) => r.params)}::text[], ${column((r) => (r.cloudInit ? JSON.stringify(r.cloudInit) : null))}::text[],
        ${column((r) => r.token || null)}::uuid[])
        AS v (id, kernel, initrd, params, cloud_init, referral_token)`.execute(kysely);
    await sql`INSERT INTO bss_boot_targets (config_id, kind, key)
      SELECT * FROM unnest(${ids}::uuid[], ${entries.map(([t]) => t.kind)}::text[], ${entries.map(([t]) => t.key)}::text[])`.execute(
      kysely,
    );
  }

  /** Drops these keys, and the configs left with no target (S5). */
  async #removeTargets(kysely: Kysely<BssTables>, targets: readonly Target[]): Promise<void> {
    if (targets.length === 0) return;
    const gone = await kysely
      .deleteFrom("bss_boot_targets")
      .where("legacy", "=", true)
      .where(pairsIn(targets, "kind", "key"))
      .returning("config_id")
      .execute();
    if (gone.length === 0) return;
    // A separate statement: within one, the target deletion above would not be visible yet.
    await kysely
      .deleteFrom("bss_boot_configs as c")
      .where(sql<boolean>`c.id = ANY(${[...new Set(gone.map((row) => row.config_id))]}::uuid[])`)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom("bss_boot_targets as t").select("t.config_id").whereRef("t.config_id", "=", "c.id"),
          ),
        ),
      )
      .execute();
  }

  async #upsertImages(
    kysely: Kysely<BssTables>,
    images: readonly ImageTarget[],
    params: string,
  ): Promise<void> {
    await kysely
      .insertInto("bss_image_params")
      .values(images.map((image) => ({ kind: image.kind, path: image.path, params })))
      .onConflict((oc) => oc.columns(["kind", "path"]).doUpdateSet({ params }))
      .execute();
  }
}
