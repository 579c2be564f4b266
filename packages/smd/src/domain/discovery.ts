import { errors } from "@openchami/core";

/** Discovery (spec smd.md §3.9, §5.5): one status record, row 0, per deployment. */
export const DISCOVERY_STATUSES = ["NotStarted", "InProgress", "Complete"] as const;
export type DiscoveryState = (typeof DISCOVERY_STATUSES)[number];

export interface DiscoveryStatus {
  id: number;
  status: DiscoveryState;
  lastUpdate: Date;
  /** Free-form JSON; null: none. */
  details: unknown;
}

/**
 * Details of a request nobody crawled. Upstream's CT suite allows only a `description`
 * string in Details, so the key is `description` (spec §5.5 gives `message` as an example).
 */
export const NO_COLLECTOR_DETAILS = {
  description: "no Redfish collector configured; endpoints were not crawled",
};

export function discoveryStatusToWire(status: DiscoveryStatus): Record<string, unknown> {
  return {
    ID: status.id,
    Status: status.status,
    LastUpdateTime: status.lastUpdate.toISOString(),
    ...(status.details !== null && status.details !== undefined ? { Details: status.details } : {}),
  };
}

const MAX_UINT32 = 2 ** 32 - 1;

/** `/DiscoveryStatus/{id}`: an unsigned 32-bit integer, as upstream parses it. */
export function discoveryStatusId(raw: string): number {
  const id = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(id <= MAX_UINT32)) throw errors.badRequest("DiscoveryStatus ID not an unsigned integer");
  return id;
}

export interface DiscoverRequest {
  /** Empty: every RedfishEndpoint. */
  xnames: string[];
  force: boolean;
}

function notUnderstood(): never {
  throw errors.badRequest("POST body was not understood");
}

/**
 * A `POST /Inventory/Discover` body, decoded as Go's encoding/json decodes upstream's
 * `{xnames []string, force bool}`: keys match case-insensitively (a later duplicate wins),
 * unknown keys are ignored, `null` empties `xnames` and leaves `force`, a `null` array
 * element is `""`. Anything else —
 * no body, malformed JSON, a non-object, a wrong type — is 400 `POST body was not understood`
 * (not the generic `error decoding JSON …`).
 */
export function parseDiscoverBody(text: string | undefined): DiscoverRequest {
  let body: unknown;
  try {
    body = JSON.parse(text ?? "");
  } catch {
    notUnderstood();
  }
  const request: DiscoverRequest = { xnames: [], force: false };
  if (body === null) return request;
  if (typeof body !== "object" || Array.isArray(body)) notUnderstood();
  for (const [key, value] of Object.entries(body)) {
    switch (key.toLowerCase()) {
      case "xnames":
        if (value !== null && !Array.isArray(value)) notUnderstood();
        request.xnames = (value ?? []).map((xname: unknown) =>
          xname === null ? "" : typeof xname === "string" ? xname : notUnderstood(),
        );
        break;
      case "force":
        if (value !== null && typeof value !== "boolean") notUnderstood();
        request.force = value ?? request.force;
        break;
    }
  }
  return request;
}
