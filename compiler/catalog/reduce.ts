/**
 * JSON Schema → FieldType: what a policy can observe of a schema, and every
 * constraint the engines enforce on requests.
 *
 * In: a JSON Schema 2020-12 fragment (already known to be valid JSON Schema),
 * its pointer, and the catalog document it lives in (for local `$ref`).
 * Out: a FieldType carrying the file and pointer of every part, plus
 * diagnostics: keywords refused (AGP407, keywords.ts), patterns that cannot
 * be enforced (AGP413), schemas nested too deeply (AGP414), enums too large
 * (AGP415), misspelled (AGP416) or unknown (AGP408) keywords. It never
 * throws for user input, never recurses deeper than MAX_SCHEMA_DEPTH, and
 * never checks JSON Schema validity itself (ajv does, in load.ts).
 *
 * Which keyword does what is decided in keywords.ts; ADR 0010 gives the
 * reasons. Scalar keywords (strings, numbers, enums) are in reduce-scalar.ts.
 */
import { diagnostic, type Diagnostic, type Span } from "../diagnostics/index.js";
import { toPointer, valueAt } from "./json-source.js";
import { ANNOTATION_KEYWORDS, checkKeywords, isVendor, refuseKeyword } from "./keywords.js";
import { kindMask, reduceEnum, reduceNumber, reduceString } from "./reduce-scalar.js";
import type { DependentRequired, Field, FieldType, JsonValue, ObjectType, SchemaLocation } from "./types.js";

/** What reduction needs to know about the document it reads. */
export interface ReduceContext {
  readonly file: string;
  /** The whole catalog document, for `$ref` resolution. */
  readonly document: JsonValue;
  spanOf(pointer: string, options?: { key?: boolean }): Span;
  readonly diagnostics: Diagnostic[];
}

export type Schema = { readonly [key: string]: JsonValue };

/** How deep schemas may nest, counting every property, item, option and `$ref` on the way. */
export const MAX_SCHEMA_DEPTH = 32;
/** The largest `maxItems` an array with `uniqueItems` may have: its check compares every pair. */
export const MAX_UNIQUE_ITEMS = 1024;

const OBJECT_KEYWORDS = ["properties", "required", "additionalProperties", "minProperties", "maxProperties", "dependentRequired"];
const ARRAY_KEYWORDS = ["items", "maxItems", "minItems", "uniqueItems"];
const STRING_KEYWORDS = ["maxLength", "minLength", "pattern"];
const NUMBER_KEYWORDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"];
/** Keywords that constrain a value (siblings of `oneOf`/`anyOf` must move into the options). */
const CONSTRAINTS = new Set(["type", "enum", "const", ...OBJECT_KEYWORDS, ...ARRAY_KEYWORDS, ...STRING_KEYWORDS, ...NUMBER_KEYWORDS, "$ref"]);

/** Reduces the schema at `pointer` of `ctx.document`. */
export function reduceAt(pointer: string, ctx: ReduceContext): FieldType {
  return reduce(valueAt(ctx.document, pointer) ?? true, pointer, ctx, [], 0);
}

/** Reduces a schema that must describe an object (args, agent, human, context). */
export function reduceObjectAt(pointer: string, ctx: ReduceContext): ObjectType {
  const type = reduceAt(pointer, ctx);
  if (type.kind === "object") return type;
  // The meta-schema requires `"type": "object"`, so this is reached only through odd `$ref`s.
  ctx.diagnostics.push(
    diagnostic("AGP407", ctx.spanOf(pointer), { keyword: "type", pointer, reason: "this schema must describe an object" }),
  );
  return { kind: "object", fields: new Map(), additionalProperties: false, location: { file: ctx.file, pointer } };
}

/**
 * Whether a property's schema says `"x-agp-secret": true` (beside its own
 * keywords or its `$ref`, or at the top of the definition it references).
 * A value that is not a boolean is AGP420.
 */
function secretMark(property: JsonValue, ctx: ReduceContext): boolean {
  if (!isSchema(property)) return false;
  const mark = own(property, "x-agp-secret");
  if (mark === true) return true;
  if (mark !== undefined) return false; // reported by `reduce` (AGP420)
  const ref = own(property, "$ref");
  if (typeof ref !== "string" || !ref.startsWith("#/$defs/")) return false;
  const target = safeDecode(ref.slice(1));
  const resolved = target === undefined ? undefined : valueAt(ctx.document, target);
  return isSchema(resolved) && own(resolved, "x-agp-secret") === true;
}

