/**
 * What `agp schema import-mcp` does to a tool's input schema so the catalog
 * loads without hand edits (ADR 0038): the draft-07 spellings servers still
 * write turned into what the loader reads, and on request the bounds and
 * closed objects bounded-time evaluation wants.
 *
 * In: a JSON Schema (any draft an MCP server writes) and the options.
 * Out: a new schema, and counts of what changed. Rules:
 * - draft-07 tuples (`items: [A, B, …]`): when every position has the same
 *   schema S and extra items are refused (`additionalItems: false`) or are S
 *   too, this is exactly an array of S (`items: S`, `maxItems: n` when extra
 *   items are refused); otherwise it becomes the 2020-12 spelling
 *   (`prefixItems`), which the loader refuses with a located error
 *   (AGP407): agp has no tuples, and no silent change of meaning is made;
 * - `allOf` is merged into one schema only where that is exactly the same
 *   set of valid values: every part is an object schema made of `type`
 *   (the same), `properties` (a name in two parts must have equal schemas),
 *   `required` (united) and annotations; anything else stays `allOf`, which
 *   the loader refuses at its place (AGP407);
 * - `maxLength` / `maxItems` (options) are added where a string or array
 *   has none (never below its `minLength` / `minItems`); `closeObjects` adds
 *   `additionalProperties: false` to objects that list properties and say
 *   nothing of others.
 * Must not look inside values (`enum`, `const`, `default`, `examples`) as if
 * they were schemas, and must not change any schema it does not rewrite.
 */
import type { JsonValue } from "./types.js";

/** How to adapt. */
export interface AdaptOptions {
  /** Add `maxLength` to strings without one. */
  readonly maxLength?: number;
  /** Add `maxItems` to arrays without one. */
  readonly maxItems?: number;
  /** Add `additionalProperties: false` to objects with `properties` that say nothing of other properties. */
  readonly closeObjects?: boolean;
}

/** What adapting changed, counted. */
export interface AdaptCounts {
  tuples: number;
  tuplesRefused: number;
  allOfMerged: number;
  allOfKept: number;
  maxLength: number;
  maxItems: number;
  closed: number;
}

export function emptyCounts(): AdaptCounts {
  return { tuples: 0, tuplesRefused: 0, allOfMerged: 0, allOfKept: 0, maxLength: 0, maxItems: 0, closed: 0 };
}

type Obj = { [key: string]: JsonValue };

/** Keywords whose value is one schema. */
const ONE = ["additionalProperties", "additionalItems", "not", "if", "then", "else", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems"];
/** Keywords whose value is a list of schemas. */
const LIST = ["anyOf", "oneOf", "allOf", "prefixItems"];
/** Keywords whose value maps names to schemas. */
const MAP = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];
/** Keywords an allOf part may hold and still merge. */
const MERGEABLE = new Set(["type", "properties", "required", "title", "description", "$comment", "examples", "deprecated", "readOnly", "writeOnly"]);

/** The schema adapted (see the header); `counts` is added to. */
export function adaptSchema(schema: JsonValue, options: AdaptOptions, counts: AdaptCounts): JsonValue {
  if (!isObject(schema)) return schema;
  // Children first: a merged allOf part or a tuple position is already adapted.
  const out: Obj = {};
  for (const [key, value] of Object.entries(schema)) {
    let adapted: JsonValue = value;
    if (ONE.includes(key)) adapted = adaptSchema(value, options, counts);
    // allOf parts are not closed on their own: a closed part would refuse the other parts' properties (and not merge).
    else if (key === "allOf" && Array.isArray(value)) adapted = value.map((v) => adaptSchema(v, { ...options, closeObjects: false }, counts));
    else if (LIST.includes(key) && Array.isArray(value)) adapted = value.map((v) => adaptSchema(v, options, counts));
    else if (MAP.includes(key) && isObject(value)) adapted = mapValues(value, (v) => adaptSchema(v, options, counts));
    else if (key === "items") adapted = Array.isArray(value) ? value.map((v) => adaptSchema(v, options, counts)) : adaptSchema(value, options, counts);
    setOwn(out, key, adapted);
  }
  let result = tuple(out, counts);
  result = mergeAllOf(result, counts);
  return bound(result, options, counts);
}

