/**
 * JSON Schema → FieldType: what a policy can observe of a schema.
 *
 * In: a JSON Schema 2020-12 fragment (already known to be valid JSON Schema),
 * its pointer, and the catalog document it lives in (for local `$ref`).
 * Out: a FieldType carrying the file and pointer of every part, plus
 * diagnostics for constructs agp cannot type (AGP407, errors) or does not
 * enforce on requests (AGP408, warnings). It never throws for user input
 * and never checks JSON Schema validity itself (ajv does, in load.ts).
 *
 * Why errors vs warnings: a construct that changes what type a field has
 * (`allOf`, `if`, `prefixItems`, a recursive `$ref`) makes every policy type
 * unknowable, so it is an error. A constraint that only narrows valid values
 * (`pattern`, `uniqueItems`) leaves types intact but would not be checked by
 * the compiled policy, so the author is told.
 */
import { closestMatch, diagnostic, type Diagnostic, type Span } from "../diagnostics/index.js";
import { toPointer, valueAt } from "./json-source.js";
import type { Field, FieldType, JsonValue, NumberType, ObjectType, SchemaLocation, StringType } from "./types.js";

/** What reduction needs to know about the document it reads. */
export interface ReduceContext {
  readonly file: string;
  /** The whole catalog document, for `$ref` resolution. */
  readonly document: JsonValue;
  spanOf(pointer: string, options?: { key?: boolean }): Span;
  readonly diagnostics: Diagnostic[];
}

type Schema = { readonly [key: string]: JsonValue };

/** Keywords that describe and never constrain. */
const ANNOTATIONS = new Set([
  "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly", "$comment",
  "format", "contentMediaType", "contentEncoding", "contentSchema", "$anchor", "$schema",
]);
/** Keywords reduced into FieldType. */
const HANDLED = new Set([
  "type", "enum", "const", "properties", "required", "additionalProperties", "items", "maxLength",
  "minLength", "maxItems", "minItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
  "oneOf", "anyOf", "$ref", "x-agp-ordered",
]);
/** Valid JSON Schema that only narrows values: kept out of the type, reported as not enforced. */
const NOT_ENFORCED: Record<string, string> = {
  pattern: "agp does not check regular expressions on requests; use `matches` in a rule",
  uniqueItems: "agp does not check that array items are distinct",
  multipleOf: "agp does not check `multipleOf` on requests",
  patternProperties: "policies cannot read pattern-named properties and agp does not check them",
  propertyNames: "agp does not check property names on requests",
  minProperties: "agp does not count the properties of a request object",
  maxProperties: "agp does not count the properties of a request object",
  dependentRequired: "agp does not check dependencies between properties",
  contains: "agp does not check `contains` on requests; use `any x in …` in a rule",
  minContains: "agp does not check `contains` on requests",
  maxContains: "agp does not check `contains` on requests",
};
/** Valid JSON Schema that would make a field's type unknowable. */
const UNSUPPORTED: Record<string, string> = {
  allOf: "merge the subschemas into one schema",
  not: "a policy type cannot be the complement of a schema",
  if: "conditional schemas give a field no single type; use `oneOf` of complete schemas",
  then: "conditional schemas give a field no single type; use `oneOf` of complete schemas",
  else: "conditional schemas give a field no single type; use `oneOf` of complete schemas",
  dependentSchemas: "conditional schemas give a field no single type",
  prefixItems: "tuples are not supported; use an object with named fields",
  unevaluatedProperties: "use `additionalProperties` instead",
  unevaluatedItems: "use `items` instead",
  $dynamicRef: "only local `$ref` to `#/$defs/…` is supported",
  $dynamicAnchor: "only local `$ref` to `#/$defs/…` is supported",
  $recursiveRef: "only local `$ref` to `#/$defs/…` is supported",
  $id: "a catalog is one schema resource; remove nested `$id`",
  $defs: "put shared definitions in the `$defs` at the top of the catalog",
  definitions: "put shared definitions in the `$defs` at the top of the catalog",
};
const ALL_KEYWORDS = [...ANNOTATIONS, ...HANDLED, ...Object.keys(NOT_ENFORCED), ...Object.keys(UNSUPPORTED)];
const OBJECT_KEYWORDS = ["properties", "required", "additionalProperties"];
const ARRAY_KEYWORDS = ["items", "maxItems", "minItems"];
const STRING_KEYWORDS = ["maxLength", "minLength"];
const NUMBER_KEYWORDS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"];

