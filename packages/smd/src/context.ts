import { type EnumRegistry, withExtensions } from "@openchami/core";
import type { SmdDeps } from "./deps.ts";
import { NodeMapStore } from "./store/node-maps.ts";

/** What SMD's routes share: its stores and the enum registry, built once per mount. */
export interface SmdContext {
  deps: SmdDeps;
  enums: EnumRegistry;
  nodeMaps: NodeMapStore;
}

export function createContext(deps: SmdDeps): SmdContext {
  return { deps, enums: withExtensions(deps.enumExtensions), nodeMaps: new NodeMapStore(deps.db) };
}
