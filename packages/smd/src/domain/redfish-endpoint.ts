import { errors, type HMSType, normalizeXname, parseXname } from "@openchami/core";
import { ipAddressString, trimChars } from "./ip-address.ts";

/** The types a RedfishEndpoint ID may have (smd.md §4, "Accepted IDs"). */
export const ENDPOINT_TYPES: ReadonlySet<HMSType> = new Set([
  "NodeBMC",
  "ChassisBMC",
  "RouterBMC",
  "CabinetPDUController",
  "MgmtSwitch",
  "MgmtHLSwitch",
  "CDUMgmtSwitch",
]);

/** A validated RedfishEndpoint, as stored (the password is handled by the store, D3). */
export interface RedfishEndpoint {
  id: string;
  type: string;
  name: string;
  hostname: string;
  domain: string;
  fqdn: string;
  enabled: boolean;
  uuid: string;
  user: string;
  /** As given; `""` keeps the stored one on PUT/PATCH, since GET never returns it (D3). */
  password: string;
  useSsdp: boolean;
  macRequired: boolean;
  macAddr: string;
  ipAddress: string;
  rediscoverOnUpdate: boolean;
  templateId: string;
}

export interface DiscoveryInfo {
  LastDiscoveryAttempt?: string;
  LastDiscoveryStatus: string;
  RedfishVersion?: string;
}

export interface StoredEndpoint extends RedfishEndpoint {
  discoveryInfo: DiscoveryInfo;
}

/** The writable fields as a client sends them (keys canonicalised by the Go decoder; null = absent). */
export interface EndpointInput {
  ID?: string | null;
  Name?: string | null;
  Hostname?: string | null;
  Domain?: string | null;
  FQDN?: string | null;
  Enabled?: boolean | null;
  UUID?: string | null;
  User?: string | null;
  Password?: string | null;
  UseSSDP?: boolean | null;
  MACRequired?: boolean | null;
  MACAddr?: string | null;
  IPAddress?: string | null;
  RediscoverOnUpdate?: boolean | null;
  TemplateID?: string | null;
}

/** Why an endpoint is invalid, in upstream's words (the route adds the prefix). */
class InvalidEndpoint extends Error {}

const HOST_TRIM = "./ ";

/**
 * Derives Hostname, Domain and FQDN from whichever of them were given (§5.3). The FQDN is
 * `Hostname.Domain`, else the Hostname, else the ID; a given FQDN must agree with that, and
 * an FQDN that is an IP also becomes the Hostname (and IPAddress).
 */
function resolveAddress(input: EndpointInput): { hostname: string; domain: string; hostIsIp: boolean } {
  let domain = input.Domain ? trimChars(input.Domain, HOST_TRIM) : "";
  let hostname = "";
  let hostIsIp = false;
  if (input.Hostname) {
    hostname = trimChars(input.Hostname, HOST_TRIM);
    const ip = ipAddressString(hostname);
    if (ip !== undefined) {
      hostname = ip;
      hostIsIp = true;
    } else if (hostname.includes(".")) {
      throw new InvalidEndpoint("Hostname is not a basename or IP address.");
    }
  }
  if (input.FQDN) {
    const fqdnIp = ipAddressString(input.FQDN);
    if (fqdnIp !== undefined && hostname === "") {
      hostname = fqdnIp;
      hostIsIp = true;
    }
    const dot = input.FQDN.indexOf(".");
    const fqdnHost = trimChars(dot < 0 ? input.FQDN : input.FQDN.slice(0, dot), HOST_TRIM);
    const fqdnDomain = dot < 0 ? "" : trimChars(input.FQDN.slice(dot + 1), HOST_TRIM);
    if (hostname === "") hostname = fqdnHost;
    if (domain === "" && hostname === fqdnHost) domain = fqdnDomain;
  }
  return { hostname, domain, hostIsIp };
}

function resolveId(input: EndpointInput, hostname: string): { id: string; type: HMSType } {
  const raw = input.ID ? trimChars(input.ID, HOST_TRIM) : hostname;
  if (raw === "") throw new InvalidEndpoint("No xname ID found");
  const parsed = parseXname(raw);
  if (!parsed) throw new InvalidEndpoint(`${normalizeXname(raw)} is not a valid locational xname ID`);
  if (!ENDPOINT_TYPES.has(parsed.type)) {
    throw new InvalidEndpoint(`xname ID ${parsed.id} has wrong type for RF endpoint: ${parsed.type}`);
  }
  return parsed;
}

