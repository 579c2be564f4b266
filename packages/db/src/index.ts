export { MAX_NOTIFICATION_BYTES } from "./changes.ts";
export { runDbConformanceSuite } from "./conformance.ts";
export { mapDbError } from "./errors.ts";
export { openDb } from "./open.ts";
export { pgliteVersion } from "./pglite.ts";
export type { ChangeHandler, Db, DbOptions, DbTarget, MigrationSet, Tx } from "./types.ts";