/** Draft-07 `items: [...]` → `items: S` where exact, else `prefixItems` (refused at load, located). */
function tuple(schema: Obj, counts: AdaptCounts): Obj {
  const items = schema.items;
  if (!Array.isArray(items)) {
    // `additionalItems` means nothing without a tuple (draft-07 ignores it): drop it rather than load an unknown keyword.
    if (!Object.hasOwn(schema, "additionalItems")) return schema;
    const { additionalItems: _ignored, ...rest } = schema;
    void _ignored;
    return rest;
  }
  const { items: _items, additionalItems, ...rest } = schema;
  void _items;
  const first = items[0];
  const same = first !== undefined && items.every((item) => equal(item, first));
  if (same && (additionalItems === false || (additionalItems !== undefined && equal(additionalItems, first)))) {
    counts.tuples++;
    const out: Obj = { ...rest, items: first };
    if (additionalItems === false) {
      const existing = typeof rest.maxItems === "number" ? rest.maxItems : Infinity;
      out.maxItems = Math.min(existing, items.length);
    }
    return out;
  }
  counts.tuplesRefused++;
  return { ...rest, prefixItems: items, ...(additionalItems === undefined || additionalItems === true ? {} : { items: additionalItems }) };
}

/** `allOf` of plain object parts → one schema; anything else is left as it is. */
function mergeAllOf(schema: Obj, counts: AdaptCounts): Obj {
  const parts = schema.allOf;
  if (!Array.isArray(parts)) return schema;
  const { allOf: _allOf, ...parent } = schema;
  void _allOf;
  const all = [parent, ...parts];
  const mergeable = all.every((part) => isObject(part) && Object.keys(part).every((k) => MERGEABLE.has(k)));
  if (!mergeable || parts.length === 0) {
    counts.allOfKept++;
    return schema;
  }
  const merged: Obj = {};
  const properties: Obj = {};
  const required = new Set<string>();
  for (const part of all as Obj[]) {
    for (const [key, value] of Object.entries(part)) {
      if (key === "properties") {
        if (!isObject(value)) return keep(schema, counts);
        for (const [name, property] of Object.entries(value)) {
          if (Object.hasOwn(properties, name) && !equal(properties[name]!, property)) return keep(schema, counts);
          setOwn(properties, name, property);
        }
      } else if (key === "required") {
        if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) return keep(schema, counts);
        for (const name of value as string[]) required.add(name);
      } else if (key === "type") {
        if (Object.hasOwn(merged, "type") && !equal(merged.type!, value)) return keep(schema, counts);
        merged.type = value;
      } else if (!Object.hasOwn(merged, key)) {
        // Annotations: the first one written wins (the parent's, then the parts' in order).
        setOwn(merged, key, value);
      }
    }
  }
  counts.allOfMerged++;
  return {
    ...merged,
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
    ...(required.size > 0 ? { required: [...required] } : {}),
  };
}

function keep(schema: Obj, counts: AdaptCounts): Obj {
  counts.allOfKept++;
  return schema;
}

/** Default bounds and closed objects, where asked and where missing. */
function bound(schema: Obj, options: AdaptOptions, counts: AdaptCounts): Obj {
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const out = { ...schema };
  const fixed = Object.hasOwn(schema, "enum") || Object.hasOwn(schema, "const");
  if (options.maxLength !== undefined && types.includes("string") && !fixed && !Object.hasOwn(schema, "maxLength")) {
    out.maxLength = Math.max(options.maxLength, typeof schema.minLength === "number" ? schema.minLength : 0);
    counts.maxLength++;
  }
  if (options.maxItems !== undefined && types.includes("array") && !fixed && !Object.hasOwn(schema, "maxItems")) {
    out.maxItems = Math.max(options.maxItems, typeof schema.minItems === "number" ? schema.minItems : 0);
    counts.maxItems++;
  }
  const open = !["additionalProperties", "patternProperties", "unevaluatedProperties"].some((k) => Object.hasOwn(schema, k));
  if (options.closeObjects === true && isObject(schema.properties) && open && !Object.hasOwn(schema, "allOf")) {
    out.additionalProperties = false;
    counts.closed++;
  }
  return out;
}

/** Deep equality of JSON values (key order ignored). */
export function equal(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => equal(item, b[i]!));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && equal(a[k]!, b[k]!));
}

function mapValues(value: Obj, f: (v: JsonValue) => JsonValue): Obj {
  const out: Obj = {};
  for (const [key, inner] of Object.entries(value)) setOwn(out, key, f(inner));
  return out;
}

/** An own, enumerable property whatever the key (`__proto__` included). */
function setOwn(target: Obj, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isObject(value: unknown): value is Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
