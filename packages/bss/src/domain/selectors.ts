import { type EnumRegistry, errors, type Problem } from "@openchami/core";
import type { BootParamsInput } from "./boot-params.ts";
import type { ImageTarget, Target } from "./records.ts";
import { hostTarget, macTarget, nidTarget } from "./targets.ts";

/** What a filtered GET asks for, and the kinds it named (for the 404 text). */
export interface Selection {
  targets: Target[];
  images: ImageTarget[];
  kinds: string[];
}

/** A repeated or comma-listed query parameter's values, empty ones dropped. */
export function listParam(query: ReadonlyMap<string, string[]>, name: string): string[] {
  return (query.get(name) ?? []).flatMap((value) => value.split(",")).filter((value) => value !== "");
}

/** A NID in a query: decimal (upstream also takes Go base prefixes; not required). */
export function parseNid(raw: string): number {
  if (!/^-?\d+$/.test(raw)) throw errors.badRequest(`Bad Request - Invalid nid '${raw}'`);
  return Number(raw);
}

/** Selectors match stored keys exactly; a host that is no valid key simply matches nothing. */
function selectorTarget(host: string, enums: EnumRegistry): Target {
  try {
    return hostTarget(host, enums);
  } catch {
    return { kind: "xname", key: host };
  }
}

type Selectors = Pick<BootParamsInput, "hosts" | "macs" | "nids" | "kernel" | "initrd">;

export function selectionOf(selectors: Selectors, enums: EnumRegistry): Selection {
  const images: ImageTarget[] = [];
  if (selectors.kernel !== "") images.push({ kind: "kernel", path: selectors.kernel });
  if (selectors.initrd !== "") images.push({ kind: "initrd", path: selectors.initrd });
  const named: [string, number][] = [
    ["Hosts", selectors.hosts.length],
    ["MACs", selectors.macs.length],
    ["NIDs", selectors.nids.length],
    ["kernel", selectors.kernel.length],
    ["initrd", selectors.initrd.length],
  ];
  return {
    targets: [
      ...selectors.hosts.map((host) => selectorTarget(host, enums)),
      ...selectors.macs.map((mac) => macTarget(mac, false)),
      ...selectors.nids.map(nidTarget),
    ],
    images,
    kinds: named.filter(([, count]) => count > 0).map(([kind]) => kind),
  };
}

/** `Cannot find boot parameters for requested Hosts, MACs or NIDs` (`A`, `A or B`, `A, B or C`). */
export function selectionNotFound({ kinds }: Selection): Problem {
  const last = kinds[kinds.length - 1];
  const listed = kinds.length > 1 ? `${kinds.slice(0, -1).join(", ")} or ${last}` : last;
  return errors.notFound(`Cannot find boot parameters for requested ${listed}`);
}
