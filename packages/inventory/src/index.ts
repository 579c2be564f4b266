export { buildIndex, EMPTY_INDEX } from "./build-index.ts";
export {
  nodesFromSmd,
  type SmdComponent,
  type SmdComponentEndpoint,
  type SmdEthernetInterface,
  type SmdInventoryData,
  type SmdMembership,
  usableMac,
} from "./from-smd.ts";
export type {
  InventoryIndex,
  InventoryInterface,
  InventoryIp,
  InventoryNode,
  InventorySource,
} from "./types.ts";
