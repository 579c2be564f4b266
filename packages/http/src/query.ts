/**
 * Query parameters the way upstream's Go services read them (spec smd.md §2): names match
 * case-insensitively, a repeated name keeps every value (ORed by callers), and values
 * stay strings. Unknown names are simply never looked up.
 */
export function queryParams(query: unknown): Map<string, string[]> {
  const params = new Map<string, string[]>();
  if (query === null || typeof query !== "object") return params;
  for (const [name, value] of Object.entries(query)) {
    const key = name.toLowerCase();
    const values = Array.isArray(value) ? value.map(String) : [String(value)];
    params.set(key, [...(params.get(key) ?? []), ...values]);
  }
  return params;
}
