import { readFileSync } from "node:fs";
import { parseBoolean, parseCsv } from "@openchami/core";
import type { NetworkService } from "@openchami/dhcp";
import { defaultDataDir } from "./data-dir.ts";
import { parseNetworkServices } from "./network.ts";
import { SERVICE_NAMES, SERVICES, TOKENS } from "./services.ts";

export const DEFAULT_PORT = 8081;

/** Everything `openchami serve` needs, resolved from flags, then environment, then defaults. */
export interface ServeConfig {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Services to run, in mount order. */
  services: string[];
  auth: boolean;
  /** A remote JWKS (any OIDC/TokenSmith issuer); without it the built-in issuer's keys are used. */
  jwksUrl: string | undefined;
  /** `iss` required of incoming tokens (remote JWKS), and put into minted tokens (built-in issuer). */
  issuer: string | undefined;
  audiences: string[] | undefined;
  /** A separate SMD for the boot-time services' inventory (upstream's `HSM_URL`). */
  smdUrl: string | undefined;
  /** Key (64 hex digits or base64 of 32 bytes) that encrypts BMC passwords at rest. */
  secretKey: string | undefined;
  logLevel: string;
  /** DHCP, TFTP and DNS protocols to run beside the HTTP services (`--enable`). */
  network: NetworkService[];
  /** Their YAML configuration (coredhcp.yaml or the structured form). */
  dhcpConfigFile: string | undefined;
}

/** Flags as commander hands them over; all optional. */
export interface ServeFlags {
  host?: string;
  port?: string;
  dataDir?: string;
  databaseUrl?: string;
  only?: string;
  auth?: boolean;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  smdUrl?: string;
  secretKeyFile?: string;
  logLevel?: string;
  enable?: string;
  dhcpConfig?: string;
}

function firstSet(...values: (string | undefined)[]): string | undefined {
  return values.find((v) => v !== undefined && v !== "");
}

/** A key file (flag or env) beats a key in the environment; files keep it out of `ps e`. */
function readSecretKey(file: string | undefined, value: string | undefined): string | undefined {
  if (!file) return value || undefined;
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`--secret-key-file: cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`);
  }
}

function parsePort(raw: string, source: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 0 || port > 65535) {
    throw new Error(`${source}: port must be an integer between 0 and 65535, got "${raw}"`);
  }
  return port;
}

function parseServices(raw: string, source: string): string[] {
  const wanted = parseCsv(raw).map((s) => s.toLowerCase());
  if (wanted.length === 0) throw new Error(`${source}: name at least one service`);
  const unknown = wanted.filter((s) => !SERVICE_NAMES.includes(s));
  if (unknown.length > 0) {
    throw new Error(
      `${source}: unknown service ${unknown.join(", ")} (available: ${SERVICE_NAMES.join(", ")})`,
    );
  }
  return SERVICE_NAMES.filter((s) => wanted.includes(s));
}

/**
 * Pure: flags beat environment, environment beats defaults. Upstream's SMD_* names are
 * accepted so existing deployments' environment files keep working.
 */
export function resolveServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv): ServeConfig {
  const onlyRaw = firstSet(flags.only, env.OPENCHAMI_ONLY);
  const services = onlyRaw
    ? parseServices(onlyRaw, flags.only ? "--only" : "OPENCHAMI_ONLY")
    : [...SERVICE_NAMES];

  const portRaw = firstSet(flags.port, env.OPENCHAMI_PORT);
  // Only an explicit selection of one service (the token issuer aside) runs it "alone".
  const alone = onlyRaw ? services.filter((s) => s !== TOKENS) : [];
  const alonePort = alone.length === 1 ? SERVICES[alone[0]!]?.upstreamPort : undefined;
  const port = portRaw
    ? parsePort(portRaw, flags.port ? "--port" : "OPENCHAMI_PORT")
    : (alonePort ?? DEFAULT_PORT);

  const noAuthEnv = env.OPENCHAMI_NO_AUTH ? parseBoolean(env.OPENCHAMI_NO_AUTH) : false;
  const audiences = firstSet(flags.audience, env.OPENCHAMI_AUTH_AUDIENCES, env.SMD_AUTH_AUDIENCES);

  const enableRaw = firstSet(flags.enable, env.OPENCHAMI_ENABLE);
  const network = enableRaw
    ? parseNetworkServices(enableRaw, flags.enable ? "--enable" : "OPENCHAMI_ENABLE")
    : [];
  const dhcpConfigFile = firstSet(flags.dhcpConfig, env.OPENCHAMI_DHCP_CONFIG);
  if (network.length > 0 && !dhcpConfigFile) {
    throw new Error(`--enable ${network.join(",")} needs --dhcp-config FILE (env OPENCHAMI_DHCP_CONFIG)`);
  }

  return {
    host: firstSet(flags.host, env.OPENCHAMI_HOST) ?? "0.0.0.0",
    port,
    dataDir: firstSet(flags.dataDir, env.OPENCHAMI_DATA_DIR) ?? defaultDataDir(env),
    databaseUrl: firstSet(flags.databaseUrl, env.DATABASE_URL),
    services,
    auth: flags.auth === false ? false : !noAuthEnv,
    jwksUrl: firstSet(flags.jwksUrl, env.OPENCHAMI_JWKS_URL, env.SMD_JWKS_URL),
    issuer: firstSet(flags.issuer, env.OPENCHAMI_AUTH_ISSUER, env.SMD_AUTH_ISSUER),
    audiences: audiences ? parseCsv(audiences) : undefined,
    smdUrl: firstSet(flags.smdUrl, env.HSM_URL),
    secretKey: readSecretKey(flags.secretKeyFile ?? env.OPENCHAMI_SECRET_KEY_FILE, env.OPENCHAMI_SECRET_KEY),
    logLevel: firstSet(flags.logLevel, env.LOG_LEVEL) ?? "info",
    network,
    dhcpConfigFile,
  };
}
