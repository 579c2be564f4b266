import { bssConfigFromEnv, bssMigrations, bssPlugin } from "@openchami/bss";
import { cloudInitConfigFromEnv, cloudInitMigrations, cloudInitPlugin } from "@openchami/cloud-init";
import type { Logger } from "@openchami/core";
import type { Db, MigrationSet } from "@openchami/db";
import type { Authenticator } from "@openchami/http";
import type { InventorySource } from "@openchami/inventory";
import { smdMigrations, smdPlugin } from "@openchami/smd";
import type { FastifyPluginAsync } from "fastify";

/** What every service plugin is built from. Only the launcher reads the environment. */
export interface ServiceDeps {
  db: Db;
  auth: Authenticator | undefined;
  logger: Logger;
  /** The process's one node view, created on first use (only boot-time services need it). */
  inventory(): InventorySource;
  env: NodeJS.ProcessEnv;
  /** Encrypts BMC passwords at rest when set. */
  secretKey: Buffer | undefined;
}

export interface ServiceDefinition {
  /** Path prefixes the plugin is mounted under (all-in-one and alone alike). */
  prefixes: readonly string[];
  /** Where it is mounted when it runs alone, if not at `prefixes` (cloud-init: `/` too). */
  alonePrefixes?: readonly string[];
  /** The port upstream runs this service on, used when it runs alone. */
  upstreamPort: number;
  migrations: readonly MigrationSet[];
  plugin(deps: ServiceDeps): FastifyPluginAsync;
}

/** The token issuer is not a database service; it is mounted at the root when selected. */
export const TOKENS = "tokens";

/** Services in mount order. Each later service (bss, cloud-init) plugs in here. */
export const SERVICES: Readonly<Record<string, ServiceDefinition>> = {
  smd: { prefixes: ["/hsm/v2"], upstreamPort: 27779, migrations: [smdMigrations], plugin: smdPlugin },
  bss: {
    prefixes: ["/boot/v1", "/apis/bss/boot/v1"],
    upstreamPort: 27778,
    migrations: [bssMigrations],
    plugin: ({ db, auth, logger, inventory, env }) =>
      bssPlugin({ db, auth, logger, inventory: inventory(), config: bssConfigFromEnv(env, logger) }),
  },
  "cloud-init": {
    prefixes: ["/cloud-init"],
    // Upstream serves at `/` since cloud-init#68; scripts and docs use both.
    alonePrefixes: ["/cloud-init", ""],
    upstreamPort: 27777,
    migrations: [cloudInitMigrations],
    plugin: ({ db, auth, logger, inventory, env }) =>
      cloudInitPlugin({
        db,
        auth,
        logger,
        inventory: inventory(),
        config: cloudInitConfigFromEnv(env, logger),
      }),
  },
};

export const SERVICE_NAMES: readonly string[] = [...Object.keys(SERVICES), TOKENS];
