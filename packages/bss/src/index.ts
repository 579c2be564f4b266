export { type BssConfig, BssConfigSchema, bssConfigFromEnv, DEFAULT_BSS_CONFIG } from "./config.ts";
export type { BssDeps } from "./deps.ts";
export { bssMigrations } from "./migrations.ts";
export { bssPlugin } from "./plugin.ts";
export { BSS_CHANGED } from "./store/changes.ts";
