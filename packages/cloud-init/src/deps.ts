import type { Logger } from "@openchami/core";
import type { Db } from "@openchami/db";
import type { Authenticator } from "@openchami/http";
import type { InventorySource } from "@openchami/inventory";
import type { CloudInitConfig } from "./config.ts";

/** Everything cloud-init is built from; it reads no environment. */
export interface CloudInitDeps {
  db: Db;
  /** The node view (SMD's inventory). The launcher starts and closes it; cloud-init only reads it. */
  inventory: InventorySource;
  auth: Authenticator | undefined;
  logger: Logger;
  /** Over DEFAULT_CLOUD_INIT_CONFIG; `cloudInitConfigFromEnv` builds it from upstream's variables. */
  config?: Partial<CloudInitConfig>;
}
