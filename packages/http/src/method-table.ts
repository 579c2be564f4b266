import Router from "find-my-way";

/**
 * Which methods each registered path answers, so a miss can tell "unknown path" (404)
 * from "known path, wrong method" (405 + Allow), templated paths included. Lookups
 * happen only on misses, so this costs nothing on the hot path.
 */
export class MethodTable {
  // Every path sits under one pseudo-method; its store lists the real methods.
  readonly #router = Router({ ignoreTrailingSlash: true });
  readonly #byShape = new Map<string, string[]>();

  add(method: string, url: string): void {
    // Parameter names do not change what a path matches: /a/:id and /a/:xname are one path.
    const shape = url.replace(/:[^/]+/g, ":");
    let methods = this.#byShape.get(shape);
    if (!methods) {
      methods = [];
      this.#byShape.set(shape, methods);
      this.#router.on("GET", url, () => {}, methods);
    }
    if (!methods.includes(method)) methods.push(method);
  }

  /**
   * The methods for a concrete URL, in registration order (the order upstream's `allow`
   * details list them). HEAD is implied by GET, so it is listed only for a HEAD-only path.
   */
  allowed(url: string): string[] {
    const methods = (this.#router.find("GET", url)?.store as string[] | undefined) ?? [];
    return methods.includes("GET") ? methods.filter((method) => method !== "HEAD") : methods;
  }
}
