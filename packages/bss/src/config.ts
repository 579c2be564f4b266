import { type Logger, parseDuration, validateConfig } from "@openchami/core";
import { type Static, Type } from "typebox";

/** What BSS itself is configured with (spec bss.md §7); the launcher builds it. */
export const BssConfigSchema = Type.Object(
  {
    /** BSS_IPXE_SERVER: the host chains point at; "" derives it from each request (§3.6). */
    ipxeServer: Type.String(),
    /** BSS_CHAIN_PROTO; unset: `https` with a server, else the request's protocol. */
    chainProto: Type.Optional(Type.Union([Type.Literal("http"), Type.Literal("https")])),
    /** BSS_GW_URI, may be empty; unset: `/apis/bss` with a server, else the arrival mount. */
    gatewayUri: Type.Optional(Type.String()),
    /** BSS_RETRY_DELAY: seconds a failed boot sleeps before chaining back. */
    retryDelay: Type.Integer({ minimum: 0 }),
    /** BSS_HSM_RETRIEVAL_DELAY: seconds the delay reply sleeps. */
    hsmRetrievalDelay: Type.Integer({ minimum: 0 }),
    /** BSS_ADVERTISE_ADDRESS: cloud-init's base URL for `ds=`; "" injects none. */
    advertiseAddress: Type.String(),
    /** BSS_MAX_RETRIES: give up after this many retries; 0 retries forever. */
    maxRetries: Type.Integer({ minimum: 0 }),
    /** BSS_RETRY_BACKOFF */
    retryBackoff: Type.Union([Type.Literal("none"), Type.Literal("exponential")]),
    /** BSS_RETRY_MAX_DELAY: the longest exponential sleep, in seconds. */
    retryMaxDelay: Type.Integer({ minimum: 0 }),
    /** BSS_ENDPOINT_HISTORY_MAX: accesses kept per (name, endpoint); 0 keeps none. */
    endpointHistoryMax: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export type BssConfig = Static<typeof BssConfigSchema>;

export const DEFAULT_BSS_CONFIG: BssConfig = {
  ipxeServer: "",
  retryDelay: 30,
  hsmRetrievalDelay: 10,
  advertiseAddress: "",
  maxRetries: 0,
  retryBackoff: "none",
  retryMaxDelay: 300,
  endpointHistoryMax: 0,
};

type Env = Readonly<Record<string, string | undefined>>;

/** Upstream settings with no meaning here, by name or prefix, and why. */
const IGNORED: readonly [pattern: RegExp, why: string][] = [
  [/^BSS_USESQL$/, "storage is always PostgreSQL (or embedded PGlite)"],
  [/^ETCD_/, "etcd is not used"],
  [/^BSS_DB/, "database settings are project-wide (--database-url)"],
  [
    /^SPIRE_TOKEN_URL$/,
    "SPIRE join tokens are not fetched (the SPIRE_JOIN_TOKEN placeholder passes through)",
  ],
  [/^BSS_BOOTSCRIPT_NOTIFY_URL$/, "boot script notifications are not sent"],
  [/^NFD_URL$/, "HMNFD is replaced by the change feed"],
  [/^BSS_OAUTH2_/, "BSS makes no authenticated calls of its own"],
];

function integer(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  if (!/^\d+$/.test(raw)) throw new Error(`${name}: invalid number "${raw}" (use a whole number ≥ 0)`);
  return Number(raw);
}

function seconds(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim();
  return raw ? parseDuration(raw, name) : undefined;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[]): T | undefined {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return undefined;
  if (!allowed.includes(raw as T))
    throw new Error(`${name}: must be one of ${allowed.join(", ")} (got "${raw}")`);
  return raw as T;
}

/** Set and non-empty, else undefined. */
function text(env: Env, name: string): string | undefined {
  return env[name]?.trim() || undefined;
}

/**
 * BSS's configuration from upstream's environment variables (§7), over the defaults.
 * `BSS_GW_URI` may be set to "" (no prefix); every other empty variable counts as unset.
 * Upstream variables that mean nothing here are logged as ignored. Throws an Error naming
 * the variable when a value is invalid.
 */
export function bssConfigFromEnv(env: Env, logger?: Logger): BssConfig {
  for (const name of Object.keys(env)) {
    const why = IGNORED.find(([pattern]) => pattern.test(name))?.[1];
    if (why !== undefined && env[name] !== undefined)
      logger?.warn({ variable: name }, `${name} is ignored: ${why}`);
  }
  const candidate = {
    ...DEFAULT_BSS_CONFIG,
    ...definedOnly({
      ipxeServer: text(env, "BSS_IPXE_SERVER"),
      chainProto: oneOf(env, "BSS_CHAIN_PROTO", ["http", "https"]),
      gatewayUri: env.BSS_GW_URI?.trim(),
      retryDelay: seconds(env, "BSS_RETRY_DELAY"),
      hsmRetrievalDelay: seconds(env, "BSS_HSM_RETRIEVAL_DELAY"),
      advertiseAddress: text(env, "BSS_ADVERTISE_ADDRESS"),
      maxRetries: integer(env, "BSS_MAX_RETRIES"),
      retryBackoff: oneOf(env, "BSS_RETRY_BACKOFF", ["none", "exponential"]),
      retryMaxDelay: seconds(env, "BSS_RETRY_MAX_DELAY"),
      endpointHistoryMax: integer(env, "BSS_ENDPOINT_HISTORY_MAX"),
    }),
  };
  return validateConfig(BssConfigSchema, candidate, "environment");
}

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
