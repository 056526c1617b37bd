/**
 * Scalar schemas → FieldTypes: strings (`maxLength`, `minLength`,
 * `pattern`), numbers (bounds, exclusive bounds, `multipleOf`) and enums
 * (`enum`, `const`), for reduce.ts.
 *
 * In: a schema object, its pointer and the reduce context. Out: the
 * FieldType, and AGP407 / AGP413 / AGP415 diagnostics. An enum's members
 * are filtered here by the constraints beside it (`{"enum": ["a", "abcd"],
 * "maxLength": 3}` admits only "a"), so every engine enforces those
 * constraints by enforcing the enum. Must not throw for user input or
 * spread a user-sized array into a call.
 */
import { diagnostic } from "../diagnostics/index.js";
import { parsePattern } from "./pattern.js";
import { compilePattern, patternMatches, type CompiledPattern } from "./pattern-automata.js";
import { checkOrdered, own, unsupported, type ReduceContext, type Schema } from "./reduce.js";
import type { FieldType, JsonValue, NumberType, StringType } from "./types.js";

/** The most members an `enum` may list. */
export const MAX_ENUM_MEMBERS = 4096;

/** The JSON kinds a type admits, as bits: null 1, boolean 2, integer 4, other numbers 8, string 16, array 32, object 64. */
export function kindMask(type: FieldType): number {
  switch (type.kind) {
    case "any":
      return 127;
    case "null":
      return 1;
    case "boolean":
      return 2;
    case "number":
      return type.integer || (type.enum !== undefined && type.enum.every(Number.isInteger)) ? 4 : 12;
    case "string":
      return 16;
    case "array":
      return 32;
    case "object":
      return 64;
    case "union": {
      let mask = 0;
      for (const option of type.options) mask |= kindMask(option);
      return mask;
    }
  }
}

export function reduceString(schema: Schema, pointer: string, ctx: ReduceContext): StringType {
  const pattern = patternOf(schema, pointer, ctx);
  return {
    kind: "string",
    ...whole(schema, "maxLength"),
    ...whole(schema, "minLength"),
    ...(pattern === undefined ? {} : { pattern }),
    location: { file: ctx.file, pointer },
  };
}

export function reduceNumber(schema: Schema, integer: boolean, pointer: string, ctx: ReduceContext): NumberType {
  const bounds = numberBounds(schema);
  return { kind: "number", integer, ...bounds, location: { file: ctx.file, pointer } };
}

type Bounds = Pick<NumberType, "minimum" | "exclusiveMinimum" | "maximum" | "exclusiveMaximum" | "multipleOf">;

/** The stricter of each pair of bounds the schema gives, and `multipleOf`. */
function numberBounds(schema: Schema): Bounds {
  const get = (k: string): number | undefined => {
    const v = own(schema, k);
    return typeof v === "number" ? v : undefined;
  };
  const min = get("minimum");
  const exMin = get("exclusiveMinimum");
  const max = get("maximum");
  const exMax = get("exclusiveMaximum");
  const multipleOf = get("multipleOf");
  const lower = exMin !== undefined && (min === undefined || exMin >= min) ? { exclusiveMinimum: exMin } : min === undefined ? {} : { minimum: min };
  const upper = exMax !== undefined && (max === undefined || exMax <= max) ? { exclusiveMaximum: exMax } : max === undefined ? {} : { maximum: max };
  return { ...lower, ...upper, ...(multipleOf === undefined ? {} : { multipleOf }) };
}

/** Whether a number satisfies the bounds (the order the engines check in does not matter for a yes/no). */
function withinBounds(n: number, b: Bounds): boolean {
  if (b.minimum !== undefined && n < b.minimum) return false;
  if (b.exclusiveMinimum !== undefined && n <= b.exclusiveMinimum) return false;
  if (b.maximum !== undefined && n > b.maximum) return false;
  if (b.exclusiveMaximum !== undefined && n >= b.exclusiveMaximum) return false;
  return b.multipleOf === undefined || Number.isInteger(n / b.multipleOf);
}

