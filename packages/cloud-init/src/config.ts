import { type Logger, parseBoolean, parseCsv, parseDuration, validateConfig } from "@openchami/core";
import { type Static, Type } from "typebox";
import { TrustedProxies } from "./domain/client-ip.ts";
import { parsePool } from "./domain/wg-pool.ts";

/** What cloud-init itself is configured with (spec cloud-init.md §2.5); the launcher builds it. */
export const CloudInitConfigSchema = Type.Object(
  {
    /** BASE_URL: the last fallback for vendor-data's include URLs. */
    baseUrl: Type.String(),
    /** TRUSTED_PROXIES: CIDRs whose X-Forwarded-For is honoured (decision 2). */
    trustedProxies: Type.Array(Type.String()),
    /** IMPERSONATION: mount /admin/impersonation. */
    impersonation: Type.Boolean(),
    /** MERGED_USER_DATA (§3.5). */
    mergedUserData: Type.Boolean(),
    /** WIREGUARD_SERVER: the pool CIDR; "" turns WireGuard off. */
    wireguardServer: Type.String(),
    /** WIREGUARD_ONLY */
    wireguardOnly: Type.Boolean(),
    /** WIREGUARD_PORT */
    wireguardPort: Type.Integer({ minimum: 1, maximum: 65535 }),
    /** WIREGUARD_APPLY */
    wireguardApply: Type.Boolean(),
    /** WIREGUARD_INTERFACE */
    wireguardInterface: Type.String({ minLength: 1 }),
    /** WIREGUARD_PEER_TTL, seconds. */
    wireguardPeerTtl: Type.Integer({ minimum: 1 }),
    /** WIREGUARD_PRIVATE_KEY_FILE; "" generates and stores a key. */
    wireguardPrivateKeyFile: Type.String(),
    /** SEED_PATH (alias MEM_PATH): a directory of seed YAML files; "" seeds nothing. */
    seedPath: Type.String(),
  },
  { additionalProperties: false },
);

export type CloudInitConfig = Static<typeof CloudInitConfigSchema>;

export const DEFAULT_CLOUD_INIT_CONFIG: CloudInitConfig = {
  baseUrl: "http://cloud-init:27777",
  trustedProxies: [],
  impersonation: false,
  mergedUserData: false,
  wireguardServer: "",
  wireguardOnly: false,
  wireguardPort: 58036,
  wireguardApply: false,
  wireguardInterface: "wg0",
  wireguardPeerTtl: 3600,
  wireguardPrivateKeyFile: "",
  seedPath: "",
};

type Env = Readonly<Record<string, string | undefined>>;

const IGNORED = ["STORAGE_BACKEND", "DB_PATH", "CLOUD_INIT_SMD_SIMULATOR"];
const LOGGED_ONLY = ["CLUSTER_NAME", "REGION", "AZ", "CLOUD_PROVIDER"];

function text(env: Env, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

function bool(env: Env, name: string): boolean | undefined {
  const raw = text(env, name);
  return raw === undefined ? undefined : parseBoolean(raw, name);
}

function port(env: Env, name: string): number | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 65535)
    throw new Error(`${name}: invalid port "${raw}" (use 1-65535)`);
  return value;
}

/**
 * cloud-init's configuration from upstream's environment variables (§2.5), over the
 * defaults. Server address, inventory, auth and database settings are the launcher's.
 * Throws an Error naming the variable when a value is invalid.
 */
export function cloudInitConfigFromEnv(env: Env, logger?: Logger): CloudInitConfig {
  for (const name of IGNORED)
    if (env[name] !== undefined) logger?.warn({ variable: name }, `${name} is ignored`);
  for (const name of LOGGED_ONLY)
    if (env[name] !== undefined) logger?.info({ variable: name, value: env[name] }, `${name} is only logged`);
  const ttl = text(env, "WIREGUARD_PEER_TTL");
  const candidate = {
    ...DEFAULT_CLOUD_INIT_CONFIG,
    ...definedOnly({
      baseUrl: text(env, "BASE_URL"),
      trustedProxies: env.TRUSTED_PROXIES === undefined ? undefined : parseCsv(env.TRUSTED_PROXIES),
      impersonation: bool(env, "IMPERSONATION"),
      mergedUserData: bool(env, "MERGED_USER_DATA"),
      wireguardServer: text(env, "WIREGUARD_SERVER"),
      wireguardOnly: bool(env, "WIREGUARD_ONLY"),
      wireguardPort: port(env, "WIREGUARD_PORT"),
      wireguardApply: bool(env, "WIREGUARD_APPLY"),
      wireguardInterface: text(env, "WIREGUARD_INTERFACE"),
      wireguardPeerTtl: ttl === undefined ? undefined : parseDuration(ttl, "WIREGUARD_PEER_TTL"),
      wireguardPrivateKeyFile: text(env, "WIREGUARD_PRIVATE_KEY_FILE"),
      seedPath: text(env, "SEED_PATH") ?? text(env, "MEM_PATH"),
    }),
  };
  const config = validateConfig(CloudInitConfigSchema, candidate, "environment");
  new TrustedProxies(config.trustedProxies);
  if (config.wireguardServer !== "") parsePool(config.wireguardServer);
  if (config.wireguardOnly && config.wireguardServer === "")
    throw new Error("WIREGUARD_ONLY: needs WIREGUARD_SERVER");
  return config;
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
