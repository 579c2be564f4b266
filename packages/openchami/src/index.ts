export { DEFAULT_PORT, resolveServeConfig, type ServeConfig, type ServeFlags } from "./config.ts";
export { defaultDataDir } from "./data-dir.ts";
export { type RunningServer, startServer } from "./serve.ts";
export { expandScopes } from "./token-command.ts";
