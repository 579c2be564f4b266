/** ComponentEndpoints (smd.md §3.5): a component's Redfish details under its RedfishEndpoint. */
export interface ComponentEndpoint {
  id: string;
  type: string;
  domain: string;
  fqdn: string;
  redfishType: string;
  redfishSubtype: string;
  macAddr: string;
  uuid: string;
  odataId: string;
  redfishEndpointId: string;
  enabled: boolean;
  redfishUrl: string;
  componentEndpointType: string;
  /** Exactly one `Redfish{Chassis,System,Manager,PDU,Outlet}Info` key, as on the wire. */
  info: Record<string, unknown>;
}

/** A stored ComponentEndpoint: its info as the JSON text the database holds, never re-parsed. */
export interface ComponentEndpointRow extends Omit<ComponentEndpoint, "info"> {
  redfishEndpointFqdn: string;
  infoJson: string;
}

/**
 * One ComponentEndpoint as JSON text, in upstream's field order. The info blob (most of the
 * bytes) is spliced in as the database's text rather than parsed and re-encoded (§8).
 */
export function componentEndpointJson(row: ComponentEndpointRow): string {
  const head = JSON.stringify({
    ID: row.id,
    Type: row.type,
    ...(row.domain ? { Domain: row.domain } : {}),
    ...(row.fqdn ? { FQDN: row.fqdn } : {}),
    RedfishType: row.redfishType,
    RedfishSubtype: row.redfishSubtype,
    ...(row.macAddr ? { MACAddr: row.macAddr } : {}),
    ...(row.uuid ? { UUID: row.uuid } : {}),
    OdataID: row.odataId,
    RedfishEndpointID: row.redfishEndpointId,
    Enabled: row.enabled,
    RedfishEndpointFQDN: row.redfishEndpointFqdn,
    RedfishURL: row.redfishUrl,
    ComponentEndpointType: row.componentEndpointType,
  });
  const info = row.infoJson.trim();
  // `{"RedfishSystemInfo": …}` joins the head's members: drop its `{` and the head's `}`.
  return info === "{}" ? head : `${head.slice(0, -1)},${info.slice(1)}`;
}

export function componentEndpointsJson(rows: readonly ComponentEndpointRow[]): string {
  return `{"ComponentEndpoints":[${rows.map(componentEndpointJson).join(",")}]}`;
}