function buildEndpoint(input: EndpointInput): RedfishEndpoint {
  const { hostname, domain, hostIsIp } = resolveAddress(input);
  const { id, type } = resolveId(input, hostname);
  const host = hostname || id;
  const fqdn = domain === "" ? host : hostIsIp ? hostname : `${host}.${domain}`;
  if (input.FQDN) {
    const given = ipAddressString(input.FQDN) ?? input.FQDN;
    if (fqdn !== given) throw new InvalidEndpoint(`host/domain conflicts with FQDN: '${fqdn}' != '${given}'`);
  }
  let ipAddress = hostIsIp ? hostname : "";
  if (input.IPAddress) {
    const ip = ipAddressString(input.IPAddress);
    if (ip === undefined)
      throw new InvalidEndpoint(`IPAddress is not a valid IP address: '${input.IPAddress}'`);
    if (hostIsIp && ip !== hostname) {
      throw new InvalidEndpoint(
        `hostname IP address conflicts with given IP address: '${hostname}' != '${ip}'`,
      );
    }
    ipAddress = ip;
  }
  return {
    id,
    type,
    name: input.Name ?? "",
    hostname,
    domain,
    fqdn,
    enabled: input.Enabled ?? true,
    uuid: input.UUID ?? "",
    user: input.User ?? "",
    password: input.Password ?? "",
    useSsdp: input.UseSSDP ?? false,
    macRequired: input.MACRequired ?? false,
    macAddr: input.MACAddr ?? "",
    ipAddress,
    rediscoverOnUpdate: input.RediscoverOnUpdate ?? false,
    templateId: input.TemplateID ?? "",
  };
}

/**
 * Validates and normalises one endpoint (§5.3); a 400 `couldn't validate endpoint data[ at
 * idx <i>]: <reason>` otherwise. `where` is `""` or ` at idx <i>` for the list form.
 */
export function validateEndpoint(input: EndpointInput, where = ""): RedfishEndpoint {
  try {
    return buildEndpoint(input);
  } catch (error) {
    if (error instanceof InvalidEndpoint) {
      throw errors.badRequest(`couldn't validate endpoint data${where}: ${error.message}`);
    }
    throw error;
  }
}

/** The RedfishEndpoint PUT body's ID must name the path's endpoint (an absent one takes it). */
export function endpointForPut(input: EndpointInput, pathId: string): RedfishEndpoint {
  const id = normalizeXname(pathId);
  if (input.ID && normalizeXname(trimChars(input.ID, HOST_TRIM)) !== id) {
    throw errors.badRequest("xname in URL and PUT body do not match");
  }
  return validateEndpoint({ ...input, ID: id });
}

/**
 * A PATCH: the given fields over the stored ones, validated again as a whole, as upstream
 * does; so changing Hostname without a matching FQDN is a 400 (D1). Setting IPAddress on an
 * endpoint addressed by IP moves its Hostname and FQDN along.
 */
export function patchEndpoint(stored: RedfishEndpoint, patch: EndpointInput): RedfishEndpoint {
  const merged: EndpointInput = {
    ID: stored.id,
    Name: patch.Name ?? stored.name,
    Hostname: patch.Hostname ?? stored.hostname,
    Domain: patch.Domain ?? stored.domain,
    FQDN: patch.FQDN ?? stored.fqdn,
    Enabled: patch.Enabled ?? stored.enabled,
    UUID: patch.UUID ?? stored.uuid,
    User: patch.User ?? stored.user,
    Password: patch.Password ?? "",
    UseSSDP: patch.UseSSDP ?? stored.useSsdp,
    MACRequired: patch.MACRequired ?? stored.macRequired,
    MACAddr: patch.MACAddr ?? stored.macAddr,
    IPAddress: patch.IPAddress ?? stored.ipAddress,
    RediscoverOnUpdate: patch.RediscoverOnUpdate ?? stored.rediscoverOnUpdate,
    TemplateID: patch.TemplateID ?? stored.templateId,
  };
  if (patch.IPAddress != null && patch.IPAddress !== stored.ipAddress) {
    const hostIp = ipAddressString(stored.hostname);
    if (hostIp !== undefined && hostIp !== patch.IPAddress) {
      merged.Hostname = patch.IPAddress;
      merged.FQDN = patch.IPAddress;
    }
  }
  return validateEndpoint(merged);
}

/** The wire form (§3.4): Password is always `""` (D3); upstream's omitempty fields are omitted. */
export function endpointToWire(e: StoredEndpoint): Record<string, unknown> {
  return {
    ID: e.id,
    Type: e.type,
    ...(e.name ? { Name: e.name } : {}),
    Hostname: e.hostname,
    Domain: e.domain,
    FQDN: e.fqdn,
    Enabled: e.enabled,
    ...(e.uuid ? { UUID: e.uuid } : {}),
    User: e.user,
    Password: "",
    ...(e.useSsdp ? { UseSSDP: true } : {}),
    ...(e.macRequired ? { MACRequired: true } : {}),
    ...(e.macAddr ? { MACAddr: e.macAddr } : {}),
    ...(e.ipAddress ? { IPAddress: e.ipAddress } : {}),
    RediscoverOnUpdate: e.rediscoverOnUpdate,
    ...(e.templateId ? { TemplateID: e.templateId } : {}),
    DiscoveryInfo: e.discoveryInfo,
  };
}
