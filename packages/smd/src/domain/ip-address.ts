import { isIPv4, isIPv6 } from "node:net";

/**
 * An address as upstream's RedfishEndpoint code reads one (smd.md §5.3): lower-cased, an
 * optional port (`10.0.0.1:443`, `[fe80::1]:443`) and IPv6 zone (`fe80::1%eth0`) kept, IPv6
 * canonicalised (RFC 5952) and bracketed. Undefined when the host part is not an IP.
 */
export function ipAddressString(raw: string): string | undefined {
  const lower = raw.toLowerCase();
  const split = splitHostPort(lower);
  const host = split ? split.host : trimChars(lower, "[]");
  const port = split?.port ? `:${split.port}` : "";
  const percent = host.lastIndexOf("%");
  const address = percent < 0 ? host : host.slice(0, percent);
  const zone = percent < 0 ? "" : host.slice(percent);
  if (isIPv4(address)) return zone ? undefined : address + port;
  if (!isIPv6(address)) return undefined;
  // The WHATWG URL parser writes IPv6 hosts in their canonical compressed form.
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  return `[${canonical}${zone}]${port}`;
}

/** Go's net.SplitHostPort: `host:port` with a colon-free host, or `[host]:port`. */
function splitHostPort(value: string): { host: string; port: string } | undefined {
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    if (end < 0 || value[end + 1] !== ":") return undefined;
    const port = value.slice(end + 2);
    return /[[\]:]/.test(port) ? undefined : { host: value.slice(1, end), port };
  }
  const colon = value.lastIndexOf(":");
  if (colon < 0) return undefined;
  const host = value.slice(0, colon);
  const port = value.slice(colon + 1);
  return /[[\]:]/.test(host + port) ? undefined : { host, port };
}

/** Go's strings.Trim: drops any of `chars` from both ends. */
export function trimChars(value: string, chars: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && chars.includes(value[start]!)) start++;
  while (end > start && chars.includes(value[end - 1]!)) end--;
  return value.slice(start, end);
}