/** Reduces the schema at `pointer` of `ctx.document`. */
export function reduceAt(pointer: string, ctx: ReduceContext): FieldType {
  return reduce(valueAt(ctx.document, pointer) ?? true, pointer, ctx, []);
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

function reduce(schema: JsonValue, pointer: string, ctx: ReduceContext, refs: readonly string[]): FieldType {
  const location: SchemaLocation = { file: ctx.file, pointer };
  if (schema === true || (isSchema(schema) && Object.keys(schema).every((k) => ANNOTATIONS.has(k) || isVendor(k)))) {
    return { kind: "any", location };
  }
  if (!isSchema(schema)) {
    unsupported(ctx, "false", pointer, "a schema that accepts nothing gives a field no type");
    return { kind: "any", location };
  }
  checkKeywords(schema, pointer, ctx);
  if (typeof schema.$ref === "string") return reduceRef(schema, schema.$ref, pointer, ctx, refs);

  const alternatives = (schema.oneOf ?? schema.anyOf) as JsonValue;
  if (Array.isArray(alternatives)) {
    const keyword = schema.oneOf !== undefined ? "oneOf" : "anyOf";
    const siblings = Object.keys(schema).filter((k) => HANDLED.has(k) && k !== keyword && k !== "x-agp-ordered");
    if (siblings.length > 0 || (schema.oneOf !== undefined && schema.anyOf !== undefined)) {
      unsupported(ctx, keyword, pointer, `move \`${siblings[0] ?? "anyOf"}\` into each alternative`);
    }
    const options = (alternatives as readonly JsonValue[]).map((option, i) =>
      reduce(option, `${pointer}/${keyword}/${i}`, ctx, refs),
    );
    return union(options, location);
  }

  const declared = typeof schema.type === "string" ? [schema.type] : Array.isArray(schema.type) ? (schema.type as string[]) : undefined;
  if (schema.enum !== undefined || schema.const !== undefined) return reduceEnum(schema, declared, pointer, ctx);
  const types = declared ?? inferTypes(schema);
  if (types.length === 0) return { kind: "any", location };
  const reduced = types.map((t) => reduceTyped(t, schema, pointer, ctx, refs));
  checkOrdered(schema, pointer, ctx, false);
  return union(reduced, location);
}

function reduceRef(schema: Schema, ref: string, pointer: string, ctx: ReduceContext, refs: readonly string[]): FieldType {
  const location = { file: ctx.file, pointer };
  const refPointer = `${pointer}/$ref`;
  if (!ref.startsWith("#/$defs/")) {
    unsupported(ctx, "$ref", refPointer, "only references into the catalog's own `$defs` (`#/$defs/…`) are supported");
    return { kind: "any", location };
  }
  const target = decodeURIComponent(ref.slice(1));
  if (refs.includes(target)) {
    unsupported(ctx, "$ref", refPointer, "recursive references give a field no finite type");
    return { kind: "any", location };
  }
  const resolved = valueAt(ctx.document, target);
  if (resolved === undefined) {
    unsupported(ctx, "$ref", refPointer, `\`${ref}\` names nothing in this catalog's \`$defs\``);
    return { kind: "any", location };
  }
  const extra = Object.keys(schema).find((k) => k !== "$ref" && !ANNOTATIONS.has(k) && !isVendor(k));
  if (extra !== undefined) {
    unsupported(ctx, extra, `${pointer}${toPointer([extra])}`, "put constraints in the referenced definition, not beside `$ref`", true);
  }
  return reduce(resolved, target, ctx, [...refs, target]);
}

function reduceTyped(type: string, schema: Schema, pointer: string, ctx: ReduceContext, refs: readonly string[]): FieldType {
  const location: SchemaLocation = { file: ctx.file, pointer };
  switch (type) {
    case "string":
      return {
        kind: "string",
        ...numberKeyword(schema, "maxLength"),
        ...numberKeyword(schema, "minLength"),
        location,
      } satisfies StringType;
    case "integer":
    case "number":
      return reduceNumber(schema, type === "integer", pointer, ctx);
    case "boolean":
      return { kind: "boolean", location };
    case "null":
      return { kind: "null", location };
    case "array": {
      const items = schema.items === undefined ? ({ kind: "any", location: { file: ctx.file, pointer: `${pointer}/items` } } as const) : reduce(schema.items, `${pointer}/items`, ctx, refs);
      return { kind: "array", items, ...numberKeyword(schema, "maxItems"), ...numberKeyword(schema, "minItems"), location };
    }
    case "object":
      return reduceObject(schema, pointer, ctx, refs);
    default:
      return { kind: "any", location };
  }
}

function reduceNumber(schema: Schema, integer: boolean, pointer: string, ctx: ReduceContext): NumberType {
  let minimum = typeof schema.minimum === "number" ? schema.minimum : undefined;
  let maximum = typeof schema.maximum === "number" ? schema.maximum : undefined;
  for (const keyword of ["exclusiveMinimum", "exclusiveMaximum"] as const) {
    const bound = schema[keyword];
    if (typeof bound !== "number") continue;
    if (!integer) {
      // INVARIANT: number bounds are inclusive in FieldType; an exclusive one cannot be kept exactly.
      notEnforced(ctx, keyword, `${pointer}/${keyword}`, "agp keeps inclusive bounds only; use `minimum` / `maximum`");
      continue;
    }
    // For integers an exclusive bound is an inclusive one, one step in.
    if (keyword === "exclusiveMinimum") minimum = Math.max(minimum ?? -Infinity, Math.floor(bound) + 1);
    else maximum = Math.min(maximum ?? Infinity, Math.ceil(bound) - 1);
  }
  return {
    kind: "number",
    integer,
    ...(minimum === undefined ? {} : { minimum }),
    ...(maximum === undefined ? {} : { maximum }),
    location: { file: ctx.file, pointer },
  };
}

function reduceObject(schema: Schema, pointer: string, ctx: ReduceContext, refs: readonly string[]): ObjectType {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const fields = new Map<string, Field>();
  for (const [name, property] of Object.entries(properties)) {
    const type = reduce(property, `${pointer}/properties${toPointer([name])}`, ctx, refs);
    const description = isSchema(property) && typeof property.description === "string" ? property.description : undefined;
    fields.set(name, { name, type, required: required.has(name), ...(description === undefined ? {} : { description }) });
  }
  // A required name without a schema still must be present: a field of any type.
  for (const name of required) {
    if (!fields.has(name)) {
      fields.set(name, { name, type: { kind: "any", location: { file: ctx.file, pointer: `${pointer}/required` } }, required: true });
    }
  }
  const extra = schema.additionalProperties;
  if (extra !== undefined && extra !== true && extra !== false && !(isSchema(extra) && Object.keys(extra).length === 0)) {
    notEnforced(ctx, "additionalProperties", `${pointer}/additionalProperties`, "agp checks only whether other properties are allowed, not their schema");
  }
  return { kind: "object", fields, additionalProperties: extra !== false, location: { file: ctx.file, pointer } };
}

function reduceEnum(schema: Schema, declared: readonly string[] | undefined, pointer: string, ctx: ReduceContext): FieldType {
  const location = { file: ctx.file, pointer };
  const keyword = schema.enum !== undefined ? "enum" : "const";
  const values: readonly JsonValue[] =
    keyword === "enum" ? (Array.isArray(schema.enum) ? (schema.enum as JsonValue[]) : []) : [schema.const ?? null];
  const allows = (t: string): boolean => declared === undefined || declared.includes(t) || (t === "integer" && declared.includes("number"));
  const options: FieldType[] = [];
  const strings = values.filter((v): v is string => typeof v === "string");
  if (strings.length > 0 && allows("string")) {
    // An enum bounds its strings: the longest member is the maxLength (in code points, as JSON Schema counts).
    const maxLength = Math.max(...strings.map((s) => [...s].length));
    options.push({ kind: "string", enum: strings, maxLength, ...(schema["x-agp-ordered"] === true ? { ordered: true } : {}), location });
  }
  const numbers = values.filter((v): v is number => typeof v === "number");
  if (numbers.length > 0 && (allows("number") || allows("integer"))) {
    const integer = declared?.includes("number") !== true && numbers.every(Number.isInteger);
    options.push({ kind: "number", integer, enum: numbers, location });
  }
  if (values.some((v) => typeof v === "boolean") && allows("boolean")) options.push({ kind: "boolean", location });
  if (values.includes(null) && allows("null")) options.push({ kind: "null", location });
  if (values.some((v) => v !== null && typeof v === "object")) {
    unsupported(ctx, keyword, pointer, "policies compare scalars only; list strings, numbers, booleans or null");
  }
  if (options.length === 0 && values.every((v) => v === null || typeof v !== "object")) {
    unsupported(ctx, keyword, `${pointer}/${keyword}`, "no member has the schema's `type`, so no value is valid");
  }
  checkOrdered(schema, pointer, ctx, strings.length > 0);
  return union(options, location);
}

function union(options: readonly FieldType[], location: SchemaLocation): FieldType {
  const flat = options.flatMap((o) => (o.kind === "union" ? o.options : [o]));
  if (flat.length === 1) return flat[0]!;
  if (flat.length === 0 || flat.some((o) => o.kind === "any")) return { kind: "any", location };
  return { kind: "union", options: flat, location };
}

function inferTypes(schema: Schema): string[] {
  const has = (keywords: readonly string[]): boolean => keywords.some((k) => schema[k] !== undefined);
  if (has(OBJECT_KEYWORDS)) return ["object"];
  if (has(ARRAY_KEYWORDS)) return ["array"];
  if (has(STRING_KEYWORDS)) return ["string"];
  if (has(NUMBER_KEYWORDS)) return ["number"];
  return [];
}

function checkKeywords(schema: Schema, pointer: string, ctx: ReduceContext): void {
  for (const keyword of Object.keys(schema)) {
    const keyPointer = `${pointer}${toPointer([keyword])}`;
    if (ANNOTATIONS.has(keyword) || HANDLED.has(keyword)) continue;
    const unsupportedWhy = UNSUPPORTED[keyword];
    if (unsupportedWhy !== undefined) unsupported(ctx, keyword, keyPointer, unsupportedWhy, true);
    else if (NOT_ENFORCED[keyword] !== undefined) notEnforced(ctx, keyword, keyPointer, NOT_ENFORCED[keyword]);
    else if (isVendor(keyword)) continue;
    else {
      // An unknown keyword is most often a typo (`maxlength`), which would silently drop a bound.
      const near = closestMatch(keyword, ALL_KEYWORDS);
      notEnforced(ctx, keyword, keyPointer, "it is not a JSON Schema 2020-12 keyword", near === undefined ? undefined : `did you mean \`${near}\`?`);
    }
  }
}

function checkOrdered(schema: Schema, pointer: string, ctx: ReduceContext, hasStringEnum: boolean): void {
  const ordered = schema["x-agp-ordered"];
  if (ordered === undefined || (hasStringEnum && typeof ordered === "boolean")) return;
  unsupported(ctx, "x-agp-ordered", `${pointer}/x-agp-ordered`, "it must be `true` or `false` beside an `enum` of strings");
}

/** `x-…` keywords are vendor extensions and pass silently, except misspelled `x-agp-` ones. */
function isVendor(keyword: string): boolean {
  return keyword.startsWith("x-") && !keyword.startsWith("x-agp-");
}

function isSchema(value: JsonValue | undefined): value is Schema {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function numberKeyword<K extends string>(schema: Schema, keyword: K): { [P in K]?: number } {
  const value = schema[keyword];
  return (typeof value === "number" ? { [keyword]: value } : {}) as { [P in K]?: number };
}

/** Reports AGP407; `key` underlines the keyword itself rather than its value. */
function unsupported(ctx: ReduceContext, keyword: string, pointer: string, reason: string, key = false): void {
  ctx.diagnostics.push(diagnostic("AGP407", ctx.spanOf(pointer, { key }), { keyword, pointer, reason }));
}

/** Reports AGP408 (a warning), always underlining the keyword. */
function notEnforced(ctx: ReduceContext, keyword: string, pointer: string, reason: string, help?: string): void {
  ctx.diagnostics.push(
    diagnostic("AGP408", ctx.spanOf(pointer, { key: true }), { keyword, pointer, reason }, help === undefined ? {} : { help }),
  );
}
