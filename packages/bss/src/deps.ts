import type { EnumExtensions, Logger } from "@openchami/core";
import type { Db } from "@openchami/db";
import type { Authenticator } from "@openchami/http";
import type { InventorySource } from "@openchami/inventory";
import type { BssConfig } from "./config.ts";

/** Everything BSS is built from; it reads no environment. */
export interface BssDeps {
  db: Db;
  /** The node view (SMD's inventory). The launcher starts and closes it; BSS only reads it. */
  inventory: InventorySource;
  auth: Authenticator | undefined;
  logger: Logger;
  /** Over DEFAULT_BSS_CONFIG; `bssConfigFromEnv` builds it from upstream's variables. */
  config?: Partial<BssConfig>;
  /** Extra Roles accepted as tags (upstream's HMS config), as SMD is given them. */
  enumExtensions?: EnumExtensions;
}
