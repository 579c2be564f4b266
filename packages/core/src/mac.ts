/**
 * Canonical MAC form `aa:bb:cc:dd:ee:ff` (spec smd.md §3.7): lower-case, `:`, `-` and `.`
 * stripped, exactly 12 hex digits. Undefined when `raw` is not a MAC.
 */
export function normalizeMac(raw: string): string | undefined {
  const hex = raw.trim().toLowerCase().replace(/[:.-]/g, "");
  if (!/^[0-9a-f]{12}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(":");
}

/** The ID SMD gives an EthernetInterface: the canonical MAC without colons. */
export function macToInterfaceId(mac: string): string {
  return mac.replaceAll(":", "");
}
