/**
 * Every configuration problem (dhcp.md §2.3): startup stops with one message naming the
 * plugin or flag, the key and the offending value, e.g.
 * `coresmd: cache_valid: "3x" is not a duration (e.g. 30s, 1h30m)`.
 */
export class DhcpConfigError extends Error {
  override readonly name = "DhcpConfigError";
}
