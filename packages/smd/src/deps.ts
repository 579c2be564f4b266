import type { EnumExtensions, Logger } from "@openchami/core";
import type { Db } from "@openchami/db";
import type { Authenticator } from "@openchami/http";
import type { DiscoveryCollector } from "./discovery.ts";

/** Everything SMD is built from; it reads no environment. */
export interface SmdDeps {
  db: Db;
  auth: Authenticator | undefined;
  logger: Logger;
  /** Extra Role/SubRole values (upstream's HMS config file). */
  enumExtensions?: EnumExtensions;
  /** Hardware history older than this many days is pruned (upstream SMD_HWINVHIST_AGE_MAX_DAYS); default 365. */
  hardwareHistoryMaxAgeDays?: number;
  /** 32-byte key: BMC passwords are then stored encrypted (AES-256-GCM, D3). */
  secretKey?: Buffer;
  /** The Redfish collector that crawls endpoints on discovery; without one, requests are only tracked. */
  collector?: DiscoveryCollector;
}
