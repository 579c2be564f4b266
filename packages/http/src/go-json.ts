/**
 * Go `encoding/json` key semantics for request bodies (spec smd.md §2 "JSON bodies"):
 * keys match a struct's fields exactly first, then case-insensitively; unknown keys are
 * dropped. Upstream clients send `"id"` for `"ID"` and extra fields, and Go accepts both.
 */

type Schema = Readonly<Record<string, unknown>>;

/** What an object schema accepts, flattened over allOf/anyOf/oneOf members. */
interface ObjectShape {
  properties: Map<string, unknown>;
  /** Lower-cased name -> the first declared property with that spelling. */
  folded: Map<string, string>;
  patterns: [RegExp, unknown][];
  /** `true` keeps unknown keys as they are; a schema keeps and canonicalizes them. */
  additional: unknown;
}

const shapes = new WeakMap<Schema, ObjectShape | null>();

/**
 * Renames `value`'s object keys to the schema's spelling and drops keys the schema does
 * not declare, recursively through nested objects and arrays. Objects without declared
 * properties (maps, free-form values) are left as they are. Returns new objects; never
 * mutates `value`.
 */
export function canonicalizeKeys(schema: unknown, value: unknown): unknown {
  if (!isRecord(schema)) return value;
  if (Array.isArray(value)) {
    const items = itemsOf(schema);
    return items === undefined ? value : value.map((item) => canonicalizeKeys(items, item));
  }
  if (!isRecord(value)) return value;
  const shape = shapeOf(schema);
  if (!shape) return value;

  const entries: [string, unknown][] = [];
  for (const [key, item] of Object.entries(value)) {
    const name = shape.properties.has(key) ? key : shape.folded.get(key.toLowerCase());
    if (name !== undefined) {
      entries.push([name, canonicalizeKeys(shape.properties.get(name), item)]);
      continue;
    }
    const pattern = shape.patterns.find(([regex]) => regex.test(key));
    if (pattern) entries.push([key, canonicalizeKeys(pattern[1], item)]);
    else if (shape.additional === true) entries.push([key, item]);
    else if (isRecord(shape.additional)) entries.push([key, canonicalizeKeys(shape.additional, item)]);
  }
  // fromEntries defines own properties, so a `__proto__` key cannot reach the prototype;
  // when two keys fold to one field the later wins, as in Go.
  return Object.fromEntries(entries);
}

function shapeOf(schema: Schema): ObjectShape | undefined {
  let shape = shapes.get(schema);
  if (shape === undefined) {
    shape = buildShape(schema);
    shapes.set(schema, shape);
  }
  return shape ?? undefined;
}

function buildShape(schema: Schema): ObjectShape | null {
  const shape: ObjectShape = {
    properties: new Map(),
    folded: new Map(),
    patterns: [],
    additional: undefined,
  };
  collect(schema, shape);
  if (shape.properties.size === 0 && shape.patterns.length === 0) return null;
  for (const name of shape.properties.keys()) {
    const lower = name.toLowerCase();
    if (!shape.folded.has(lower)) shape.folded.set(lower, name);
  }
  return shape;
}

function collect(schema: Schema, shape: ObjectShape): void {
  if (isRecord(schema.properties)) {
    for (const [name, property] of Object.entries(schema.properties)) {
      if (!shape.properties.has(name)) shape.properties.set(name, property);
    }
  }
  if (isRecord(schema.patternProperties)) {
    for (const [pattern, property] of Object.entries(schema.patternProperties)) {
      shape.patterns.push([new RegExp(pattern, "u"), property]);
    }
  }
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) {
    shape.additional ??= schema.additionalProperties;
  }
  for (const member of members(schema)) collect(member, shape);
}

function itemsOf(schema: Schema): unknown {
  if (isRecord(schema.items)) return schema.items;
  for (const member of members(schema)) {
    const items = itemsOf(member);
    if (items !== undefined) return items;
  }
  return undefined;
}

/** Subschemas of allOf/anyOf/oneOf: for a union, keys of any member are known. */
function members(schema: Schema): Schema[] {
  return [schema.allOf, schema.anyOf, schema.oneOf].flatMap((list) =>
    Array.isArray(list) ? list.filter(isRecord) : [],
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
