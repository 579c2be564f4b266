export type { SmdDeps } from "./deps.ts";
export { smdMigrations } from "./migrations.ts";
export { smdPlugin } from "./plugin.ts";
