export {
  type CloudInitConfig,
  CloudInitConfigSchema,
  cloudInitConfigFromEnv,
  DEFAULT_CLOUD_INIT_CONFIG,
} from "./config.ts";
export type { CloudInitDeps } from "./deps.ts";
export { cloudInitMigrations } from "./migrations.ts";
export { cloudInitPlugin } from "./plugin.ts";
export { CLOUD_INIT_CHANGED } from "./store/records.ts";
