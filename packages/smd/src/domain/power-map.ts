import { errors, parseXname } from "@openchami/core";

/** A power map (spec smd.md §3.14): which components power `id`. */
export interface PowerMap {
  id: string;
  poweredBy: string[];
}

/** A power map as a client sends it; Go reads `null` as absent. */
export interface PowerMapInput {
  id?: string | null;
  poweredBy?: string[] | null;
}

/** Normalises and validates a map; `why` prefixes the failure as each route words it. */
function validated(id: string, poweredBy: readonly string[], why: string): PowerMap {
  const parsed = parseXname(id);
  if (!parsed) throw errors.badRequest(`${why}xname ID '${id}' is invalid`);
  return {
    id: parsed.id,
    poweredBy: poweredBy.map((raw) => {
      const supply = parseXname(raw);
      if (!supply) throw errors.badRequest(`${why}Power supply xname ID '${raw}' is invalid`);
      return supply.id;
    }),
  };
}

/** The maps of `POST /sysinfo/powermaps`; within one request the last entry for an id wins. */
export function toPowerMaps(inputs: readonly PowerMapInput[]): PowerMap[] {
  const maps = inputs.map((input, idx) => {
    if (!input.poweredBy?.length) throw errors.badRequest("poweredby is required for PowerMaps");
    return validated(input.id ?? "", input.poweredBy, `couldn't validate map data at idx ${idx}: `);
  });
  return [...new Map(maps.map((map) => [map.id, map])).values()];
}

/** The map of `PUT /sysinfo/powermaps/{x}`; `id` is the already-validated path xname. */
export function toPowerMap(input: PowerMapInput, id: string): PowerMap {
  if (input.id && parseXname(input.id)?.id !== id)
    throw errors.badRequest("xname in URL and PUT body do not match");
  if (!input.poweredBy?.length) throw errors.badRequest("poweredby is required in PUT body");
  return validated(id, input.poweredBy, "couldn't validate PowerMap data: ");
}
