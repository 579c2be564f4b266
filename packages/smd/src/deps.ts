import type { EnumExtensions, Logger } from "@openchami/core";
import type { Db } from "@openchami/db";
import type { Authenticator } from "@openchami/http";

/** Everything SMD is built from; it reads no environment. */
export interface SmdDeps {
  db: Db;
  auth: Authenticator | undefined;
  logger: Logger;
  /** Extra Role/SubRole values (upstream's HMS config file). */
  enumExtensions?: EnumExtensions;
}
