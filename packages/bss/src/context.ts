import { type EnumRegistry, withExtensions } from "@openchami/core";
import type { InventorySource } from "@openchami/inventory";
import { type BssConfig, DEFAULT_BSS_CONFIG } from "./config.ts";
import type { BssDeps } from "./deps.ts";
import { EndpointAccessLog } from "./endpoint-access.ts";
import { ParamsSync } from "./params-sync.ts";
import { BootParamsStore } from "./store/boot-params.ts";
import { EndpointAccessStore } from "./store/endpoint-access.ts";

/** What BSS's routes share, once per plugin (every mount of it sees the same state). */
export interface BssContext {
  deps: BssDeps;
  config: BssConfig;
  enums: EnumRegistry;
  inventory: InventorySource;
  store: BootParamsStore;
  /** The params index and the writes that keep it current. */
  params: ParamsSync;
  accessStore: EndpointAccessStore;
  access: EndpointAccessLog;
}

export function createContext(deps: BssDeps): BssContext {
  const config = { ...DEFAULT_BSS_CONFIG, ...deps.config };
  const store = new BootParamsStore(deps.db);
  const accessStore = new EndpointAccessStore(deps.db);
  return {
    deps,
    config,
    enums: withExtensions(deps.enumExtensions),
    inventory: deps.inventory,
    store,
    params: new ParamsSync(deps.db, store, deps.logger),
    accessStore,
    access: new EndpointAccessLog(accessStore, config.endpointHistoryMax, deps.logger),
  };
}

export async function startContext(context: BssContext): Promise<void> {
  await context.params.start();
  context.access.start();
}

/** Writes pending accesses and stops listening; the inventory belongs to the launcher. */
export async function closeContext(context: BssContext): Promise<void> {
  await context.access.close();
  await context.params.close();
}
