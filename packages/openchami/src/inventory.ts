import type { Logger } from "@openchami/core";
import type { Db } from "@openchami/db";
import { type InventorySource, LocalInventory, RemoteInventory } from "@openchami/inventory";
import type { TokenIssuer } from "@openchami/tokens";
import type { ServeConfig } from "./config.ts";

/** Upstream BSS's `HSM_URL` default. */
export const DEFAULT_SMD_URL = "http://localhost:27779";

/** `HSM_URL` names SMD's root, as upstream BSS does; the API lives under `/hsm/v2`. */
export function smdApiUrl(smdUrl: string): string {
  const base = smdUrl.replace(/\/+$/, "");
  return base.endsWith("/hsm/v2") ? base : `${base}/hsm/v2`;
}

const TOKEN_TTL_SECONDS = 3600;

/** Short-lived read tokens from the built-in issuer, minted again before they expire. */
function readTokens(issuer: TokenIssuer): () => Promise<string> {
  let token: string | undefined;
  let renewAt = 0;
  return async () => {
    if (token === undefined || Date.now() >= renewAt) {
      token = await issuer.mint({
        subject: "openchami-inventory",
        scopes: ["read"],
        ttlSeconds: TOKEN_TTL_SECONDS,
      });
      renewAt = Date.now() + (TOKEN_TTL_SECONDS / 2) * 1000;
    }
    return token;
  };
}

/**
 * One node view per process, shared by every boot-time service in it: SMD's own store and
 * change feed when SMD runs here, else polling the SMD at `--smd-url`.
 */
export function createInventory(
  config: ServeConfig,
  db: Db,
  issuer: TokenIssuer | undefined,
  logger: Logger,
): InventorySource {
  if (config.services.includes("smd") && !config.smdUrl) return new LocalInventory({ db, logger });
  const url = smdApiUrl(config.smdUrl ?? DEFAULT_SMD_URL);
  logger.info({ url }, "inventory: polling SMD");
  return new RemoteInventory({ url, logger, ...(issuer ? { token: readTokens(issuer) } : {}) });
}