export function reduceEnum(schema: Schema, declared: readonly string[] | undefined, pointer: string, ctx: ReduceContext): FieldType {
  const location = { file: ctx.file, pointer };
  const keyword = own(schema, "enum") !== undefined ? "enum" : "const";
  const given = own(schema, keyword);
  let values: readonly JsonValue[] = keyword === "enum" ? (Array.isArray(given) ? (given as JsonValue[]) : []) : [given ?? null];
  if (values.length > MAX_ENUM_MEMBERS) {
    ctx.diagnostics.push(diagnostic("AGP415", ctx.spanOf(`${pointer}/${keyword}`, { key: true }), { keyword, pointer: `${pointer}/${keyword}`, count: values.length, limit: MAX_ENUM_MEMBERS }));
    // Stricter, never wider: the catalog has an error and will not compile anyway.
    values = values.slice(0, MAX_ENUM_MEMBERS);
  }
  const allows = (t: string): boolean => declared === undefined || declared.includes(t) || (t === "integer" && declared.includes("number"));
  const options: FieldType[] = [];
  // Constraints beside the enum narrow its members.
  const pattern = patternOf(schema, pointer, ctx);
  const minLength = whole(schema, "minLength").minLength ?? 0;
  const maxLengthBound = whole(schema, "maxLength").maxLength ?? Infinity;
  const strings = values.filter((v): v is string => {
    if (typeof v !== "string") return false;
    const length = codePoints(v);
    return length >= minLength && length <= maxLengthBound && (pattern === undefined || patternMatches(pattern, v));
  });
  if (strings.length > 0 && allows("string")) {
    // An enum bounds its strings: the longest member is the maxLength (in code points, as JSON Schema counts).
    let maxLength = 0;
    for (const s of strings) maxLength = Math.max(maxLength, codePoints(s));
    options.push({ kind: "string", enum: strings, maxLength, ...(own(schema, "x-agp-ordered") === true ? { ordered: true } : {}), location });
  }
  const onlyIntegers = declared !== undefined && declared.includes("integer") && !declared.includes("number");
  const bounds = numberBounds(schema);
  const numbers = values.filter((v): v is number => typeof v === "number" && (!onlyIntegers || Number.isInteger(v)) && withinBounds(v, bounds));
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
    unsupported(ctx, keyword, `${pointer}/${keyword}`, "no member has the schema's `type` and meets its other constraints, so no value is valid");
  }
  checkOrdered(schema, pointer, ctx, strings.length > 0);
  if (options.length === 1) return options[0]!;
  if (options.length === 0) return { kind: "any", location };
  return { kind: "union", options, location };
}

/** A whole-number keyword (`maxLength`, `minItems`, …) when the schema gives one. */
function whole<K extends string>(schema: Schema, keyword: K): { [P in K]?: number } {
  const value = own(schema, keyword);
  return (typeof value === "number" ? { [keyword]: value } : {}) as { [P in K]?: number };
}

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Compiled patterns by source: catalogs repeat them, and compiling is the slow part of loading. */
const compiled = new Map<string, ReturnType<typeof compilePattern> | { ok: false; reason: string }>();
const CACHE_LIMIT = 512;

/** The schema's `pattern`, compiled; AGP413 (and undefined) when agp cannot enforce it. */
function patternOf(schema: Schema, pointer: string, ctx: ReduceContext): CompiledPattern | undefined {
  const source = own(schema, "pattern");
  if (typeof source !== "string") return undefined;
  let result = compiled.get(source);
  if (result === undefined) {
    const parsed = parsePattern(source);
    result = parsed.ok ? compilePattern(source, parsed.tree) : { ok: false, reason: parsed.refusal.reason };
    if (compiled.size >= CACHE_LIMIT) compiled.clear();
    compiled.set(source, result);
  }
  if (result.ok) return result.pattern;
  const at = `${pointer}/pattern`;
  ctx.diagnostics.push(diagnostic("AGP413", ctx.spanOf(at), { pointer: at, reason: result.reason }));
  return undefined;
}
