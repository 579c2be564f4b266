import { type EnumRegistry, errors, parseXname } from "@openchami/core";
import { type FilterParams, parseSelection, type Selection } from "./component-filter.ts";

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

const xname = (value: string) => parseXname(value)?.id;
const asIs = (value: string) => value;
const alphanumeric = (value: string) => (/^[A-Za-z0-9]*$/.test(value) ? value : undefined);

export function parseEndpointFilter(params: FilterParams, enums: EnumRegistry): EndpointFilter {
  const query = (detail: string) => `bad query param: ${detail}`;
  return {
    id: parseSelection(params.get("id"), xname, query(BAD_XNAME)),
    fqdn: parseSelection(params.get("fqdn"), asIs, ""),
    type: parseSelection(params.get("type"), (v) => enums.parse("Type", v), query(BAD_TYPE)),
    uuid: parseSelection(params.get("uuid"), asIs, ""),
    macAddr: parseSelection(params.get("macaddr"), asIs, ""),
    ipAddress: parseSelection(params.get("ipaddress"), asIs, ""),
    lastStatus: parseSelection(params.get("laststatus"), asIs, ""),
  };
}

export function parseComponentEndpointFilter(
  params: FilterParams,
  enums: EnumRegistry,
): ComponentEndpointFilter {
  const query = (detail: string) => `bad query param: ${detail}`;
  return {
    id: parseSelection(params.get("id"), xname, query(BAD_XNAME)),
    redfishEndpointId: parseSelection(params.get("redfish_ep"), xname, query(BAD_XNAME)),
    type: parseSelection(params.get("type"), (v) => enums.parse("Type", v), query(BAD_TYPE)),
    redfishType: parseSelection(
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
    redfishEndpointId: parseSelection(params.get("redfish_ep"), xname, BAD_XNAME),
    service:
      service === undefined
        ? parseSelection(params.get("service"), alphanumeric, BAD_TYPE)
        : { include: [service], exclude: [] },
  };
}