/** `x-agp-secret` must be a boolean (AGP420) on a property or a definition a property references (else AGP421: it marks nothing). */
function checkSecretMark(schema: Schema, pointer: string, ctx: ReduceContext): void {
  const mark = own(schema, "x-agp-secret");
  if (mark === undefined) return;
  const at = `${pointer}/x-agp-secret`;
  if (typeof mark !== "boolean") {
    ctx.diagnostics.push(diagnostic("AGP420", ctx.spanOf(at), { pointer: at }));
    return;
  }
  const segments = pointer.split("/");
  const onProperty = segments.length >= 2 && segments[segments.length - 2] === "properties";
  const onDefinition = segments.length === 3 && segments[1] === "$defs";
  if (!onProperty && !onDefinition) ctx.diagnostics.push(diagnostic("AGP421", ctx.spanOf(at, { key: true }), { pointer: at }));
}

function reduce(schema: JsonValue, pointer: string, ctx: ReduceContext, refs: readonly string[], depth: number): FieldType {
  const location: SchemaLocation = { file: ctx.file, pointer };
  if (isSchema(schema)) checkSecretMark(schema, pointer, ctx);
  if (depth > MAX_SCHEMA_DEPTH) {
    ctx.diagnostics.push(diagnostic("AGP414", ctx.spanOf(pointer), { pointer, limit: MAX_SCHEMA_DEPTH }));
    return { kind: "any", location };
  }
  if (schema === true || (isSchema(schema) && Object.keys(schema).every((k) => ANNOTATION_KEYWORDS.has(k) || isVendor(k)))) {
    return { kind: "any", location };
  }
  if (!isSchema(schema)) {
    unsupported(ctx, "false", pointer, "a schema that accepts nothing gives a field no type");
    return { kind: "any", location };
  }
  checkKeywords(schema, pointer, ctx);
  if (typeof own(schema, "$ref") === "string") return reduceRef(schema, own(schema, "$ref") as string, pointer, ctx, refs, depth);

  const oneOf = own(schema, "oneOf");
  const anyOf = own(schema, "anyOf");
  if (Array.isArray(oneOf) || Array.isArray(anyOf)) {
    const keyword = Array.isArray(oneOf) ? "oneOf" : "anyOf";
    const siblings = Object.keys(schema).filter((k) => CONSTRAINTS.has(k));
    if (siblings.length > 0 || (oneOf !== undefined && anyOf !== undefined)) {
      unsupported(ctx, keyword, pointer, `move \`${siblings[0] ?? "anyOf"}\` into each alternative`);
    }
    const options = ((keyword === "oneOf" ? oneOf : anyOf) as readonly JsonValue[]).map((option, i) =>
      reduce(option, `${pointer}/${keyword}/${i}`, ctx, refs, depth + 1),
    );
    if (keyword === "oneOf" && !disjoint(options)) {
      if (options.some((o) => o.kind === "any")) {
        unsupported(ctx, "oneOf", pointer, "an option that accepts anything turns `oneOf` into `not`, which a policy type cannot be");
        return { kind: "any", location };
      }
      // Options that can overlap: a value must match exactly one, so they stay together.
      return { kind: "union", options, oneOf: true, location };
    }
    return union(options, location);
  }

  const type = own(schema, "type");
  const declared = typeof type === "string" ? [type] : Array.isArray(type) ? (type as string[]) : undefined;
  if (own(schema, "enum") !== undefined || own(schema, "const") !== undefined) return reduceEnum(schema, declared, pointer, ctx);
  const types = declared ?? inferTypes(schema);
  if (types.length === 0) return { kind: "any", location };
  const reduced = types.map((t) => reduceTyped(t, schema, pointer, ctx, refs, depth));
  checkOrdered(schema, pointer, ctx, false);
  return union(reduced, location);
}

