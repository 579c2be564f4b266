/**
 * Name patterns shared by DHCP rules and DNS zones (dhcp.md §3.3): `{id}` is the xname and
 * `{Nd}` / `{0Nd}` the NID zero-padded to N digits.
 */

const NID_FIELD = /\{0*(\d+)d\}/g;

/** True when the pattern needs a NID to render. */
export function patternUsesNid(pattern: string): boolean {
  NID_FIELD.lastIndex = 0;
  return NID_FIELD.test(pattern);
}

/** The rendered name, or undefined when the pattern needs a NID and there is none. */
export function renderPattern(pattern: string, xname: string, nid: number | undefined): string | undefined {
  if (nid === undefined && patternUsesNid(pattern)) return undefined;
  return pattern
    .replaceAll("{id}", xname)
    .replace(NID_FIELD, (_, width: string) => String(nid).padStart(Number(width), "0"));
}
