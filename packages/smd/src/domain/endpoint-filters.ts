import { type EnumRegistry, errors, parseXname } from "@openchami/core";
import type { FilterParams, Selection } from "./component-filter.ts";

/**
 * Query filters of the Redfish inventory collections (smd.md §3.4–3.6), as upstream reads
 * them: `!` negates, values of one key OR, keys AND.
 */

export interface EndpointFilter {
  id?: Selection<string>;
  fqdn?: Selection<string>;
  type?: Selection<string>;
  uuid?: Selection<string>;
  macAddr?: Selection<string>;
  ipAddress?: Selection<string>;
  lastStatus?: Selection<string>;
}

export interface ComponentEndpointFilter {
  id?: Selection<string>;
  redfishEndpointId?: Selection<string>;
  type?: Selection<string>;
  redfishType?: Selection<string>;
}

export interface ServiceEndpointFilter {
  redfishEndpointId?: Selection<string>;
  service?: Selection<string>;
}

export const BAD_XNAME = "Argument was not a valid xname ID";
const BAD_TYPE = "Argument was not a valid HMS Type";

/** Splits `!`-values from plain ones; a value `normalise` rejects is a 400 with `detail`. */
function selection(
  values: readonly string[] | undefined,
  normalise: (value: string) => string | undefined,
  detail: string,
): Selection<string> | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const include: string[] = [];
  const exclude: string[] = [];
  for (const raw of values) {
    const negated = raw.startsWith("!");
    const value = normalise(negated ? raw.slice(1) : raw);
    if (value === undefined) throw errors.badRequest(detail);
    (negated ? exclude : include).push(value);
  }
  return { include, exclude };
}

const xname = (value: string) => parseXname(value)?.id;
const asIs = (value: string) => value;
const alphanumeric = (value: string) => (/^[A-Za-z0-9]*$/.test(value) ? value : undefined);

export function parseEndpointFilter(params: FilterParams, enums: EnumRegistry): EndpointFilter {
  const query = (detail: string) => `bad query param: ${detail}`;
  return {
    id: selection(params.get("id"), xname, query(BAD_XNAME)),
    fqdn: selection(params.get("fqdn"), asIs, ""),
    type: selection(params.get("type"), (v) => enums.parse("Type", v), query(BAD_TYPE)),
    uuid: selection(params.get("uuid"), asIs, ""),
    macAddr: selection(params.get("macaddr"), asIs, ""),
    ipAddress: selection(params.get("ipaddress"), asIs, ""),
    lastStatus: selection(params.get("laststatus"), asIs, ""),
  };
}

export function parseComponentEndpointFilter(
  params: FilterParams,
  enums: EnumRegistry,
): ComponentEndpointFilter {
  const query = (detail: string) => `bad query param: ${detail}`;
  return {
    id: selection(params.get("id"), xname, query(BAD_XNAME)),
    redfishEndpointId: selection(params.get("redfish_ep"), xname, query(BAD_XNAME)),
    type: selection(params.get("type"), (v) => enums.parse("Type", v), query(BAD_TYPE)),
    redfishType: selection(
      params.get("redfish_type"),
      alphanumeric,
      query("Argument was not a valid Redfish type"),
    ),
  };
}

/**
 * `service` comes from the path (`…/ServiceEndpoints/{service}`) or the query. Upstream
 * answers these two without the `bad query param: ` prefix.
 */
export function parseServiceEndpointFilter(params: FilterParams, service?: string): ServiceEndpointFilter {
  if (service !== undefined && alphanumeric(service) === undefined) throw errors.badRequest(BAD_TYPE);
  return {
    redfishEndpointId: selection(params.get("redfish_ep"), xname, BAD_XNAME),
    service:
      service === undefined
        ? selection(params.get("service"), alphanumeric, BAD_TYPE)
        : { include: [service], exclude: [] },
  };
}
