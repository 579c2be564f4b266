export { buildIndex, EMPTY_INDEX } from "./build-index.ts";
export { type InventoryUnderTest, runInventoryConformance } from "./conformance.ts";
export { EtagClient, type EtagClientOptions, type TokenSource } from "./etag-client.ts";
export {
  nodesFromSmd,
  type SmdComponent,
  type SmdComponentEndpoint,
  type SmdEthernetInterface,
  type SmdInventoryData,
  type SmdMembership,
  usableMac,
} from "./from-smd.ts";
export { LocalInventory, type LocalInventoryOptions } from "./local.ts";
export { Refresher, type RefreshPolicy } from "./refresher.ts";
export { RemoteInventory, type RemoteInventoryOptions } from "./remote.ts";
export { mergeSmdData, StaticInventory } from "./static.ts";
export type {
  InventoryIndex,
  InventoryInterface,
  InventoryIp,
  InventoryNode,
  InventorySource,
} from "./types.ts";
