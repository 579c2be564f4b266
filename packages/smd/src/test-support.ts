/** SMD over real HTTP on loopback, on a migrated PGlite snapshot, for this package's tests. */
import { xnameType } from "@openchami/core";
import type { Db } from "@openchami/db";
import { migratedTestDb, startTestService } from "@openchami/testkit";
import type { SmdDeps } from "./deps.ts";
import { smdMigrations } from "./migrations.ts";
import { smdPlugin } from "./plugin.ts";

export interface TestSmd {
  /** Base URL including `/hsm/v2`. */
  url: string;
  db: Db;
  /** A token with these scopes (only meaningful with `auth: true`). */
  token(scopes: string[]): Promise<string>;
  close(): Promise<void>;
}

export interface StartOptions {
  auth?: boolean;
  db?: Db;
  /** Optional dependencies (collector, history age, …). */
  deps?: Partial<Pick<SmdDeps, "collector" | "hardwareHistoryMaxAgeDays" | "enumExtensions" | "secretKey">>;
}

export async function startSmd(options: StartOptions = {}): Promise<TestSmd> {
  const db = options.db ?? (await migratedTestDb([smdMigrations]));
  const service = await startTestService({
    db,
    ownsDb: !options.db,
    auth: options.auth,
    mount: (app, { auth, logger }) =>
      app.register(smdPlugin({ db, auth, logger, ...options.deps }), { prefix: "/hsm/v2" }),
  });
  return { ...service, url: `${service.base}/hsm/v2` };
}

export { type CallResult, call } from "@openchami/testkit";

/** Inserts bare component rows straight into the table, for tests of resources that reference them. */
export async function insertComponents(smd: TestSmd, ids: readonly string[]): Promise<void> {
  await smd.db.kysely
    .insertInto("components")
    .values(ids.map((id) => ({ id, type: xnameType(id) })))
    .execute();
}