function reduceRef(schema: Schema, ref: string, pointer: string, ctx: ReduceContext, refs: readonly string[], depth: number): FieldType {
  const location = { file: ctx.file, pointer };
  const refPointer = `${pointer}/$ref`;
  if (!ref.startsWith("#/$defs/")) {
    unsupported(ctx, "$ref", refPointer, "only references into the catalog's own `$defs` (`#/$defs/…`) are supported");
    return { kind: "any", location };
  }
  const target = safeDecode(ref.slice(1));
  if (target !== undefined && refs.includes(target)) {
    unsupported(ctx, "$ref", refPointer, "recursive references give a field no finite type");
    return { kind: "any", location };
  }
  const resolved = target === undefined ? undefined : valueAt(ctx.document, target);
  if (target === undefined || resolved === undefined) {
    unsupported(ctx, "$ref", refPointer, `\`${ref}\` names nothing in this catalog's \`$defs\``);
    return { kind: "any", location };
  }
  const extra = Object.keys(schema).find((k) => k !== "$ref" && !ANNOTATION_KEYWORDS.has(k) && !isVendor(k));
  if (extra !== undefined) {
    unsupported(ctx, extra, `${pointer}${toPointer([extra])}`, "put constraints in the referenced definition, not beside `$ref`", true);
  }
  return reduce(resolved, target, ctx, [...refs, target], depth + 1);
}

function reduceTyped(type: string, schema: Schema, pointer: string, ctx: ReduceContext, refs: readonly string[], depth: number): FieldType {
  const location: SchemaLocation = { file: ctx.file, pointer };
  switch (type) {
    case "string":
      return reduceString(schema, pointer, ctx);
    case "integer":
    case "number":
      return reduceNumber(schema, type === "integer", pointer, ctx);
    case "boolean":
      return { kind: "boolean", location };
    case "null":
      return { kind: "null", location };
    case "array":
      return reduceArray(schema, pointer, ctx, refs, depth);
    case "object":
      return reduceObject(schema, pointer, ctx, refs, depth);
    default:
      return { kind: "any", location };
  }
}

function reduceArray(schema: Schema, pointer: string, ctx: ReduceContext, refs: readonly string[], depth: number): FieldType {
  const itemsSchema = own(schema, "items");
  const items: FieldType =
    itemsSchema === undefined ? { kind: "any", location: { file: ctx.file, pointer: `${pointer}/items` } } : reduce(itemsSchema, `${pointer}/items`, ctx, refs, depth + 1);
  const maxItems = numberKeyword(schema, "maxItems");
  const unique = own(schema, "uniqueItems") === true;
  if (unique) {
    const why =
      (kindMask(items) & ~SCALAR_KINDS) !== 0
        ? "agp checks `uniqueItems` only on arrays of strings, numbers, booleans or null"
        : maxItems.maxItems === undefined || maxItems.maxItems > MAX_UNIQUE_ITEMS
          ? `its check compares every pair of items, so it needs \`maxItems\` of at most ${MAX_UNIQUE_ITEMS}`
          : undefined;
    if (why !== undefined) {
      refuseKeyword(ctx, "uniqueItems", `${pointer}/uniqueItems`, why, "give the items a scalar type and the array a `maxItems`, or test it in a rule");
    }
  }
  return {
    kind: "array",
    items,
    ...maxItems,
    ...numberKeyword(schema, "minItems"),
    ...(unique ? { uniqueItems: true as const } : {}),
    location: { file: ctx.file, pointer },
  };
}

/** null, boolean, integer, number, string (the kindMask bits scalars use). */
const SCALAR_KINDS = 1 | 2 | 4 | 8 | 16;

