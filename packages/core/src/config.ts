import type { Static, TSchema } from "typebox";
import { Settings } from "typebox/system";
import { Value } from "typebox/value";

/**
 * Helpers for launchers turning flags and environment strings into config. Every
 * failure is a plain Error whose message an admin can act on; `name` (a flag or an
 * environment variable) prefixes it when given.
 */

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

function fail(name: string | undefined, message: string): never {
  throw new Error(name ? `${name}: ${message}` : message);
}

/**
 * Seconds in `90s`, `15m`, `1h`, `7d`, Go-style combinations (`1h30m`) or a bare number
 * of seconds (`3600`).
 */
export function parseDuration(raw: string, name?: string): number {
  const trimmed = raw.trim().toLowerCase();
  const text = /^\d+$/.test(trimmed) ? `${trimmed}s` : trimmed;
  let seconds = Number.NaN;
  if (/^(\d+[smhd])+$/.test(text)) {
    seconds = 0;
    for (const [, amount, unit] of text.matchAll(/(\d+)([smhd])/g)) {
      seconds += Number(amount) * UNIT_SECONDS[unit!]!;
    }
  }
  if (!Number.isSafeInteger(seconds)) {
    fail(name, `invalid duration "${raw}" (use e.g. 90s, 15m, 1h, 7d or 3600)`);
  }
  return seconds;
}

const BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ["true", true],
  ["1", true],
  ["yes", true],
  ["false", false],
  ["0", false],
  ["no", false],
]);

/** `true`/`false`, `1`/`0`, `yes`/`no`, in any case. */
export function parseBoolean(raw: string, name?: string): boolean {
  const value = BOOLEANS.get(raw.trim().toLowerCase());
  return value ?? fail(name, `invalid boolean "${raw}" (use true/false, 1/0 or yes/no)`);
}

/** `a, b,,c` → `["a", "b", "c"]`: items trimmed, empty ones dropped. */
export function parseCsv(raw: string): string[] {
  return raw
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

type ValidationError = ReturnType<typeof Value.Errors>[number];

/**
 * Checks `value` against `schema` and returns it typed, or throws one Error listing
 * every problem on its own line as `<source>: <path>: <message>`, so an admin fixes
 * them all in one go. `source` names where the config came from (a file, "environment").
 */
export function validateConfig<S extends TSchema>(schema: S, value: unknown, source: string): Static<S> {
  if (Value.Check(schema, value)) return value;
  const lines = describe(allErrors(schema, value)).map(([path, message]) => `${source}: ${path}: ${message}`);
  throw new Error([...new Set(lines)].join("\n"));
}

/**
 * TypeBox stops collecting at `maxErrors` (8, a global guard against hostile request
 * bodies). Config is the admin's own and checked once at start-up, so lift the cap for
 * this synchronous call only.
 */
function allErrors(schema: TSchema, value: unknown): ValidationError[] {
  const { maxErrors } = Settings.Get();
  Settings.Set({ maxErrors: Number.MAX_SAFE_INTEGER });
  try {
    return Value.Errors(schema, value);
  } finally {
    Settings.Set({ maxErrors });
  }
}

/** TypeBox's errors as [path, message] pairs, reworded where its own message is vague. */
function describe(errors: readonly ValidationError[]): [string, string][] {
  // A failed anyOf also reports each branch's failure: fold those into the anyOf's line.
  const branchesOf = (union: ValidationError) =>
    errors.filter((e) => e.schemaPath.startsWith(`${union.schemaPath}/anyOf/`));
  const unions = errors.filter((e) => e.keyword === "anyOf");
  const inBranch = (error: ValidationError) => unions.some((u) => branchesOf(u).includes(error));
  return errors.filter((e) => !inBranch(e)).flatMap((e) => reword(e, branchesOf(e)));
}

function reword(error: ValidationError, branches: readonly ValidationError[]): [string, string][] {
  const path = error.instancePath || "/";
  const list = (values: readonly unknown[]) => values.map((v) => JSON.stringify(v)).join(", ");
  switch (error.keyword) {
    case "anyOf":
      if (branches.length > 0 && branches.every((b) => b.keyword === "const")) {
        return [[path, `must be one of ${list(branches.map((b) => b.params.allowedValue))}`]];
      }
      if (branches.length > 0 && branches.every((b) => b.instancePath === error.instancePath)) {
        return [[path, [...new Set(branches.map((b) => b.message))].join(" or ")]];
      }
      return [[path, error.message]];
    case "required":
      return error.params.requiredProperties.map((p) => [`${error.instancePath}/${p}`, "is required"]);
    case "additionalProperties":
      return error.params.additionalProperties.map((p) => [`${error.instancePath}/${p}`, "is not allowed"]);
    case "boolean": // a `false` schema, which in config means an unknown property
      return [[path, "is not allowed"]];
    case "const":
      return [[path, `must be ${JSON.stringify(error.params.allowedValue)}`]];
    case "enum":
      return [[path, `must be one of ${list(error.params.allowedValues)}`]];
    default:
      return [[path, error.message]];
  }
}