function reduceObject(schema: Schema, pointer: string, ctx: ReduceContext, refs: readonly string[], depth: number): ObjectType {
  const location = { file: ctx.file, pointer };
  const propertiesValue = own(schema, "properties");
  const properties = isSchema(propertiesValue) ? propertiesValue : {};
  const requiredValue = own(schema, "required");
  const required = new Set(Array.isArray(requiredValue) ? (requiredValue as string[]) : []);
  const extra = own(schema, "additionalProperties");
  const closed = extra === false;
  // A schema for other properties is enforced on them; `true` and `{}` constrain nothing.
  const additional =
    extra === undefined || extra === true || extra === false || (isSchema(extra) && Object.keys(extra).length === 0)
      ? undefined
      : reduce(extra, `${pointer}/additionalProperties`, ctx, refs, depth + 1);
  const fields = new Map<string, Field>();
  for (const [name, property] of Object.entries(properties)) {
    const type = reduce(property, `${pointer}/properties${toPointer([name])}`, ctx, refs, depth + 1);
    const description = isSchema(property) && typeof own(property, "description") === "string" ? (own(property, "description") as string) : undefined;
    const secret = secretMark(property, ctx);
    fields.set(name, { name, type, required: required.has(name), ...(description === undefined ? {} : { description }), ...(secret ? { secret: true as const } : {}) });
  }
  // A required name without a schema is an additional property that must be present.
  for (const name of required) {
    if (fields.has(name)) continue;
    if (closed) {
      unsupported(ctx, "required", `${pointer}/required`, `\`${name}\` is required, but \`additionalProperties: false\` forbids it, so no value is valid`);
      continue;
    }
    fields.set(name, { name, type: additional ?? { kind: "any", location: { file: ctx.file, pointer: `${pointer}/required` } }, required: true });
  }
  return {
    kind: "object",
    fields,
    additionalProperties: !closed,
    ...(additional === undefined || closed ? {} : { additional }),
    ...numberKeyword(schema, "minProperties"),
    ...numberKeyword(schema, "maxProperties"),
    ...dependentRequired(schema),
    location,
  };
}

function dependentRequired(schema: Schema): { dependentRequired?: readonly DependentRequired[] } {
  const value = own(schema, "dependentRequired");
  if (!isSchema(value)) return {};
  const entries: DependentRequired[] = [];
  for (const [name, requires] of Object.entries(value)) {
    if (Array.isArray(requires) && requires.length > 0) entries.push({ name, requires: requires as string[] });
  }
  return entries.length === 0 ? {} : { dependentRequired: entries };
}

/** True when no two options admit a value of the same JSON kind (then `oneOf` means `anyOf`). */
function disjoint(options: readonly FieldType[]): boolean {
  let seen = 0;
  for (const option of options) {
    const mask = kindMask(option);
    if ((seen & mask) !== 0) return false;
    seen |= mask;
  }
  return true;
}

/**
 * A union of options. Nested unions that are not `oneOf` merge into this
 * one; a `oneOf` stays one option, since "exactly one" does not distribute.
 */
function union(options: readonly FieldType[], location: SchemaLocation): FieldType {
  const flat = options.flatMap((o) => (o.kind === "union" && o.oneOf !== true ? o.options : [o]));
  if (flat.length === 1) return flat[0]!;
  if (flat.length === 0 || flat.some((o) => o.kind === "any")) return { kind: "any", location };
  return { kind: "union", options: flat, location };
}

function inferTypes(schema: Schema): string[] {
  const has = (keywords: readonly string[]): boolean => keywords.some((k) => own(schema, k) !== undefined);
  if (has(OBJECT_KEYWORDS)) return ["object"];
  if (has(ARRAY_KEYWORDS)) return ["array"];
  if (has(STRING_KEYWORDS)) return ["string"];
  if (has(NUMBER_KEYWORDS)) return ["number"];
  return [];
}

/** Checks `x-agp-ordered` (beside an `enum` of strings only). */
export function checkOrdered(schema: Schema, pointer: string, ctx: ReduceContext, hasStringEnum: boolean): void {
  const ordered = own(schema, "x-agp-ordered");
  if (ordered === undefined || (hasStringEnum && typeof ordered === "boolean")) return;
  unsupported(ctx, "x-agp-ordered", `${pointer}/x-agp-ordered`, "it must be `true` or `false` beside an `enum` of strings");
}

export function isSchema(value: JsonValue | undefined): value is Schema {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A keyword's value, read as an own property only (never Object.prototype's `constructor`). */
export function own(schema: Schema, keyword: string): JsonValue | undefined {
  return Object.hasOwn(schema, keyword) ? schema[keyword] : undefined;
}

export function numberKeyword<K extends string>(schema: Schema, keyword: K): { [P in K]?: number } {
  const value = own(schema, keyword);
  return (typeof value === "number" ? { [keyword]: value } : {}) as { [P in K]?: number };
}

function safeDecode(fragment: string): string | undefined {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return undefined;
  }
}

/** Reports AGP407; `key` underlines the keyword itself rather than its value. */
export function unsupported(ctx: ReduceContext, keyword: string, pointer: string, reason: string, key = false): void {
  ctx.diagnostics.push(diagnostic("AGP407", ctx.spanOf(pointer, { key }), { keyword, pointer, reason }));
}
